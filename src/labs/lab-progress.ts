// Each lab's last check-lab result and when the learner started it (`npm run lab -- start NN`), kept
// in .progress/labs.json (git-ignored) next to the quiz's .progress/quiz.json; `npm run progress` reads both.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../quiz/progress-store.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import type { CheckResult } from "./check-types.ts";

export const LAB_PROGRESS_FILE = join(REPO_ROOT, ".progress", "labs.json");

/**
 * Whose code a check ran on: the shipped reference, the untouched starter, the learner's own
 * (started from the starter and changed since), the reference edited without starting the lab, or
 * none (lab 00 has no code).
 */
export type CodeOwner = "reference" | "starter" | "learner" | "modified" | "none";

export interface LabRun {
  readonly at: string;
  readonly passed: number;
  readonly total: number;
  readonly ok: boolean;
  readonly failing: readonly string[];
  /** Missing in files written before it was recorded: read as "reference" (never the learner's). */
  readonly code?: CodeOwner;
}

export interface LabProgressFile {
  readonly version: 1;
  readonly labs: Readonly<Record<string, LabRun>>;
  /** When `npm run lab -- start NN` last wrote the starter, per lab (ISO time). */
  readonly started?: Readonly<Record<string, string>>;
}

const EMPTY: LabProgressFile = { version: 1, labs: {}, started: {} };

/** Missing or unreadable → empty: progress is a convenience and never blocks a check. */
export function readLabProgress(path: string = LAB_PROGRESS_FILE): LabProgressFile {
  if (!existsSync(path)) return EMPTY;
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as LabProgressFile;
    if (data.version === 1 && typeof data.labs === "object" && data.labs !== null) {
      const started = typeof data.started === "object" && data.started !== null ? data.started : {};
      return { version: 1, labs: data.labs, started };
    }
  } catch {
    // fall through: a corrupt file is replaced by the next record
  }
  return EMPTY;
}

export function recordLabRun(labId: string, results: readonly CheckResult[], code: CodeOwner, path: string = LAB_PROGRESS_FILE, now = new Date()): LabRun {
  const run: LabRun = {
    at: now.toISOString(),
    passed: results.filter((r) => r.ok).length,
    total: results.length,
    ok: results.length > 0 && results.every((r) => r.ok),
    failing: results.filter((r) => !r.ok).map((r) => r.id),
    code,
  };
  const data = readLabProgress(path);
  writeJsonAtomic(path, { ...data, labs: { ...data.labs, [labId]: run } } satisfies LabProgressFile);
  return run;
}

/** `npm run lab -- start NN` wrote the starter: the learner's work on the lab begins now. */
export function recordLabStart(labId: string, path: string = LAB_PROGRESS_FILE, now = new Date()): void {
  const data = readLabProgress(path);
  writeJsonAtomic(path, { ...data, started: { ...data.started, [labId]: now.toISOString() } } satisfies LabProgressFile);
}

/** When the learner last started the lab from its starter; null when they never did. */
export function labStartedAt(labId: string, path: string = LAB_PROGRESS_FILE): Date | null {
  const iso = readLabProgress(path).started?.[labId];
  const at = iso ? new Date(iso) : null;
  return at && Number.isFinite(at.getTime()) ? at : null;
}

/**
 * A lab is the learner's and done only when its last check passed on their own code; the shipped
 * reference passing is "reference", never done. Lab 00 has no code: its passing check is enough.
 */
export function labDone(run: LabRun | undefined): boolean {
  if (!run?.ok) return false;
  return run.code === "learner" || run.code === "none";
}
