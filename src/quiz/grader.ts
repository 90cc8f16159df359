// Grades an answer sheet: per question, per chapter and overall, with the pass mark at 70 % overall.
// Shared by the interactive runner and the --answers mode, so both score a quiz exactly the same way.
import { allQuestions } from "./types.ts";
import type { AnswerSheet, Quiz, QuizQuestion } from "./types.ts";

/** A quiz is passed at 70 % of all its questions or more; chapters are reported but not gated. */
export const PASS_PERCENT = 70;

export interface QuestionResult {
  readonly question: QuizQuestion;
  /** Option keys the learner chose (empty when the question was not answered). */
  readonly chosen: readonly string[];
  readonly correct: boolean;
}

export interface ScoreLine {
  readonly correct: number;
  readonly total: number;
  /** 0–100, unrounded; format it for display only. */
  readonly percent: number;
}

export interface ChapterScore extends ScoreLine {
  readonly chapter: string;
  readonly title: string;
}

export interface GradeReport {
  readonly quiz: string;
  readonly results: readonly QuestionResult[];
  readonly chapters: readonly ChapterScore[];
  readonly overall: ScoreLine;
  readonly passed: boolean;
}

export function isPass(percent: number): boolean {
  return percent >= PASS_PERCENT;
}

/**
 * All-or-nothing: a question scores 1 only when the chosen set equals the correct set exactly.
 * Partial credit would reward ticking every box of a multiple-choice question; this rule does not.
 */
export function isCorrect(question: QuizQuestion, chosen: readonly string[]): boolean {
  const want = new Set(question.options.filter((o) => o.correct).map((o) => o.key));
  const got = new Set(chosen);
  return want.size === got.size && [...want].every((k) => got.has(k));
}

function score(correct: number, total: number): ScoreLine {
  return { correct, total, percent: total === 0 ? 0 : (correct / total) * 100 };
}

/** Grades `questions` (default: the whole quiz); unanswered questions count as wrong. */
export function grade(quiz: Quiz, answers: AnswerSheet, questions: readonly QuizQuestion[] = allQuestions(quiz)): GradeReport {
  const results = questions.map((question) => {
    const chosen = answers.get(question.id) ?? [];
    return { question, chosen, correct: isCorrect(question, chosen) };
  });
  const chapters: ChapterScore[] = [];
  for (const c of quiz.chapters) {
    const mine = results.filter((r) => r.question.chapter === c.chapter);
    if (mine.length === 0) continue;
    chapters.push({ chapter: c.chapter, title: c.title, ...score(mine.filter((r) => r.correct).length, mine.length) });
  }
  const right = results.filter((r) => r.correct).length;
  const overall = score(right, results.length);
  // Compare in integers so 7/10 is exactly a pass, whatever floating point does to 0.7 * 100.
  const passed = results.length > 0 && right * 100 >= PASS_PERCENT * results.length;
  return { quiz: quiz.number, results, chapters, overall, passed };
}

/** One decimal, rounded down, so a score just under the pass mark never prints as "70.0". */
export function formatPercent(percent: number): string {
  return `${(Math.floor(percent * 10 + 1e-9) / 10).toFixed(1)} %`;
}

/** "7/10 (70.0 %)" */
export function formatScore(s: ScoreLine): string {
  return `${s.correct}/${s.total} (${formatPercent(s.percent)})`;
}

/** The per-chapter table and verdict printed at the end of both modes. */
export function formatReport(report: GradeReport): string {
  const width = Math.max(...report.chapters.map((c) => c.chapter.length), "overall".length);
  const lines = [`Quiz ${report.quiz}: score per chapter`];
  for (const c of report.chapters) lines.push(`  ${c.chapter.padEnd(width)}  ${formatScore(c)}  ${c.title}`);
  lines.push(`  ${"overall".padEnd(width)}  ${formatScore(report.overall)}`);
  lines.push(
    report.passed
      ? `PASSED: ${formatPercent(report.overall.percent)} is at or above the ${PASS_PERCENT} % pass mark.`
      : `FAILED: ${formatPercent(report.overall.percent)} is below the ${PASS_PERCENT} % pass mark; reread the linked theory sections and try again.`,
  );
  return lines.join("\n");
}
