// Runs one lab's stop-condition checks in a managed environment, formats them with ✔/✘ (cause and
// next step under each ✘) and records the result for `npm run progress`. check-lab and notebooks use it.
import type { CheckResult, LabChecks } from "./check-types.ts";
import { createCheckEnv } from "./check-env.ts";
import type { CheckEnvOptions } from "./check-env.ts";
import { checkLab00 } from "./checks-00.ts";
import { checkLab01 } from "./checks-01.ts";
import { checkLab02 } from "./checks-02.ts";
import { checkLab03 } from "./checks-03.ts";
import type { LabId } from "./lab-catalogue.ts";
import { recordLabRun } from "./lab-progress.ts";

export const LAB_CHECKS: Readonly<Record<LabId, LabChecks>> = { "00": checkLab00, "01": checkLab01, "02": checkLab02, "03": checkLab03 };

export interface RunChecksOptions extends CheckEnvOptions {
  /** Write .progress/labs.json (default true). */
  readonly record?: boolean;
  /** Receives the environment's close(), so a CLI can stop what was started when interrupted. */
  readonly onClose?: (close: () => Promise<void>) => void;
}

/** Every check of the lab; an unexpected error becomes one failed check, never a crash. */
export async function runLabChecks(lab: LabId, opts: RunChecksOptions = {}): Promise<CheckResult[]> {
  const env = createCheckEnv(opts);
  opts.onClose?.(env.close);
  let results: CheckResult[];
  try {
    results = await LAB_CHECKS[lab](env);
  } catch (err) {
    results = [{
      id: `${lab}.run`, title: "the checks could run", ok: false, detail: (err as Error).message.split("\n").slice(0, 3).join(" "),
      cause: "Something the checks need did not start (the message says what).", next: "npm run serve (read its output), then npm run check-lab " + lab,
    }];
  } finally {
    await env.close();
  }
  if (opts.record !== false) {
    try {
      recordLabRun(lab, results);
    } catch {
      // progress is a convenience: a read-only checkout still gets its check results
    }
  }
  return results;
}

/** One line per check, and for each ✘ its likely cause and what to run next. */
export function formatResults(lab: LabId, results: readonly CheckResult[]): string {
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
  lines.push(passed === results.length ? `all ${results.length} stop conditions pass: lab ${lab} is done` : `${passed}/${results.length} pass`);
  return lines.join("\n");
}
