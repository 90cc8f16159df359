// summary.md of a load test: the client's view beside the server's own metrics for the same
// window. A pure function of results.json and the recorded Prometheus answers (lab 03).
import { PANELS, ROWS } from "../dashboard/index.ts";
import { COST_PER_1K_TOKENS_BUCKETS_EUR, COST_PER_REQUEST_BUCKETS_EUR } from "../observability/catalogue.ts";
import { locateQuantile } from "../observability/histogram-quantile.ts";
import type { LoadTestResults } from "./results.ts";
import type { ServerMetrics } from "./server-metrics.ts";
import { quantileSection } from "./summary-quantiles.ts";
import type { Quantiles, ServerQuantiles } from "./summary-quantiles.ts";

/** The server-side numbers the summary prints, derived from the recorded query results. */
export interface ServerView extends ServerQuantiles {
  readonly requests: number | null;
  readonly requestRate: number | null;
  readonly errorRatio: number | null;
  readonly promptTokensPerS: number | null;
  readonly completionTokensPerS: number | null;
  /** Total cost of the window ÷ output tokens of the window × 1000 (token-weighted; the headline). */
  readonly costPer1kMeanEur: number | null;
  /** p95 over requests of each request's own cost per 1000 output tokens (from the histogram). */
  readonly costPer1kP95Eur: number | null;
  /** Mean over requests of each request's own cost per 1000 output tokens (the dashboard's "mean"). */
  readonly costPer1kPerRequestMeanEur: number | null;
  readonly costPerRequestEur: { mean: number | null; p50: number | null; p95: number | null };
  readonly totalCostEur: number | null;
  readonly stages: readonly { stage: string; eur: number; share: number }[];
  readonly costViolations: number | null;
  readonly queueDepthMax: number | null;
  readonly kvSlotsMax: number | null;
  readonly kvSlotsCapacity: number | null;
  readonly meanDecodeBatch: number | null;
}

const div = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a === null || a === undefined || b === null || b === undefined || b === 0 ? null : a / b;
const times = (a: number | null, k: number): number | null => (a === null ? null : a * k);

export function serverView(results: LoadTestResults, server: ServerMetrics): ServerView {
  const v = (name: string) => server.results[name]?.value ?? null;
  const by = (name: string) => server.results[name]?.byLabel ?? {};
  const seconds = results.options.durationS;
  const tokens = by("tokens");
  const completion = tokens["completion"] ?? null;
  const stageEur = by("costByStage");
  const stageTotal = Object.values(stageEur).reduce((a, x) => a + x, 0);
  const msOf = (prefix: string): Quantiles => ({ p50: times(v(`${prefix}P50`), 1000), p95: times(v(`${prefix}P95`), 1000), p99: times(v(`${prefix}P99`), 1000) });
  return {
    requests: v("requests"),
    requestRate: div(v("requests"), seconds),
    errorRatio: div(v("errors"), v("requests")),
    latencyMs: msOf("latency"),
    ttftMs: msOf("ttft"),
    seedLatencyMs: msOf("seedLatency"),
    seedTtftMs: msOf("seedTtft"),
    promptTokensPerS: div(tokens["prompt"] ?? null, seconds),
    completionTokensPerS: div(completion, seconds),
    costPer1kMeanEur: times(div(v("costSum"), completion), 1000),
    costPer1kP95Eur: v("costPer1kP95"),
    costPer1kPerRequestMeanEur: div(v("costPer1kSum"), v("costPer1kCount")),
    costPerRequestEur: { mean: div(v("costSum"), v("costCount")), p50: v("costPerRequestP50"), p95: v("costPerRequestP95") },
    totalCostEur: v("costSum"),
    stages: Object.entries(stageEur).sort(([a], [b]) => a.localeCompare(b)).map(([stage, eur]) => ({ stage, eur, share: stageTotal > 0 ? eur / stageTotal : 0 })),
    costViolations: v("costViolations"),
    queueDepthMax: v("queueDepthMax"),
    kvSlotsMax: v("kvSlotsMax"),
    kvSlotsCapacity: v("kvSlotsCapacity"),
    meanDecodeBatch: div(v("decodeBatchSum"), v("decodeBatchCount")),
  };
}

