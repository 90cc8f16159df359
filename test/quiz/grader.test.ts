// Grading arithmetic: all-or-nothing per question, per-chapter and overall scores, and the 70 % pass mark.
import { test } from "node:test";
import assert from "node:assert/strict";
import { formatPercent, grade, isCorrect, isPass } from "../../src/quiz/index.ts";
import type { Quiz, QuizQuestion } from "../../src/quiz/index.ts";

function question(id: string, chapter: string, correct: string[], kind: "single" | "multiple" = "single"): QuizQuestion {
  const options = ["a", "b", "c"].map((key, i) => ({ key, text: `opt ${key}`, correct: correct.includes(key), explanation: "why", line: i + 1 }));
  return { id, kind, prompt: "?", options, theory: { href: "", file: "theory/00-x.md", slug: "x" }, chapter, file: "f.md", line: 1 };
}

function quizOf(perChapter: Record<string, number>): Quiz {
  return {
    number: "1",
    chapters: Object.entries(perChapter).map(([chapter, n]) => ({
      quiz: "1", chapter, title: chapter, theoryFile: "theory/00-x.md", file: `${chapter}.md`,
      questions: Array.from({ length: n }, (_, i) => question(`${chapter}-q${i}`, chapter, ["a"])),
    })),
  };
}

/** Answers the first `right` questions correctly ("a") and the rest wrongly ("b"). */
function answers(quiz: Quiz, right: number): Map<string, string[]> {
  const ids = quiz.chapters.flatMap((c) => c.questions.map((q) => q.id));
  return new Map(ids.map((id, i) => [id, [i < right ? "a" : "b"]]));
}

test("the pass mark is 70 %: 69.9 fails, 70 passes", () => {
  assert.equal(isPass(69.9), false);
  assert.equal(isPass(70), true);
  assert.equal(isPass(100), true);
});

test("7 of 10 passes exactly at the boundary, 6 of 10 fails", () => {
  const quiz = quizOf({ c0: 10 });
  assert.equal(grade(quiz, answers(quiz, 7)).passed, true);
  assert.equal(grade(quiz, answers(quiz, 6)).passed, false);
});

test("699 of 1000 (69.9 %) fails and prints as 69.9, never rounded up to 70", () => {
  const quiz = quizOf({ c0: 1000 });
  const report = grade(quiz, answers(quiz, 699));
  assert.equal(report.passed, false);
  assert.equal(formatPercent(report.overall.percent), "69.9 %");
  assert.equal(formatPercent(69.96), "69.9 %");
  assert.equal(grade(quiz, answers(quiz, 700)).passed, true);
});

test("per-chapter and overall scores", () => {
  const quiz = quizOf({ c0: 4, c1: 6 });
  // c0: all 4 right; c1: 3 of 6 right (ids are in chapter order, so the first 7 are right).
  const report = grade(quiz, answers(quiz, 7));
  assert.deepEqual(report.chapters.map((c) => [c.chapter, c.correct, c.total, c.percent]), [["c0", 4, 4, 100], ["c1", 3, 6, 50]]);
  assert.deepEqual([report.overall.correct, report.overall.total], [7, 10]);
  assert.equal(report.passed, true);
});

test("multiple choice is all-or-nothing; unanswered is wrong", () => {
  const q = question("m", "c0", ["a", "c"], "multiple");
  assert.equal(isCorrect(q, ["a", "c"]), true);
  assert.equal(isCorrect(q, ["c", "a"]), true);
  assert.equal(isCorrect(q, ["a"]), false);
  assert.equal(isCorrect(q, ["a", "b", "c"]), false);
  assert.equal(isCorrect(q, []), false);
  const quiz = quizOf({ c0: 3 });
  assert.equal(grade(quiz, new Map()).overall.correct, 0);
});
