// The server's own view of a load-test window, read from Prometheus: rates, latency and TTFT quantiles
// (fine GenAI buckets and lab 01's), tokens, cost and saturation for exactly the run. Loadtest CLI, lab 03.
import { METRICS } from "../observability/catalogue.ts";

const M = METRICS;
/** Prometheus scrapes miniserve every 5 s (infra/prometheus/prometheus.yml); one more second of margin. */
export const SCRAPE_SETTLE_S = 6;
const API_ENDPOINTS = `endpoint=~"/v1/.*"`;

/** One query and what Prometheus answered: a single value, or one value per label value. */
export interface QueryResult {
  readonly query: string;
  readonly value: number | null;
  readonly byLabel?: Readonly<Record<string, number>>;
}

/** The recorded answers the summary is computed from (written beside results.json). */
export interface ServerMetrics {
  readonly prometheusUrl: string;
  /** The last scrape at or before the first request. */
  readonly fromS: number;
  /** One scrape interval after the last answer, so the final scrape is inside. */
  readonly toS: number;
  readonly results: Readonly<Record<string, QueryResult>>;
}

/**
 * Increase of a counter between two instants: the value at `to` minus the value at `from`
 * (0 for series that did not exist yet). Unlike increase(x[w]) it does not extrapolate, so the
 * counts are exact when the server was idle at both ends, as it is around a load test.
 */
function delta(selector: string, from: number, to: number, by?: string): string {
  // A counter with no series at all (no errors yet) counts 0, not "no data".
  if (by === undefined) return `((sum(${selector} @ ${to}) - (sum(${selector} @ ${from}) or vector(0))) or vector(0))`;
  const end = `sum by (${by}) (${selector} @ ${to})`;
  return `(${end} - (sum by (${by}) (${selector} @ ${from}) or ${end} * 0))`;
}

const quantile = (q: number, bucket: string, from: number, to: number) => `histogram_quantile(${q}, ${delta(bucket, from, to, "le")})`;

/** Every query the summary needs; `label` names the label a by-label query is split by. */
export function serverQueries(fromS: number, toS: number): Record<string, { query: string; label?: string }> {
  const f = Number(fromS.toFixed(3)), t = Number(toS.toFixed(3));
  const w = `${Math.ceil(t - f)}s`;
  const d = (sel: string, by?: string) => delta(sel, f, t, by);
  const q = (p: number, bucket: string) => quantile(p, bucket, f, t);
  // The fine OpenTelemetry GenAI histograms resolve this server's milliseconds; lab 01's core
  // histograms (first bound 50 ms) are read too, so the summary can show what their floor does.
  const latency = `${M.genAiRequestDuration.name}_bucket`;
  const ttft = `${M.genAiTimeToFirstToken.name}_bucket`;
  const seedLatency = `${M.requestDuration.name}_bucket{${API_ENDPOINTS}}`;
  const seedTtft = `${M.timeToFirstToken.name}_bucket`;
  /** latencyP50, latencyP95, latencyP99 and the like: the names summary.ts reads. */
  const percentiles = (prefix: string, bucket: string) =>
    Object.fromEntries([0.5, 0.95, 0.99].map((p) => [`${prefix}P${Math.round(p * 100)}`, { query: q(p, bucket) }]));
  return {
    requests: { query: d(`${M.requestTotal.name}{${API_ENDPOINTS}}`) },
    errors: { query: d(`${M.requestTotal.name}{${API_ENDPOINTS},status=~"[45].."}`) },
    ...percentiles("latency", latency), ...percentiles("ttft", ttft),
    ...percentiles("seedLatency", seedLatency), ...percentiles("seedTtft", seedTtft),
    tokens: { query: d(M.tokensTotal.name, "kind"), label: "kind" },
    costSum: { query: d(`${M.costPerRequest.name}_sum`) },
    costCount: { query: d(`${M.costPerRequest.name}_count`) },
    costPerRequestP50: { query: q(0.5, `${M.costPerRequest.name}_bucket`) },
    costPerRequestP95: { query: q(0.95, `${M.costPerRequest.name}_bucket`) },
    costPer1kSum: { query: d(`${M.costPer1kOutputTokens.name}_sum`) },
    costPer1kCount: { query: d(`${M.costPer1kOutputTokens.name}_count`) },
    costPer1kP50: { query: q(0.5, `${M.costPer1kOutputTokens.name}_bucket`) },
    costPer1kP95: { query: q(0.95, `${M.costPer1kOutputTokens.name}_bucket`) },
    costByStage: { query: d(M.costStageTotal.name, "stage"), label: "stage" },
    costViolations: { query: d(M.costIdentityViolations.name) },
    queueDepthMax: { query: `max(max_over_time(${M.queueDepth.name}[${w}] @ ${t}))` },
    kvSlotsMax: { query: `max(max_over_time(${M.kvCacheSlotsUsed.name}[${w}] @ ${t}))` },
    kvSlotsCapacity: { query: `max(max_over_time(${M.kvCacheSlotsCapacity.name}[${w}] @ ${t}))` },
    decodeBatchSum: { query: d(`${M.batchSize.name}_sum{phase="decode"}`) },
    decodeBatchCount: { query: d(`${M.batchSize.name}_count{phase="decode"}`) },
  };
}

interface PromVector {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

/** Run one instant query; NaN and missing series become null. Bounded by a 5 s timeout. */
async function instant(prometheusUrl: string, query: string, label?: string): Promise<QueryResult> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?${new URLSearchParams({ query })}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as PromVector;
  if (body.status !== "success") throw new Error(`Prometheus rejected a query (${body.error ?? res.status}): ${query}`);
  const rows = body.data?.result ?? [];
  const num = (s: string) => (Number.isFinite(Number(s)) ? Number(s) : null);
  if (label !== undefined) {
    const byLabel: Record<string, number> = {};
    for (const r of rows) {
      const v = num(r.value[1]);
      if (v !== null) byLabel[r.metric[label] ?? ""] = v;
    }
    return { query, value: Object.values(byLabel).reduce((a, v) => a + v, 0), byLabel };
  }
  return { query, value: rows.length > 0 ? num(rows[0]!.value[1]) : null };
}

/** Ask Prometheus for the whole window; throws with a readable message when it is not there. */
export async function readServerMetrics(prometheusUrl: string, startedAtMs: number, endedAtMs: number): Promise<ServerMetrics> {
  const fromS = startedAtMs / 1000 - 0.001;
  const toS = endedAtMs / 1000 + SCRAPE_SETTLE_S;
  try {
    const ready = await fetch(`${prometheusUrl}/-/ready`, { signal: AbortSignal.timeout(3000) });
    if (!ready.ok) throw new Error(`HTTP ${ready.status}`);
  } catch (err) {
    throw new Error(`Prometheus is not answering at ${prometheusUrl} (${(err as Error).message}); start it with \`npm run stack -- up\``);
  }
  const results: Record<string, QueryResult> = {};
  for (const [name, { query, label }] of Object.entries(serverQueries(fromS, toS))) results[name] = await instant(prometheusUrl, query, label);
  return { prometheusUrl, fromS, toS, results };
}
