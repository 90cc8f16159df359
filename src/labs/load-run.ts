// Lab 03's load-test stop condition: a ≥ 100 RPS, 300 s run under experiments/34-load-test/ made by
// the learner — recorded after `npm run lab -- start 03`, answered at the rate it offered, with its
// dashboard image and cost numbers, and committed. The workbook's own committed run never counts.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { validateResults } from "../loadtest/results.ts";
import type { LoadTestResults } from "../loadtest/results.ts";

export const RUN_DIR = "experiments/34-load-test";
export const RUN_COMMAND = "npm run loadtest -- --rate 100 --duration 300 --render-dashboard";
/** The lab's bar: offered rate, duration, and the share of the offered rate answered OK. */
export const RUN_BAR = { rate: 100, durationS: 300, answeredShare: 0.98 } as const;

export interface LoadRun {
  readonly runId: string;
  readonly dir: string;
  readonly startedAtMs: number;
  readonly rate: number;
  readonly durationS: number;
  readonly okRps: number;
  readonly errors: number;
  readonly image: boolean;
  /** Cost per 1k output tokens over the run (total ÷ tokens × 1000) and its p95 over requests. */
  readonly costPer1kMeanEur: number | null;
  readonly costPer1kP95Eur: number | null;
  readonly committed: boolean;
  /** What keeps the run from meeting the bar (empty: it meets it). */
  readonly problems: readonly string[];
}

function tracked(repoRoot: string, path: string): boolean {
  return spawnSync("git", ["ls-files", "--error-unmatch", path], { cwd: repoRoot, encoding: "utf8" }).status === 0;
}

function serverCost(dir: string): { mean: number | null; p95: number | null } {
  try {
    const r = (JSON.parse(readFileSync(join(dir, "server-metrics.json"), "utf8")) as { results: Record<string, { value: number | null }> }).results;
    const sum = r["costSum"]?.value ?? null;
    const tokens = r["tokens"]?.value ?? null;
    return { mean: sum !== null && tokens ? (sum / tokens) * 1000 : null, p95: r["costPer1kP95"]?.value ?? null };
  } catch {
    return { mean: null, p95: null };
  }
}

/** Every run folder with a valid results.json, oldest first, each judged against the bar. */
export function listLoadRuns(repoRoot: string, startedAt: Date | null): LoadRun[] {
  const root = join(repoRoot, RUN_DIR);
  if (!existsSync(root)) return [];
  const runs: LoadRun[] = [];
  for (const name of readdirSync(root).sort()) {
    const file = join(root, name, "results.json");
    if (!existsSync(file)) continue;
    let results: LoadTestResults;
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
      if (validateResults(parsed).length > 0) continue;
      results = parsed as LoadTestResults;
    } catch {
      continue;
    }
    const dir = `${RUN_DIR}/${name}`;
    const c = results.client;
    const errors = c.counts.non2xx + c.counts.timeouts + c.counts.connectionErrors;
    const cost = serverCost(join(root, name));
    const image = existsSync(join(root, name, "dashboard.png"));
    const committed = tracked(repoRoot, `${dir}/results.json`) && (!image || tracked(repoRoot, `${dir}/dashboard.png`));
    const problems: string[] = [];
    if (startedAt === null) problems.push("you have not started lab 03 from its starter (npm run lab -- start 03), so no run is yours yet");
    else if (results.startedAtMs < startedAt.getTime()) problems.push(`it was made at ${new Date(results.startedAtMs).toISOString().slice(0, 16)}, before you started lab 03 (${startedAt.toISOString().slice(0, 16)})`);
    if (results.options.rate < RUN_BAR.rate) problems.push(`it offered ${results.options.rate} req/s, below ${RUN_BAR.rate}`);
    if (results.options.durationS < RUN_BAR.durationS) problems.push(`it lasted ${results.options.durationS} s, below ${RUN_BAR.durationS}`);
    if (c.okRps < RUN_BAR.answeredShare * results.options.rate) problems.push(`only ${c.okRps.toFixed(1)} req/s were answered OK, below ${RUN_BAR.answeredShare * 100} % of the ${results.options.rate} offered`);
    if (!image) problems.push("it has no dashboard.png");
    if (cost.mean === null || cost.p95 === null) problems.push("it has no cost per 1k output tokens (Prometheus was not read during the run)");
    if (!committed) problems.push("it is not committed");
    runs.push({ runId: results.runId, dir, startedAtMs: results.startedAtMs, rate: results.options.rate, durationS: results.options.durationS, okRps: c.okRps, errors, image, costPer1kMeanEur: cost.mean, costPer1kP95Eur: cost.p95, committed, problems });
  }
  return runs;
}
