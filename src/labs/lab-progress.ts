// Each lab's last check-lab result, kept in .progress/labs.json (git-ignored) next to the quiz's
// .progress/quiz.json; `npm run progress` reads both.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { writeJsonAtomic } from "../quiz/progress-store.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import type { CheckResult } from "./check-types.ts";

export const LAB_PROGRESS_FILE = join(REPO_ROOT, ".progress", "labs.json");

export interface LabRun {
  readonly at: string;
  readonly passed: number;
  readonly total: number;
  readonly ok: boolean;
  readonly failing: readonly string[];
}

export interface LabProgressFile {
  readonly version: 1;
  readonly labs: Readonly<Record<string, LabRun>>;
}

/** Missing or unreadable → empty: progress is a convenience and never blocks a check. */
export function readLabProgress(path: string = LAB_PROGRESS_FILE): LabProgressFile {
  if (!existsSync(path)) return { version: 1, labs: {} };
  try {
    const data = JSON.parse(readFileSync(path, "utf8")) as LabProgressFile;
    if (data.version === 1 && typeof data.labs === "object" && data.labs !== null) return data;
  } catch {
    // fall through: a corrupt file is replaced by the next record
  }
  return { version: 1, labs: {} };
}

export function recordLabRun(labId: string, results: readonly CheckResult[], path: string = LAB_PROGRESS_FILE, now = new Date()): LabRun {
  const run: LabRun = {
    at: now.toISOString(),
    passed: results.filter((r) => r.ok).length,
    total: results.length,
    ok: results.every((r) => r.ok),
    failing: results.filter((r) => !r.ok).map((r) => r.id),
  };
  const data = readLabProgress(path);
  writeJsonAtomic(path, { version: 1, labs: { ...data.labs, [labId]: run } } satisfies LabProgressFile);
  return run;
}
