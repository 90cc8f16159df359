// A small client for Prometheus' HTTP API: range queries turned into named series, the scrape
// interval of the miniserve job, and reachability. Used by the built-in viewer and the PNG renderer.
import { parse as parseYaml } from "yaml";
import { parseDuration } from "./promql.ts";

/** One line of a chart: its legend name and [epoch ms, value] points (null = gap). */
export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly points: readonly (readonly [number, number | null])[];
}

export class PrometheusUnreachable extends Error {
  override readonly name = "PrometheusUnreachable";
}

interface ApiBody<T> {
  status: "success" | "error";
  data?: T;
  error?: string;
  errorType?: string;
}

async function api<T>(base: string, path: string, params: Record<string, string>, timeoutMs: number): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`${base}${path}?${new URLSearchParams(params)}`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new PrometheusUnreachable(`Prometheus at ${base} does not answer (${cause})`);
  }
  let body: ApiBody<T>;
  try {
    body = (await res.json()) as ApiBody<T>;
  } catch {
    throw new PrometheusUnreachable(`${base}${path} answered HTTP ${res.status} with something that is not Prometheus' JSON`);
  }
  if (body.status !== "success" || body.data === undefined) {
    throw new Error(`${body.errorType ?? "error"}: ${body.error ?? `HTTP ${res.status}`}`);
  }
  return body.data;
}

/** Grafana-style legend: "{{label}}" placeholders filled from the series' labels. */
export function legendName(legend: string, labels: Record<string, string>, fallback: string): string {
  if (legend.trim() !== "" && legend !== "__auto") {
    return legend.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, key: string) => labels[key] ?? "");
  }
  const pairs = Object.entries(labels).filter(([k]) => k !== "__name__");
  return pairs.length === 0 ? fallback : pairs.map(([k, v]) => `${k}="${v}"`).join(", ");
}

export interface RangeQuery {
  readonly expr: string;
  readonly legend: string;
  /** Name used when the series has no labels and no legend: the query's refId. */
  readonly fallbackName: string;
  readonly startSeconds: number;
  readonly endSeconds: number;
  readonly stepSeconds: number;
}

/** Runs /api/v1/query_range; NaN and ±Inf become gaps (null). */
export async function queryRange(base: string, q: RangeQuery, timeoutMs = 10_000): Promise<Series[]> {
  const data = await api<{ resultType: string; result: { metric: Record<string, string>; values: [number, string][] }[] }>(
    base, "/api/v1/query_range",
    { query: q.expr, start: String(q.startSeconds), end: String(q.endSeconds), step: String(q.stepSeconds) },
    timeoutMs,
  );
  return data.result.map((r) => ({
    name: legendName(q.legend, r.metric, q.fallbackName),
    labels: r.metric,
    points: r.values.map(([t, v]) => {
      const n = Number(v);
      return [Math.round(t * 1000), Number.isFinite(n) ? n : null] as const;
    }),
  }));
}

/** Runs /api/v1/query at one instant; a vector comes back as its samples, a scalar as one unlabelled sample. */
export async function queryInstant(base: string, expr: string, timeSeconds: number, timeoutMs = 10_000): Promise<{ metric: Record<string, string>; value: string }[]> {
  const data = await api<{ resultType: string; result: unknown }>(base, "/api/v1/query", { query: expr, time: String(timeSeconds) }, timeoutMs);
  if (data.resultType === "scalar" || data.resultType === "string") return [{ metric: {}, value: String((data.result as [number, string])[1]) }];
  return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ metric: r.metric, value: r.value[1] }));
}

/** True when Prometheus answers /-/ready. Never throws. */
export async function prometheusReady(base: string, timeoutMs = 2000): Promise<boolean> {
  try {
    const res = await fetch(`${base}/-/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * The scrape interval of the job named `job` (else the global one) from the loaded config, in
 * seconds; `fallback` when Prometheus cannot say. The rate window depends on it.
 */
export async function scrapeIntervalSeconds(base: string, job = "miniserve", fallback = 5): Promise<number> {
  try {
    const data = await api<{ yaml: string }>(base, "/api/v1/status/config", {}, 3000);
    const config = parseYaml(data.yaml) as {
      global?: { scrape_interval?: string };
      scrape_configs?: { job_name?: string; scrape_interval?: string }[];
    };
    const raw = config.scrape_configs?.find((c) => c.job_name === job)?.scrape_interval ?? config.global?.scrape_interval;
    return raw ? parseDuration(raw) : fallback;
  } catch {
    return fallback;
  }
}
