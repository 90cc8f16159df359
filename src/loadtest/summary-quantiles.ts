// The latency and time-to-first-token quantiles of a load test, client beside server: exact order
// statistics on one side, histogram_quantile estimates located among their bucket bounds on the other (lab 03).
import { GEN_AI_REQUEST_DURATION_BUCKETS, GEN_AI_TTFT_BUCKETS, LLM_LATENCY_BUCKETS, METRICS, TTFT_BUCKETS } from "../observability/catalogue.ts";
import { formatSeconds, locateQuantile } from "../observability/histogram-quantile.ts";
import type { LoadTestResults } from "./results.ts";

const NA = "—";
/** Milliseconds with a decimal below 10 ms, where one millisecond is a large share. */
const ms = (x: number): string => (x < 10 ? x.toFixed(1) : String(Math.round(x)));

/** p50, p95 and p99 in milliseconds; null where there was nothing to measure. */
export interface Quantiles {
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/** The server's estimates from both histogram families, in milliseconds. */
export interface ServerQuantiles {
  readonly latencyMs: Quantiles;
  readonly ttftMs: Quantiles;
  readonly seedLatencyMs: Quantiles;
  readonly seedTtftMs: Quantiles;
}

function bucketRange(lower: number, upper: number): string {
  return upper < 1 ? `${Number((lower * 1000).toPrecision(4))}–${formatSeconds(upper)}` : `${formatSeconds(lower)}–${formatSeconds(upper)}`;
}

/**
 * One server estimate in words. Inside the histogram's range it is a number with the bucket it lies
 * in; in the first bucket or in +Inf the number says nothing about the data, so only the bound is given.
 */
export function estimateCell(valueMs: number | null, boundsS: readonly number[]): string {
  if (valueMs === null) return NA;
  const at = locateQuantile(valueMs / 1000, boundsS);
  if (at.kind === "first-bucket") return `≤ ${formatSeconds(at.upper)}: below the first bucket's bound`;
  if (at.kind === "overflow") return `≥ ${formatSeconds(at.lower)}: in the +Inf bucket, above the last bound`;
  return `${ms(valueMs)} (bucket ${bucketRange(at.lower, at.upper)})`;
}

/** Server ÷ client, or why there is no honest ratio. */
function ratio(serverMs: number | null, clientMs: number | null, boundsS: readonly number[]): string {
  if (serverMs === null || clientMs === null || clientMs === 0) return "no data";
  const at = locateQuantile(serverMs / 1000, boundsS);
  if (at.kind !== "inside") return at.kind === "first-bucket" ? "not measurable (first bucket)" : "not measurable (+Inf bucket)";
  return `×${(serverMs / clientMs).toFixed(2)}`;
}

const ROWS = [
  { label: "latency", client: "latencyMs", fine: "latencyMs", seed: "seedLatencyMs", fineBounds: GEN_AI_REQUEST_DURATION_BUCKETS, seedBounds: LLM_LATENCY_BUCKETS },
  { label: "time to first token", client: "ttftMs", fine: "ttftMs", seed: "seedTtftMs", fineBounds: GEN_AI_TTFT_BUCKETS, seedBounds: TTFT_BUCKETS },
] as const;

/** The markdown section: the table, what each column measures, and the p95 agreement. */
export function quantileSection(results: LoadTestResults, s: ServerQuantiles | null): string[] {
  const c = results.client;
  const M = METRICS;
  const lines = [
    `## Latency and time to first token, client and server`,
    ``,
    `| | client (every answer, exact) | server, fine buckets (OpenTelemetry GenAI) | server, lab 01's buckets (first bound 50 ms) |`,
    `|---|---|---|---|`,
  ];
  for (const row of ROWS) {
    for (const q of ["p50", "p95", "p99"] as const) {
      const fine = s ? estimateCell(s[row.fine][q], row.fineBounds) : NA;
      const seed = s ? estimateCell(s[row.seed][q], row.seedBounds) : NA;
      lines.push(`| ${row.label} ${q} (ms) | ${c[row.client][q] === null ? NA : ms(c[row.client][q]!)} | ${fine} | ${seed} |`);
    }
  }
  lines.push(
    ``,
    `The client's quantiles are exact order statistics: every answer's time from sending the request to its last byte, and for time to first token from sending to the first chunk with generated text (streamed requests only, ${c.ttftMs.count} of them). ` +
      `The server's are \`histogram_quantile\` over the run: a straight-line interpolation inside the bucket that holds the quantile, so each is known only to that bucket, named beside it; a quantile in the first bucket or in +Inf is given as the bound, because there the interpolated number says nothing about the requests. ` +
      `The server measures from the moment fastify received the request and never sees the network; its time to first token ends when the engine generates the token (every successful generation, streamed or not), while the client waits for the first chunk of visible text, which a partial character or a possible stop string can hold back a token or more and a busy event loop delays further. Expect the server a little below the client, and further below under heavy load. ` +
      `Fine buckets: \`${M.genAiRequestDuration.name}\` and \`${M.genAiTimeToFirstToken.name}\`; lab 01's: \`${M.requestDuration.name}\` (the /v1 routes) and \`${M.timeToFirstToken.name}\`.`,
    ``,
  );
  if (s) {
    const agree = ROWS.map((row) => `${row.label} ${ratio(s[row.fine].p95, c[row.client].p95, row.fineBounds)} with the fine buckets, ${ratio(s[row.seed].p95, c[row.client].p95, row.seedBounds)} with lab 01's`);
    lines.push(`p95, server ÷ client: ${agree.join("; ")}.`, ``);
  }
  return lines;
}
