// Runs one lab's stop conditions (all, or those named by --only) in a managed environment, formats
// them with ✔/✘ (cause and next step under each ✘) and records whose code passed for `npm run progress`.
import { MiniserveError } from "../errors/codes.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import type { CheckResult, LabChecks, StopCondition } from "./check-types.ts";
import { createCheckEnv } from "./check-env.ts";
import type { CheckEnvOptions } from "./check-env.ts";
import { LAB00_CHECKS } from "./checks-00.ts";
import { LAB01_CHECKS } from "./checks-01.ts";
import { LAB02_CHECKS } from "./checks-02.ts";
import { LAB03_CHECKS } from "./checks-03.ts";
import { findLab } from "./lab-catalogue.ts";
import type { LabId } from "./lab-catalogue.ts";
import { labStartedAt, recordLabRun } from "./lab-progress.ts";
import type { CodeOwner } from "./lab-progress.ts";
import { codeOwner } from "./lab-switcher.ts";

export const LAB_CHECKS: Readonly<Record<LabId, LabChecks>> = { "00": LAB00_CHECKS, "01": LAB01_CHECKS, "02": LAB02_CHECKS, "03": LAB03_CHECKS };

export interface RunChecksOptions extends CheckEnvOptions {
  /** Write .progress/labs.json (default true; never for a partial run). */
  readonly record?: boolean;
  /** Check only these conditions (ids with or without the "NN." prefix). */
  readonly only?: readonly string[];
  /** Receives the environment's close(), so a CLI can stop what was started when interrupted. */
  readonly onClose?: (close: () => Promise<void>) => void;
}

/** The lab's conditions named by `only` (all of them when it is empty); unknown names are an error. */
export function selectConditions(lab: LabId, only: readonly string[] = []): StopCondition[] {
  const all = LAB_CHECKS[lab];
  if (only.length === 0) return [...all];
  const wanted = only.map((o) => (o.includes(".") ? o : `${lab}.${o}`));
  const unknown = wanted.filter((w) => !all.some((c) => c.id === w));
  if (unknown.length > 0) {
    throw new MiniserveError("MSV_ERR_LAB_USAGE", `lab ${lab} has no stop condition ${unknown.join(", ")}; its conditions are ${all.map((c) => c.id.slice(3)).join(", ")}`);
  }
  return all.filter((c) => wanted.includes(c.id));
}

export interface LabCheckReport {
  readonly results: readonly CheckResult[];
  /** Whose code was checked: only "learner" makes a passing lab the learner's (npm run progress). */
  readonly code: CodeOwner;
}

/** Each selected condition in order; an unexpected error fails that condition, never the run. */
export async function runLabChecks(lab: LabId, opts: RunChecksOptions = {}): Promise<LabCheckReport> {
  const conditions = selectConditions(lab, opts.only);
  const env = createCheckEnv(opts);
  opts.onClose?.(env.close);
  const results: CheckResult[] = [];
  // Whose code is checked is read before anything runs: the progress record must not credit
  // the learner for files that changed while the checks ran.
  const code = codeOwner(REPO_ROOT, findLab(lab)!, labStartedAt(lab));
  try {
    for (const c of conditions) {
      try {
        results.push(await c.check(env));
      } catch (err) {
        results.push({
          id: c.id, title: c.title, ok: false, detail: (err as Error).message.split("\n").slice(0, 3).join(" "),
          cause: "Something this check needs did not start or answer (the message says what).",
          next: `npm run serve (read its output), then npm run check-lab ${lab}`,
        });
      }
    }
  } finally {
    await env.close();
  }
  if (opts.record !== false && conditions.length === LAB_CHECKS[lab].length) {
    try {
      recordLabRun(lab, results, code);
    } catch {
      // progress is a convenience: a read-only checkout still gets its check results
    }
  }
  return { results, code };
}

const OWNER_NOTE: Record<CodeOwner, (lab: LabId) => string> = {
  learner: (lab) => `lab ${lab} is done, with your code`,
  none: (lab) => `lab ${lab} is done`,
  reference: (lab) => `they pass on the shipped reference solution, not on your code: npm run lab -- start ${lab} to do lab ${lab} yourself`,
  starter: (lab) => `the files are the untouched starter of lab ${lab}`,
  modified: (lab) => `they pass on edited reference files; only code written from the starter counts as yours: npm run lab -- start ${lab}`,
};

/** One line per check, and for each ✘ its likely cause and what to run next. */
export function formatResults(lab: LabId, results: readonly CheckResult[], code: CodeOwner = "learner"): string {
  const lines = [`lab ${lab} stop conditions:`];
  for (const r of results) {
    lines.push(`${r.ok ? "✔" : "✘"} ${r.title}`);
    lines.push(`    ${r.detail}`);
    if (!r.ok) {
      if (r.cause) lines.push(`    likely cause: ${r.cause}`);
      if (r.next) lines.push(`    next: ${r.next}`);
    }
  }
  const passed = results.filter((r) => r.ok).length;
  const all = results.length === LAB_CHECKS[lab].length;
  if (passed < results.length) lines.push(`${passed}/${results.length} pass`);
  else if (!all) lines.push(`${passed}/${results.length} selected stop conditions pass (run without --only for the whole lab)`);
  else lines.push(`all ${results.length} stop conditions pass: ${OWNER_NOTE[code](lab)}`);
  return lines.join("\n");
}

/**
 * Watch mode's view: the conditions that pass, then only the next failing one with its detail,
 * cause and next step (one thing to fix at a time), and how many more fail after it.
 */
export function formatNext(lab: LabId, results: readonly CheckResult[], code: CodeOwner = "learner"): string {
  const failing = results.filter((r) => !r.ok);
  if (failing.length === 0) return formatResults(lab, results, code);
  const next = failing[0]!;
  const lines = [`lab ${lab}: ${results.length - failing.length}/${results.length} stop conditions pass`];
  for (const r of results) if (r.ok) lines.push(`✔ ${r.title}`);
  lines.push(`✘ ${next.title}`, `    ${next.detail}`);
  if (next.cause) lines.push(`    likely cause: ${next.cause}`);
  if (next.next) lines.push(`    next: ${next.next}`);
  if (failing.length > 1) lines.push(`… and ${failing.length - 1} more after this one: ${failing.slice(1).map((r) => r.id).join(", ")}`);
  return lines.join("\n");
}