const NA = "—";
const fixed = (x: number | null | undefined, d = 0) => (x === null || x === undefined ? NA : x.toFixed(d));
const pct = (x: number | null, d = 2) => (x === null ? NA : `${(x * 100).toFixed(d)} %`);
/** " (ONNX sha256 `…`)" when the run recorded which model file it measured. */
function modelHash(results: LoadTestResults): string {
  return results.target.modelSha256 ? ` (ONNX sha256 \`${results.target.modelSha256}\`)` : "";
}

/** Euros with three significant digits: the costs of a tiny CPU model are millionths of a euro. */
export function eur(x: number | null | undefined): string {
  if (x === null || x === undefined) return NA;
  if (x === 0) return "€0";
  // Plain decimals (never 1e-7 notation) so costs of different sizes line up when read side by side.
  const decimals = Math.min(12, Math.max(2, 2 - Math.floor(Math.log10(Math.abs(x)))));
  return `€${x.toFixed(decimals)}`;
}
const iso = (ms: number) => new Date(ms).toISOString().replace(".000", "");

/**
 * A cost quantile from a histogram: interpolated inside one bucket, so it is given with that bucket;
 * in the first bucket or in +Inf only the bound means anything.
 */
export function costEstimate(x: number | null | undefined, bounds: readonly number[]): string {
  if (x === null || x === undefined) return NA;
  const at = locateQuantile(x, bounds);
  if (at.kind === "first-bucket") return `≤ ${eur(at.upper)} (below the first bucket's bound)`;
  if (at.kind === "overflow") return `≥ ${eur(at.lower)} (above the last bound)`;
  return `${eur(x)} (bucket ${eur(at.lower)}–${eur(at.upper)})`;
}

export interface SummaryExtras {
  /** Why server metrics are missing (Prometheus not reachable), when they are. */
  readonly prometheusError?: string;
  /** File name of the dashboard image beside summary.md, or why there is none. */
  readonly dashboard?: { readonly file?: string; readonly note?: string };
}

