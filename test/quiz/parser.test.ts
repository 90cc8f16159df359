// The quiz file parser: a valid fixture parses to the expected shape, a broken one reports file, line and fix.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { loadQuiz, parseQuizSource, QuizFormatError } from "../../src/quiz/index.ts";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

test("the sample fixture parses into typed questions with stable keys", () => {
  const quiz = loadQuiz("77", `${fixtures}good`);
  const [chapter] = quiz.chapters;
  assert.equal(chapter?.chapter, "00-sample");
  assert.equal(chapter?.theoryFile, "theory/00-motivation.md");
  const [single, multiple] = chapter!.questions;
  assert.equal(single?.id, "sample-single");
  assert.equal(single?.kind, "single");
  assert.deepEqual(single?.options.map((o) => [o.key, o.correct]), [["a", false], ["b", true], ["c", false]]);
  assert.equal(single?.options[1]?.text, "Only `+Inf`");
  assert.equal(single?.theory.slug, "default-buckets-hide-the-long-tail");
  assert.equal(multiple?.kind, "multiple");
  assert.equal(multiple?.options[1]?.explanation, "A RED signal (the ASCII separator is accepted too).");
  assert.equal(multiple?.theory.file, "theory/01-red-use-metrics.md");
});

test("a malformed quiz file reports every problem with its line", () => {
  const file = "quizzes/66/00-broken.md";
  const { chapter, issues } = parseQuizSource(readFileSync(`${fixtures}bad/66/00-broken.md`, "utf8"), file);
  assert.equal(chapter, null);
  const lines = issues.map((i) => `${i.line}: ${i.message}`);
  const has = (line: number, text: string): void =>
    assert.ok(lines.some((l) => l.startsWith(`${line}:`) && l.includes(text)), `expected line ${line} to mention '${text}'; got:\n${lines.join("\n")}`);
  has(8, "no option is marked correct");
  has(17, "declared (single) but 2 options");
  has(33, "no explanation");
  has(35, "'Theory:");
  has(42, "duplicate question id 'no-correct' (first used on line 8)");
  has(51, "must read '## question-id (single)'");
  assert.equal(issues.length, 6, lines.join("\n"));
});

test("front matter problems are reported at their line", () => {
  const src = "---\nquiz: 12\nchapter: wrong\ntitle: T\ntheory: https://x/y.md\ncolour: red\n---\n";
  const { issues } = parseQuizSource(src, "quizzes/34/00-motivation.md");
  const text = issues.map((i) => `${i.line}: ${i.message}`).join("\n");
  assert.match(text, /^2: quiz: 12 does not match the folder name '34'/m);
  assert.match(text, /^3: chapter: wrong does not match the file name; use chapter: 00-motivation/m);
  assert.match(text, /^5: theory: .* must be a relative link/m);
  assert.match(text, /^6: unknown front matter key 'colour'/m);
  assert.match(parseQuizSource("# no front matter\n", "q.md").issues[0]!.message, /must start with YAML front matter/);
});

test("other layout mistakes: numbered options, text after options, no questions", () => {
  const head = "---\nquiz: 34\nchapter: 00-x\ntitle: T\ntheory: ../../theory/00-x.md\n---\n";
  const q = "## q-one (single)\n\nText?\n\nTheory: [x](../../theory/00-x.md#x)\n\n";
  const numbered = parseQuizSource(`${head}${q}1. [x] A — a\n2. [ ] B — b\n`, "quizzes/34/00-x.md").issues;
  assert.ok(numbered.some((i) => i.message.includes("not a numbered list")));
  const after = parseQuizSource(`${head}${q}- [x] A — a\n- [ ] B — b\n\nLate text.\n`, "quizzes/34/00-x.md").issues;
  assert.ok(after.some((i) => i.message.includes("text after the option list") && i.line === 16));
  const empty = parseQuizSource(head, "quizzes/34/00-x.md").issues;
  assert.ok(empty.some((i) => i.message.includes("no questions")));
});

test("loading a broken quiz throws one QuizFormatError with code MSV_ERR_QUIZ_FORMAT", () => {
  assert.throws(() => loadQuiz("66", `${fixtures}bad`), (err: unknown) => {
    assert.ok(err instanceof QuizFormatError);
    assert.equal(err.code, "MSV_ERR_QUIZ_FORMAT");
    assert.match(err.message, /test\/quiz\/fixtures\/bad\/66\/00-broken\.md:8: question 'no-correct'/);
    return true;
  });
});

test("an unknown quiz number names the quizzes that exist", () => {
  assert.throws(() => loadQuiz("12", `${fixtures}good`), /There is no quiz '12'.*Quizzes that exist: 77/);
});
