// The learner's best result per quiz, kept in .progress/quiz.json at the repository root (git-ignored).
// Written atomically (temp file + rename); a corrupt file is reported, set aside and replaced, never a crash.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "./load-quiz.ts";
import { formatPercent } from "./grader.ts";
import type { GradeReport } from "./grader.ts";

export const DEFAULT_PROGRESS_FILE = join(REPO_ROOT, ".progress", "quiz.json");

export interface AttemptRecord {
  readonly at: string;
  readonly mode: "interactive" | "answers";
  readonly correct: number;
  readonly total: number;
  readonly percent: number;
  readonly passed: boolean;
  readonly chapters: Readonly<Record<string, { readonly correct: number; readonly total: number }>>;
}

export interface QuizProgress {
  readonly best: AttemptRecord;
  readonly last: AttemptRecord;
  readonly attempts: number;
}

export interface ProgressFile {
  readonly version: 1;
  readonly quizzes: Readonly<Record<string, QuizProgress>>;
}

export interface ProgressRead {
  readonly data: ProgressFile;
  /** Set when the file existed but could not be used; the runner prints it and carries on. */
  readonly warning: string | null;
}

const EMPTY: ProgressFile = { version: 1, quizzes: {} };

function isAttempt(v: unknown): v is AttemptRecord {
  const a = v as AttemptRecord | null;
  return typeof a === "object" && a !== null && typeof a.at === "string" && Number.isInteger(a.correct) &&
    Number.isInteger(a.total) && typeof a.percent === "number" && typeof a.passed === "boolean" &&
    typeof a.chapters === "object" && a.chapters !== null;
}

function validate(v: unknown): ProgressFile | null {
  const f = v as { version?: unknown; quizzes?: unknown } | null;
  if (typeof f !== "object" || f === null || f.version !== 1 || typeof f.quizzes !== "object" || f.quizzes === null) return null;
  for (const q of Object.values(f.quizzes as Record<string, unknown>)) {
    const p = q as QuizProgress | null;
    if (typeof p !== "object" || p === null || !isAttempt(p.best) || !isAttempt(p.last) || !Number.isInteger(p.attempts)) return null;
  }
  return v as ProgressFile;
}

/**
 * Reads the progress file. Missing → empty. Unreadable, not JSON or not the expected shape → the file is
 * renamed to <file>.corrupt (so nothing is silently lost), a warning is returned, and an empty store is used.
 */
export function readProgress(path: string = DEFAULT_PROGRESS_FILE): ProgressRead {
  if (!existsSync(path)) return { data: EMPTY, warning: null };
  let reason: string;
  try {
    const data = validate(JSON.parse(readFileSync(path, "utf8")));
    if (data) return { data, warning: null };
    reason = "it does not have the expected {version: 1, quizzes: {...}} shape";
  } catch (err) {
    reason = (err as Error).message.split("\n")[0] ?? "unreadable";
  }
  let moved = "";
  try {
    renameSync(path, `${path}.corrupt`);
    moved = ` It was moved to ${path}.corrupt`;
  } catch {
    moved = " It could not be moved aside";
  }
  return { data: EMPTY, warning: `The progress file ${path} was corrupt (${reason}).${moved} and a fresh one will be written.` };
}

/** Writes JSON so a crash or Ctrl-C mid-write leaves either the old file or the new one, never half of one. */
export function writeJsonAtomic(path: string, value: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    writeFileSync(tmp, `${JSON.stringify(value, null, 2)}\n`, { encoding: "utf8", flag: "wx" });
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

export function attemptFrom(report: GradeReport, mode: AttemptRecord["mode"], now: Date = new Date()): AttemptRecord {
  const chapters: Record<string, { correct: number; total: number }> = {};
  for (const c of report.chapters) chapters[c.chapter] = { correct: c.correct, total: c.total };
  const { correct, total, percent } = report.overall;
  return { at: now.toISOString(), mode, correct, total, percent, passed: report.passed, chapters };
}

/** What a recorded attempt did to the saved best: the first result, a higher score, or nothing. */
export type BestChange = "first" | "higher" | "kept";

export interface RecordOutcome {
  readonly best: AttemptRecord;
  /** The best before this attempt, or null when this was the first recorded result. */
  readonly previous: AttemptRecord | null;
  readonly change: BestChange;
  /** True when this attempt became the saved best (the first result, or a higher score). */
  readonly improved: boolean;
  /** Corrupt-file or write-failure notes to show the learner; saving never aborts the quiz. */
  readonly warnings: readonly string[];
}

/**
 * True when `a` beats `b`: a pass beats a fail, then the higher share of right answers wins. Compared in
 * integers (a/b > c/d as a·d > c·b) so a quiz that grew a question compares fairly; a tie keeps the earlier.
 */
export function beats(a: AttemptRecord, b: AttemptRecord): boolean {
  if (a.passed !== b.passed) return a.passed;
  return a.correct * b.total > b.correct * a.total;
}

/** Records a full attempt; the saved best changes only on the first result, a pass after fails, or a higher score. */
export function recordAttempt(quiz: string, attempt: AttemptRecord, path: string = DEFAULT_PROGRESS_FILE): RecordOutcome {
  const { data, warning } = readProgress(path);
  const warnings = warning ? [warning] : [];
  const stored = data.quizzes[quiz];
  const previous = stored?.best ?? null;
  const change: BestChange = previous === null ? "first" : beats(attempt, previous) ? "higher" : "kept";
  const best = change === "kept" ? previous! : attempt;
  const next: ProgressFile = {
    version: 1,
    quizzes: { ...data.quizzes, [quiz]: { best, last: attempt, attempts: (stored?.attempts ?? 0) + 1 } },
  };
  try {
    writeJsonAtomic(path, next);
  } catch (err) {
    warnings.push(`Could not save progress to ${path} (${(err as Error).message}); the result above is not recorded.`);
  }
  return { best, previous, change, improved: change !== "kept", warnings };
}

const verdict = (a: AttemptRecord): string => (a.passed ? "a pass" : "below the pass mark");
const pct = (a: AttemptRecord): string => formatPercent(a.percent);

/**
 * The line printed after a graded attempt. It says which kind of result was saved as the best (a pass or
 * only a higher score), and never calls a failing attempt a "new best" when it did not beat anything.
 */
export function describeRecord(quiz: string, outcome: RecordOutcome): string {
  const { best, previous } = outcome;
  switch (outcome.change) {
    case "first":
      return best.passed
        ? `Saved as your best for quiz ${quiz}: ${pct(best)}, a pass.`
        : `Saved as your first result for quiz ${quiz}: ${pct(best)}, below the pass mark; a higher score or a pass will replace it.`;
    case "higher":
      return best.passed
        ? `New best for quiz ${quiz}: ${pct(best)}, a pass (was ${pct(previous!)}, ${verdict(previous!)}).`
        : `Higher than your previous best (${pct(previous!)}): ${pct(best)} saved as your best for quiz ${quiz}, still below the pass mark.`;
    case "kept":
      return `Your best for quiz ${quiz} stays ${pct(best)}, ${verdict(best)} (${best.at.slice(0, 10)}); this attempt is kept as your last.`;
  }
}
