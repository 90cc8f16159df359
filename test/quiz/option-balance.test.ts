// Every chapter of every quiz rewards reading: correct options spread over positions 1–4, not the longest by
// habit, and answer sheets filled in by position, by length or with every option fail (real grader and CLI).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  PASS_PERCENT, REPO_ROOT, chapterBalance, formatScore, gradeStrategy, guessStrategies, listQuizNumbers, loadQuiz,
} from "../../src/quiz/index.ts";
import type { Quiz } from "../../src/quiz/index.ts";

const quizzes: Quiz[] = listQuizNumbers().map((n) => loadQuiz(n));

/** The shape the rules exist to catch: every answer written first and padded to be the longest. */
function withHabit(quiz: Quiz): Quiz {
  return {
    ...quiz,
    chapters: quiz.chapters.map((c) => ({
      ...c,
      questions: c.questions.map((q) => ({
        ...q,
        options: [...q.options.filter((o) => o.correct), ...q.options.filter((o) => !o.correct)].map((o, i) => ({
          ...o,
          key: String.fromCharCode(97 + i),
          text: o.correct ? `${o.text}, which is what the theory chapter explains in detail with an example` : o.text,
        })),
      })),
    })),
  };
}

/** Every strategy's score per chapter and overall, for the failure messages. */
function scores(quiz: Quiz): string {
  return Object.entries(guessStrategies())
    .map(([name, s]) => {
      const r = gradeStrategy(quiz, s);
      return `  ${name}: ${r.chapters.map((c) => `${c.chapter} ${formatScore(c)}`).join(", ")}; overall ${formatScore(r.overall)}`;
    })
    .join("\n");
}

for (const quiz of quizzes) {
  for (const chapter of quiz.chapters) {
    test(`quiz ${quiz.number} ${chapter.chapter}: correct options are spread over positions and not the longest by habit`, () => {
      const b = chapterBalance(chapter);
      assert.deepEqual(b.problems, [], `${chapter.file}: ${b.problems.join("; ")}. Move correct options or reword options; keep the facts.`);
    });
  }

  test(`quiz ${quiz.number}: sheets filled in by position, by length or with every option fail in every chapter`, () => {
    for (const [name, strategy] of Object.entries(guessStrategies())) {
      const report = gradeStrategy(quiz, strategy);
      assert.equal(report.passed, false, `'${name}' passes quiz ${quiz.number}:\n${scores(quiz)}`);
      for (const c of report.chapters) {
        assert.ok(c.percent < PASS_PERCENT, `'${name}' scores ${formatScore(c)} in ${c.chapter}, at or above the pass mark:\n${scores(quiz)}`);
      }
    }
  });
}

test("the rules catch a quiz whose answer is always first and longest, and that quiz is passed by guessing", () => {
  const habit = withHabit(loadQuiz("34"));
  for (const chapter of habit.chapters) {
    const { problems } = chapterBalance(chapter);
    assert.ok(problems.some((p) => /single-choice answers are option 1/.test(p)), `${chapter.chapter}: ${problems.join("; ")}`);
    assert.ok(problems.some((p) => /longest option/.test(p)), `${chapter.chapter}: ${problems.join("; ")}`);
  }
  const strategies = guessStrategies();
  assert.equal(gradeStrategy(habit, strategies["option 1 (multiple: 2 from there)"]!).passed, true);
  assert.equal(gradeStrategy(habit, strategies["longest option (multiple: 2 longest)"]!).passed, true);
});

test("the quiz command grades a first-option answer sheet of quiz 34 as FAILED (exit 1)", () => {
  const quiz = loadQuiz("34");
  const answers = Object.fromEntries(quiz.chapters.flatMap((c) => c.questions.map((q) => [q.id, q.kind === "single" ? "a" : ["a", "b"]])));
  const file = join(mkdtempSync(join(tmpdir(), "quiz-habit-")), "first.json");
  writeFileSync(file, JSON.stringify({ quiz: 34, answers }));
  const res = spawnSync(process.execPath, ["--import", "tsx", "src/cli/quiz.ts", "34", "--answers", file, "--no-save"], { cwd: REPO_ROOT, encoding: "utf8" });
  assert.equal(res.status, 1, res.stdout + res.stderr);
  assert.match(res.stdout, /FAILED: \d+\.\d % is below the 70 % pass mark/);
});