export function renderSummary(results: LoadTestResults, server: ServerMetrics | null, extras: SummaryExtras = {}): string {
  const { client: c, options: o, mix } = results;
  const s = server ? serverView(results, server) : null;
  const errors = c.counts.non2xx + c.counts.timeouts + c.counts.connectionErrors;
  const statusList = Object.entries(c.counts.byStatus).map(([k, n]) => `${k}: ${n}`).join(", ") || "none";
  const lines: string[] = [
    `# Load test ${results.runId}`,
    ``,
    `${o.rate > 0 ? `${o.rate} requests/s` : "Closed loop"} for ${o.durationS} s over ${o.connections} connections against \`${results.target.model}\`${modelHash(results)} at ${results.target.url} (${results.target.kvSlots} KV slots, queue of ${results.target.queueCapacity}), from ${iso(results.startedAtMs)} to ${iso(results.endedAtMs)}.`,
    `Mix: ${mix.requests} requests from \`src/loadtest/request-mix.ts\` (seed ${o.seed}${o.fixedLength ? ", every reply generated to max_tokens" : ""}), mean prompt ${mix.meanPromptTokens.toFixed(1)} tokens before retrieval, mean max_tokens ${mix.meanMaxTokens.toFixed(1)}, ${pct(mix.streamShare, 0)} streamed, ${pct(mix.retrievalShare, 0)} with retrieval, ${pct(mix.chatShare, 0)} chat.`,
    ``,
  ];
  if (s && s.costPer1kMeanEur !== null) {
    lines.push(`**Cost per 1k output tokens: mean ${eur(s.costPer1kMeanEur)}, p95 ${costEstimate(s.costPer1kP95Eur, COST_PER_1K_TOKENS_BUCKETS_EUR)}.**`, ``);
  }
  lines.push(
    `## Client and server, side by side`,
    ``,
    `| | client (the load generator) | server (Prometheus) |`,
    `|---|---|---|`,
    `| requests | ${c.counts.sent} sent, ${c.counts.completed} answered | ${fixed(s?.requests)} |`,
    `| rate (req/s) | ${c.sentRps.toFixed(1)} sent, ${c.achievedRps.toFixed(1)} answered | ${fixed(s?.requestRate, 1)} |`,
    `| errors | ${errors} (${pct(c.counts.sent > 0 ? errors / c.counts.sent : null)}) | ${pct(s?.errorRatio ?? null)} of requests |`,
    `| latency mean / max (ms) | ${fixed(c.latencyMs.mean)} / ${fixed(c.latencyMs.max)} | ${NA} |`,
    `| prompt / completion tokens per s | ${NA} | ${fixed(s?.promptTokensPerS)} / ${fixed(s?.completionTokensPerS)} |`,
    ``,
    `Statuses: ${statusList}; timeouts ${c.counts.timeouts}, connection errors ${c.counts.connectionErrors}, unfinished at the stop ${c.counts.unfinished}.`,
    c.lateSends > 0
      ? `All ${c.effectiveConnections} connections were busy at times: ${c.lateSends} requests left late (most waiting at once: ${c.maxBacklog}), so the client latency understates what an open-loop user would see. Use more connections.`
      : `The connection pool was never exhausted: every request left on its schedule.`,
    ``,
    ...quantileSection(results, s),
  );
  if (!s) {
    lines.push(
      `## Server metrics: missing`,
      ``,
      `Prometheus could not be read${extras.prometheusError ? ` (${extras.prometheusError})` : ""}, so this summary has only the client's view.`,
      `Start Prometheus with \`npm run stack -- up\` (it scrapes miniserve on 127.0.0.1:8000 every 5 s) and run the load test again.`,
      ``,
    );
  } else {
    const stageRows = s.stages.map((x) => `| ${x.stage} | ${eur(x.eur)} | ${pct(x.share, 1)} |`);
    lines.push(
      `## Cost`,
      ``,
      `| | value |`,
      `|---|---|`,
      `| cost per 1k output tokens, mean (total cost ÷ output tokens × 1000) | ${eur(s.costPer1kMeanEur)} |`,
      `| cost per 1k output tokens, p95 over requests (histogram estimate) | ${costEstimate(s.costPer1kP95Eur, COST_PER_1K_TOKENS_BUCKETS_EUR)} |`,
      `| cost per 1k output tokens, mean over requests (dashboard panel) | ${eur(s.costPer1kPerRequestMeanEur)} |`,
      `| cost per request, mean | ${eur(s.costPerRequestEur.mean)} |`,
      `| cost per request, p50 / p95 (histogram estimates) | ${costEstimate(s.costPerRequestEur.p50, COST_PER_REQUEST_BUCKETS_EUR)} / ${costEstimate(s.costPerRequestEur.p95, COST_PER_REQUEST_BUCKETS_EUR)} |`,
      `| total cost of the run | ${eur(s.totalCostEur)} |`,
      `| cost identity violations | ${fixed(s.costViolations)} |`,
      ``,
      `The mean is token-weighted: what 1000 generated tokens cost the operator over the run (exact: a sum over a sum). The p95 is over requests, each priced by its own cost ÷ its own output tokens; short replies carry their prompt's prefill over few tokens, which is why the tail and the per-request mean sit above the token-weighted mean. Quantiles come from the cost histograms (ten buckets per decade), interpolated inside the bucket named beside them: each is known to within that bucket, a factor of about 1.26.`,
      ``,
      `| stage | cost | share |`,
      `|---|---|---|`,
      ...(stageRows.length > 0 ? stageRows : [`| ${NA} | ${NA} | ${NA} |`]),
      ``,
      `## Saturation`,
      ``,
      `Queue depth max ${fixed(s.queueDepthMax)} (capacity ${results.target.queueCapacity}); KV slots used max ${fixed(s.kvSlotsMax)} of ${fixed(s.kvSlotsCapacity ?? results.target.kvSlots)}; mean decode batch ${fixed(s.meanDecodeBatch, 1)}. Gauges are sampled every 5 s, so short peaks between scrapes are not seen.`,
      ``,
      `Server window: counters are the difference between the last scrape before the first request (${iso(server!.fromS * 1000)}) and a scrape taken after the last answer (${iso(server!.toS * 1000)}); rates divide by the ${o.durationS} s of the run. The queries are in \`server-metrics.json\`.`,
      ``,
    );
  }
  lines.push(`## The dashboard`, ``);
  if (extras.dashboard?.file) lines.push(`![dashboard](${extras.dashboard.file})`, ``);
  else lines.push(`No dashboard image: ${extras.dashboard?.note ?? "rendering was not requested (pass --render-dashboard)"}.`, ``);
  lines.push(`What each panel shows (\`src/dashboard\`), row by row:`, ``);
  for (const row of ROWS) {
    lines.push(`**${row.title}**`, ``);
    for (const p of PANELS.filter((x) => x.row === row.key)) lines.push(`- *${p.title}* — ${p.description}`);
    lines.push(``);
  }
  return lines.join("\n");
}
