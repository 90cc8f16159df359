// The six core metrics exactly as lab 01 states them, and the in-process check that the learner's
// src/observability/metrics.ts builds them on the default registry and records both RED observations.
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
  if (typeof mod["recordRequest"] === "function" && problems.length === 0) {
    const endpoint = "/lab-check";
    try {
      (mod["recordRequest"] as (e: string, m: string, s: number, d: number) => void)(endpoint, "GET", 200, 0.2);
      const total = await (register.getSingleMetric("request_total") as unknown as RuntimeMetric).get();
      const duration = await (register.getSingleMetric("request_duration_seconds") as unknown as RuntimeMetric).get();
      const counted = total.values.some((v) => v.labels["endpoint"] === endpoint && String(v.labels["status"]) === "200" && v.value >= 1);
      const observed = duration.values.some((v) => v.labels["endpoint"] === endpoint && (v.metricName ?? "").endsWith("_count") && v.value >= 1);
      if (!counted) problems.push("recordRequest does not increment request_total{endpoint, method, status}");
      if (!observed) problems.push("recordRequest does not observe request_duration_seconds{endpoint, method}");
    } catch (err) {
      problems.push(`recordRequest throws: ${(err as Error).message.split("\n")[0]}`);
    }
  }
  return problems;
}
