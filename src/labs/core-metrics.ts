// The six core metrics exactly as lab 01 states them, and the in-process check that the learner's
// src/observability/metrics.ts builds them on the default registry and that recordRequest records
// exactly what it is given (status, seconds, method).
import { register } from "prom-client";

export interface CoreMetric {
  readonly name: string;
  readonly type: "counter" | "gauge" | "histogram";
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
}

export const CORE_METRICS: readonly CoreMetric[] = [
  { name: "request_total", type: "counter", labels: ["endpoint", "method", "status"] },
  { name: "request_duration_seconds", type: "histogram", labels: ["endpoint", "method"], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120] },
  { name: "tokens_total", type: "counter", labels: ["kind", "model_name"] },
  { name: "time_to_first_token_seconds", type: "histogram", labels: ["model_name"], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10] },
  { name: "kv_cache_slots_used", type: "gauge", labels: [] },
  { name: "queue_depth", type: "gauge", labels: [] },
];

export const CORE_METRIC_NAMES = CORE_METRICS.map((m) => m.name);

/** prom-client's runtime fields that its typings do not declare. */
interface RuntimeMetric {
  labelNames?: string[];
  upperBounds?: number[];
  get(): Promise<{ type: string; values: { labels: Record<string, unknown>; value: number; metricName?: string }[] }>;
}

const same = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Every way the module misses the lab's table; empty when all six match and recordRequest works. */
export async function coreMetricsProblems(mod: Record<string, unknown>): Promise<string[]> {
  const problems: string[] = [];
  try {
    if (typeof mod["metrics"] === "function") (mod["metrics"] as () => unknown)();
  } catch (err) {
    problems.push(`metrics() throws: ${(err as Error).message.split("\n")[0]}`);
  }
  for (const spec of CORE_METRICS) {
    const metric = register.getSingleMetric(spec.name) as unknown as RuntimeMetric | undefined;
    if (!metric) {
      problems.push(`${spec.name} is not on the default registry`);
      continue;
    }
    const data = await metric.get();
    if (data.type !== spec.type) problems.push(`${spec.name} is a ${data.type}, not a ${spec.type}`);
    const labels = [...(metric.labelNames ?? [])].sort();
    if (!same(labels, [...spec.labels].sort())) problems.push(`${spec.name} labels are [${labels.join(", ")}], expected [${spec.labels.join(", ")}]`);
    if (spec.buckets) {
      const bounds = (metric.upperBounds ?? []).filter((b) => Number.isFinite(b));
      if (!same(bounds, spec.buckets)) problems.push(`${spec.name} buckets are [${bounds.join(", ")}], expected [${spec.buckets.join(", ")}]`);
    }
  }
  if (typeof mod["recordRequest"] === "function" && problems.length === 0) problems.push(...(await recordRequestProblems(mod["recordRequest"] as RecordRequest)));
  return problems;
}

type RecordRequest = (endpoint: string, method: string, status: number, seconds: number, traceId?: string) => void;

/** The samples of one metric whose labels include `match`. */
async function samplesOf(name: string, match: Record<string, string>): Promise<{ labels: Record<string, unknown>; value: number; metricName?: string }[]> {
  const metric = register.getSingleMetric(name) as unknown as RuntimeMetric | undefined;
  if (!metric) return [];
  const data = await metric.get();
  return data.values.filter((v) => Object.entries(match).every(([k, want]) => String(v.labels[k]) === want));
}

/**
 * recordRequest fed known values must record exactly them: one count with the status it was given
 * (a 404 is not a 200), the duration in seconds, and an unknown method as "OTHER".
 */
async function recordRequestProblems(recordRequest: RecordRequest): Promise<string[]> {
  const problems: string[] = [];
  // A fresh endpoint per run: a notebook kernel may run the checks twice in one process.
  const endpoint = `/lab-check-${Math.random().toString(36).slice(2, 8)}`;
  try {
    recordRequest(endpoint, "POST", 404, 0.25, "0af7651916cd43dd8448eb211c80319c");
    recordRequest(endpoint, "BREW", 200, 0.5);
  } catch (err) {
    const msg = (err as Error).message.split("\n")[0]!;
    return [`recordRequest throws: ${msg}${/valid number/i.test(msg) ? " (observeWithTrace needs the histogram built with enableExemplars: true)" : ""}`];
  }
  const counts = await samplesOf("request_total", { endpoint });
  const seen = counts.map((v) => `{method="${String(v.labels["method"])}",status="${String(v.labels["status"])}"} ${v.value}`).join(", ") || "nothing";
  const count = (method: string, status: string) => counts.filter((v) => v.labels["method"] === method && String(v.labels["status"]) === status).reduce((n, v) => n + v.value, 0);
  if (count("POST", "404") !== 1 || count("OTHER", "200") !== 1 || counts.length !== 2) {
    problems.push(`recordRequest("${endpoint}", "POST", 404, 0.25) and ("${endpoint}", "BREW", 200, 0.5) should give request_total{method="POST",status="404"} 1 and {method="OTHER",status="200"} 1; got ${seen}`);
  }
  const durations = await samplesOf("request_duration_seconds", { endpoint, method: "POST" });
  const n = durations.filter((v) => (v.metricName ?? "").endsWith("_count")).reduce((a, v) => a + v.value, 0);
  const sum = durations.filter((v) => (v.metricName ?? "").endsWith("_sum")).reduce((a, v) => a + v.value, 0);
  if (n !== 1 || Math.abs(sum - 0.25) > 1e-9) {
    problems.push(`request_duration_seconds{endpoint="${endpoint}",method="POST"} should count 1 observation summing 0.25 s after recordRequest(…, 0.25); got count ${n}, sum ${sum}`);
  }
  return problems;
}
