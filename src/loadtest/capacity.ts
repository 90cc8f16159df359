// The capacity ramp: fixed-rate steps of the request mix, each measured from the client, from
// GET /ready (queue depth, KV slots, twice a second) and from /metrics counters (tokens, cost). Lab 03.
import { runLoadTest } from "./driver.ts";
import type { LoadProgress } from "./driver-types.ts";
import type { MixEntry } from "./request-mix.ts";
import { checkReady } from "./target.ts";
import type { ReadyStats } from "./target.ts";

export interface RampOptions {
  readonly url: string;
  readonly rates: readonly number[];
  readonly stepS: number;
  readonly connections: number;
  readonly mix: readonly MixEntry[];
  readonly sloMs: number;
  /** Steps to run past the first one that breaks the SLO (the knee is found; more only hurts). */
  readonly stepsPastKnee: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (rate: number, p: LoadProgress) => void;
  readonly onStep?: (step: RampStep) => void;
}

export interface RampStep {
  readonly offeredRps: number;
  readonly sentRps: number;
  readonly achievedRps: number;
  readonly okRps: number;
  readonly latencyMs: { p50: number | null; p95: number | null; p99: number | null };
  readonly errors: number;
  readonly queueDepthMax: number;
  readonly queueDepthMean: number;
  readonly kvSlotsMax: number;
  readonly kvSlotsMean: number;
  readonly promptTokensPerS: number;
  readonly completionTokensPerS: number;
  /** Cost of the requests finished during the step, in euros (cost_per_request_eur_sum difference). */
  readonly costEur: number;
  readonly breaksSlo: boolean;
}

/** Counters from one /metrics scrape, summed over labels except `kind` and `stage`. */
export async function scrapeCounters(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5000) })).text();
  const out: Record<string, number> = {};
  for (const line of text.split("\n")) {
    const m = /^(tokens_total|cost_per_request_eur_sum|cost_per_request_eur_count|cost_stage_eur_total)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const label = /(?:kind|stage)="([^"]*)"/.exec(m[2] ?? "")?.[1];
    const key = label ? `${m[1]}:${label}` : m[1]!;
    out[key] = (out[key] ?? 0) + Number(m[3]);
  }
  return out;
}

/** Poll GET /ready every 500 ms until stopped: the saturation gauges at a finer grain than a scrape. */
function pollReady(url: string): { stop: () => Promise<ReadyStats[]> } {
  const samples: ReadyStats[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        samples.push(await checkReady(url, 2000));
      } catch {
        // An overloaded server may miss a poll; the other samples still count.
      }
      await new Promise((r) => setTimeout(r, 500));
    }
  })();
  return { stop: async () => { running = false; await loop; return samples; } };
}

/** Wait (bounded) until the engine is idle, so a step does not inherit the previous one's queue. */
async function waitIdle(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const s = await checkReady(url, 2000).catch(() => null);
    if (s && s.running === 0 && s.queueDepth === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

export async function runRamp(opts: RampOptions): Promise<RampStep[]> {
  const steps: RampStep[] = [];
  let past = -1;
  for (const rate of opts.rates) {
    if (opts.signal?.aborted || (past >= 0 && past >= opts.stepsPastKnee)) break;
    await waitIdle(opts.url, 60_000);
    const before = await scrapeCounters(opts.url);
    const poll = pollReady(opts.url);
    const c = await runLoadTest(
      { url: opts.url, rate, durationS: opts.stepS, connections: opts.connections, mix: opts.mix, graceS: 15, timeoutS: 30, skipReadyCheck: true, ...(opts.signal ? { signal: opts.signal } : {}) },
      { onProgress: (p) => opts.onProgress?.(rate, p) },
    );
    const samples = await poll.stop();
    const after = await scrapeCounters(opts.url);
    const d = (k: string) => (after[k] ?? 0) - (before[k] ?? 0);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, x) => a + x, 0) / xs.length : 0);
    const errors = c.counts.non2xx + c.counts.timeouts + c.counts.connectionErrors;
    const step: RampStep = {
      offeredRps: rate, sentRps: c.sentRps, achievedRps: c.achievedRps, okRps: c.okRps,
      latencyMs: { p50: c.latencyMs.p50, p95: c.latencyMs.p95, p99: c.latencyMs.p99 },
      errors,
      queueDepthMax: Math.max(0, ...samples.map((s) => s.queueDepth)),
      queueDepthMean: mean(samples.map((s) => s.queueDepth)),
      kvSlotsMax: Math.max(0, ...samples.map((s) => s.slotsUsed)),
      kvSlotsMean: mean(samples.map((s) => s.slotsUsed)),
      promptTokensPerS: d("tokens_total:prompt") / opts.stepS,
      completionTokensPerS: d("tokens_total:completion") / opts.stepS,
      costEur: d("cost_per_request_eur_sum"),
      breaksSlo: errors > 0 || (c.latencyMs.p95 ?? Infinity) > opts.sloMs || c.sentRps < rate * 0.9,
    };
    steps.push(step);
    opts.onStep?.(step);
    if (step.breaksSlo || past >= 0) past++;
  }
  return steps;
}
