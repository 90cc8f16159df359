// Checks that a quiz rewards reading: correct options spread over the positions and not the longest by
// habit, and answer sheets built from position or length alone fail. Run by test/quiz/option-balance.test.ts.
import { grade } from "./grader.ts";
import type { GradeReport } from "./grader.ts";
import type { AnswerSheet, Quiz, QuizChapter, QuizOption, QuizQuestion } from "./types.ts";

/** Positions 1..4 are compared; every question has at least four options except true/false-like ones. */
export const COMPARED_POSITIONS = 4;

/** The text a learner reads: inline-code backticks are not shown in a terminal, so they do not count. */
export function visibleLength(option: QuizOption): number {
  return option.text.replace(/`/g, "").length;
}

/** The option that is strictly longer than every other one, or null on a tie. */
export function strictlyLongest(question: QuizQuestion): QuizOption | null {
  const sorted = [...question.options].sort((a, b) => visibleLength(b) - visibleLength(a));
  const [first, second] = sorted;
  return first && (!second || visibleLength(first) > visibleLength(second)) ? first : null;
}

export interface ChapterBalance {
  readonly chapter: string;
  /** How many correct options (single and multiple choice) sit at positions 1..4 of the file. */
  readonly correctAt: readonly number[];
  /** How many single-choice answers sit at positions 1..4. */
  readonly singleAt: readonly number[];
  readonly singles: number;
  /** Single-choice questions whose correct option is strictly the longest. */
  readonly longestCorrect: number;
  /** What chance would give: the sum over single-choice questions of 1 / options. */
  readonly longestByChance: number;
  /** Each broken rule as a sentence; empty when the chapter is balanced. */
  readonly problems: readonly string[];
}

/**
 * The rules, per chapter:
 * - every correct option counted by its position in the file: positions 1–4 differ by at most 2;
 * - single-choice answers alone: no position holds more than ⌊singles / 4⌋ + 1 of them;
 * - the correct option of a single-choice question is strictly the longest in at most
 *   ⌊Σ 1/options⌋ + 1 questions (what chance would give, plus one).
 */
export function chapterBalance(chapter: QuizChapter): ChapterBalance {
  const correctAt = new Array<number>(COMPARED_POSITIONS).fill(0);
  const singleAt = new Array<number>(COMPARED_POSITIONS).fill(0);
  let singles = 0;
  let longestCorrect = 0;
  let longestByChance = 0;
  for (const q of chapter.questions) {
    q.options.forEach((o, i) => {
      if (o.correct && i < COMPARED_POSITIONS) correctAt[i]!++;
    });
    if (q.kind !== "single") continue;
    singles++;
    longestByChance += 1 / q.options.length;
    const at = q.options.findIndex((o) => o.correct);
    if (at < COMPARED_POSITIONS) singleAt[at]!++;
    if (strictlyLongest(q)?.correct) longestCorrect++;
  }
  const problems: string[] = [];
  const spread = Math.max(...correctAt) - Math.min(...correctAt);
  if (spread > 2) problems.push(`correct options by position 1–4 are ${correctAt.join("/")}: they differ by ${spread}, at most 2 allowed`);
  const singleCap = Math.floor(singles / COMPARED_POSITIONS) + 1;
  singleAt.forEach((n, i) => {
    if (n > singleCap) problems.push(`${n} of ${singles} single-choice answers are option ${i + 1}; at most ${singleCap} allowed`);
  });
  const longestCap = Math.floor(longestByChance + 1e-9) + 1;
  if (longestCorrect > longestCap) {
    problems.push(`the answer is the longest option in ${longestCorrect} of ${singles} single-choice questions; at most ${longestCap} allowed`);
  }
  return { chapter: chapter.chapter, correctAt, singleAt, singles, longestCorrect, longestByChance, problems };
}

/** Picks option keys for one question without reading it: the strategies a guesser would use. */
export type GuessStrategy = (question: QuizQuestion) => readonly string[];

const keysOf = (options: readonly QuizOption[]): string[] => options.map((o) => o.key);
const byLength = (q: QuizQuestion): QuizOption[] => [...q.options].sort((a, b) => visibleLength(b) - visibleLength(a));

/** Sheets of habit: by position, by length, or everything. `multiple` takes that many options. */
export function guessStrategies(): Readonly<Record<string, GuessStrategy>> {
  const strategies: Record<string, GuessStrategy> = {};
  for (let p = 0; p < COMPARED_POSITIONS; p++) {
    for (const take of [1, 2, 3]) {
      strategies[`option ${p + 1} (multiple: ${take} from there)`] = (q) =>
        q.kind === "single" ? keysOf(q.options.slice(p, p + 1)) : keysOf(q.options.slice(p, p + take));
    }
  }
  strategies["last option (multiple: last two)"] = (q) => keysOf(q.options.slice(q.kind === "single" ? -1 : -2));
  for (const take of [1, 2, 3]) {
    strategies[`longest option (multiple: ${take} longest)`] = (q) => keysOf(byLength(q).slice(0, q.kind === "single" ? 1 : take));
  }
  strategies["longest option (multiple: those longer than average)"] = (q) => {
    if (q.kind === "single") return keysOf(byLength(q).slice(0, 1));
    const mean = q.options.reduce((s, o) => s + visibleLength(o), 0) / q.options.length;
    return keysOf(q.options.filter((o) => visibleLength(o) > mean));
  };
  for (const take of [1, 2]) {
    strategies[`shortest option (multiple: ${take} shortest)`] = (q) => keysOf(byLength(q).reverse().slice(0, q.kind === "single" ? 1 : take));
  }
  strategies["all options"] = (q) => keysOf(q.options);
  strategies["all options of multiple choice, longest of single"] = (q) => (q.kind === "single" ? keysOf(byLength(q).slice(0, 1)) : keysOf(q.options));
  return strategies;
}

/** The answer sheet a strategy fills in for the whole quiz, graded by the real grader. */
export function gradeStrategy(quiz: Quiz, strategy: GuessStrategy): GradeReport {
  const sheet: AnswerSheet = new Map(quiz.chapters.flatMap((c) => c.questions.map((q) => [q.id, strategy(q)] as const)));
  return grade(quiz, sheet);
}
