// Checks every quiz under quizzes/: it parses, each question is consistent, and its theory link resolves.
// Theory headings are checked with the same slug algorithm as GitHub; a missing theory file fails only in CI.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { allQuestions, headingSlugsOfFile, listQuizNumbers, loadQuiz, REPO_ROOT } from "../../src/quiz/index.ts";
import type { Quiz } from "../../src/quiz/index.ts";

const numbers = listQuizNumbers();
const quizzes: Quiz[] = numbers.map((n) => loadQuiz(n));

test("at least quiz 34 exists", () => {
  assert.ok(numbers.includes("34"), `quizzes found: ${numbers.join(", ")}`);
});

for (const quiz of quizzes) {
  test(`quiz ${quiz.number}: every question is consistent`, () => {
    assert.ok(quiz.chapters.length > 0);
    for (const chapter of quiz.chapters) {
      assert.ok(chapter.questions.length >= 8, `${chapter.file} has ${chapter.questions.length} questions; at least 8 expected`);
      const kinds = new Set(chapter.questions.map((q) => q.kind));
      assert.deepEqual([...kinds].sort(), ["multiple", "single"], `${chapter.file} should mix single and multiple choice`);
    }
    const ids = new Set<string>();
    for (const q of allQuestions(quiz)) {
      const where = `${q.file}:${q.line} (${q.id})`;
      assert.ok(!ids.has(q.id), `duplicate id at ${where}`);
      ids.add(q.id);
      const correct = q.options.filter((o) => o.correct).length;
      assert.ok(correct >= 1, `${where}: no correct option`);
      if (q.kind === "single") assert.equal(correct, 1, `${where}: single choice needs exactly one correct option`);
      assert.ok(q.options.length >= 2, `${where}: fewer than two options`);
      for (const o of q.options) assert.ok(o.explanation.length > 0, `${where}: option '${o.text}' has no explanation`);
      assert.match(q.theory.file, /^theory\/\d{2}-[a-z0-9-]+\.md$/, `${where}: theory link must point to theory/NN-*.md`);
      assert.ok(q.theory.slug.length > 0, `${where}: theory link needs a #slug`);
    }
  });

  // One subtest per theory file, so a missing chapter is named in the test output.
  const byTheoryFile = new Map<string, string[]>();
  for (const q of allQuestions(quiz)) {
    byTheoryFile.set(q.theory.file, [...(byTheoryFile.get(q.theory.file) ?? []), `${q.id} → #${q.theory.slug}`]);
  }
  for (const [theoryFile, links] of byTheoryFile) {
    test(`quiz ${quiz.number}: links into ${theoryFile} name real headings`, (t) => {
      const path = join(REPO_ROOT, theoryFile);
      if (!existsSync(path)) {
        const message = `THEORY FILE MISSING: ${theoryFile} does not exist yet, so ${links.length} theory links of quiz ${quiz.number} are unchecked`;
        if (process.env.CI) assert.fail(`${message}. In CI every linked theory file must exist.`);
        console.warn(`\n*** ${message} (this fails when CI is set) ***\n`);
        t.skip(message);
        return;
      }
      const slugs = new Set(headingSlugsOfFile(path));
      const broken = links.filter((l) => !slugs.has(l.split("#")[1]!));
      assert.deepEqual(broken, [], `${theoryFile} has no heading for: ${broken.join("; ")}. Headings there: ${[...slugs].join(", ")}`);
    });
  }
}
