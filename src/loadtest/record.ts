// One recorded load test, start to finish: check the target, build the mix, run, read Prometheus
// for the same window, write results.json, server-metrics.json and summary.md. The CLI and lab 03 call it.
import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer } from "../engine/tokenizer.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import { runLoadTest } from "./driver.ts";
import type { LoadTestHooks } from "./driver-types.ts";
import { buildRequestMix, describeMix } from "./request-mix.ts";
import { buildResults } from "./results.ts";
import type { LoadTestResults } from "./results.ts";
import { SCRAPE_SETTLE_S, readServerMetrics } from "./server-metrics.ts";
import type { ServerMetrics } from "./server-metrics.ts";
import { renderSummary } from "./summary.ts";
import { checkReady } from "./target.ts";

export const DEFAULT_OUT_DIR = join(REPO_ROOT, "experiments", "34-load-test");

export interface RecordOptions {
  readonly url: string;
  readonly rate: number;
  readonly durationS: number;
  readonly connections: number;
  /** Prometheus base URL; null skips the server view. */
  readonly prometheusUrl: string | null;
  readonly outDir: string;
  readonly seed: number;
  readonly mixSize: number;
  readonly fixedLength: boolean;
  readonly timeoutS?: number;
  readonly graceS?: number;
  readonly renderDashboard?: boolean;
  readonly signal?: AbortSignal;
}

export interface RecordHooks extends LoadTestHooks {
  /** Status lines between phases ("waiting for the last scrape…"). */
  readonly onStatus?: (line: string) => void;
}

export interface RecordedRun {
  readonly dir: string;
  readonly results: LoadTestResults;
  readonly server: ServerMetrics | null;
  readonly summary: string;
}

const sleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve) => {
  const t = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => { clearTimeout(t); resolve(); }, { once: true });
});

/** Render the dashboard with the dashboard renderer when this checkout has it; never fails the run. */
function renderDashboardInto(dir: string, prometheusUrl: string | null, minutes: number): { file?: string; note: string } {
  const probe = spawnSync("npm", ["pkg", "get", "scripts.render-dashboard"], { cwd: REPO_ROOT, encoding: "utf8", timeout: 15_000 });
  if (probe.status !== 0 || probe.stdout.trim() === "{}" || probe.stdout.trim() === "") {
    return { note: "this checkout has no `npm run render-dashboard` yet; render it later with `npm run render-dashboard -- --out " + join(dir, "dashboard.png") + "`" };
  }
  const file = "dashboard.png";
  // The same Prometheus the summary read, over a window that covers the whole run.
  const args = ["--out", join(dir, file), "--minutes", String(minutes), ...(prometheusUrl ? ["--prometheus", prometheusUrl] : [])];
  const run = spawnSync("npm", ["run", "--silent", "render-dashboard", "--", ...args], { cwd: REPO_ROOT, encoding: "utf8", timeout: 180_000 });
  if (run.status !== 0) return { note: `\`npm run render-dashboard\` failed (exit ${run.status ?? "timeout"}): ${(run.stderr || run.stdout).trim().split("\n").slice(-2).join(" ")}` };
  return { file, note: "rendered" };
}

export async function recordLoadTest(opts: RecordOptions, hooks: RecordHooks = {}): Promise<RecordedRun> {
  const ready = await checkReady(opts.url);
  const tokenizer = Tokenizer.fromFile(join(REPO_ROOT, "model", "tokenizer.json"));
  const mix = buildRequestMix(tokenizer, { size: opts.mixSize, seed: opts.seed, model: ready.model, fixedLength: opts.fixedLength });
  const timeoutS = opts.timeoutS ?? 30, graceS = opts.graceS ?? 30;
  const client = await runLoadTest(
    { url: opts.url, rate: opts.rate, durationS: opts.durationS, connections: opts.connections, mix, timeoutS, graceS, skipReadyCheck: true, ...(opts.signal ? { signal: opts.signal } : {}) },
    hooks,
  );
  const results = buildResults(
    client,
    { url: opts.url, rate: opts.rate, durationS: opts.durationS, connections: opts.connections, timeoutS, graceS, seed: opts.seed, mixSize: opts.mixSize, fixedLength: opts.fixedLength },
    { url: opts.url, model: ready.model, kvSlots: ready.slotsTotal, queueCapacity: ready.queueCapacity, ...(ready.modelSha256 ? { modelSha256: ready.modelSha256 } : {}) },
    describeMix(mix),
  );
  const dir = join(opts.outDir, results.runId);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "results.json"), JSON.stringify(results, null, 2) + "\n");

  let server: ServerMetrics | null = null;
  let prometheusError: string | undefined;
  if (opts.prometheusUrl === null) prometheusError = "not asked for (--prometheus none)";
  else {
    // The answers of the last second reach Prometheus with its next scrape: wait for it.
    hooks.onStatus?.(`waiting ${SCRAPE_SETTLE_S} s for Prometheus to scrape the end of the run…`);
    await sleep(SCRAPE_SETTLE_S * 1000 + 500, opts.signal);
    try {
      server = await readServerMetrics(opts.prometheusUrl, results.startedAtMs, results.endedAtMs);
      writeFileSync(join(dir, "server-metrics.json"), JSON.stringify(server, null, 2) + "\n");
    } catch (err) {
      prometheusError = (err as Error).message;
    }
  }
  let dashboard: { file?: string; note?: string } | undefined;
  if (opts.renderDashboard) {
    hooks.onStatus?.("rendering the dashboard…");
    dashboard = renderDashboardInto(dir, opts.prometheusUrl ?? null, Math.max(5, Math.ceil(opts.durationS / 60) + 10));
  }
  const summary = renderSummary(results, server, { ...(prometheusError ? { prometheusError } : {}), ...(dashboard ? { dashboard } : {}) });
  writeFileSync(join(dir, "summary.md"), summary);
  return { dir, results, server, summary };
}
