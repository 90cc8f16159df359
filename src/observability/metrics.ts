// The prom-client metrics on the default registry: the six core metrics of lab 01 written out by
// hand, the LLM and cost metrics of labs 02–03 and the process USE metrics built from catalogue.ts.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, register } from "prom-client";
import type { Metric } from "prom-client";
import { LLM_LATENCY_BUCKETS, METRICS, TTFT_BUCKETS } from "./catalogue.ts";
import type { MetricKey, MetricSpec } from "./catalogue.ts";

/** Histograms beyond the core six whose observations carry the trace_id of one request as an OpenMetrics exemplar. */
const WITH_EXEMPLARS = new Set<MetricKey>(["genAiRequestDuration", "genAiTimeToFirstToken", "costPerRequest", "costPer1kOutputTokens"]);

type Built = {
  [K in MetricKey]: (typeof METRICS)[K]["type"] extends "counter" ? Counter<string>
    : (typeof METRICS)[K]["type"] extends "gauge" ? Gauge<string> : Histogram<string>;
};

/** Where the scrape-time gauges read from; set by bindEngineStats(). */
export interface StatsSource {
  stats(): { queueDepth: number; queueCapacity: number; slotsUsed: number; slotsTotal: number; running: number };
}

let built: Built | null = null;
let source: StatsSource | null = null;
let sampleRatio = 1;
let onGaugeError: (metric: string, err: unknown) => void = () => {};

/** Pull-on-scrape: a gauge asks the engine when Prometheus asks, never on every change. */
function readStat(metric: string, read: (s: ReturnType<StatsSource["stats"]>) => number): (this: Gauge<string>) => void {
  return function collect(this: Gauge<string>) {
    if (source === null) return;
    try {
      this.set(read(source.stats()));
    } catch (err) {
      // A failing callback must not fail the whole scrape: log it and keep the last value.
      onGaugeError(metric, err);
    }
  };
}

function collectorFor(key: MetricKey): ((this: Gauge<string>) => void) | undefined {
  switch (key) {
    case "requestsRunning": return readStat(METRICS.requestsRunning.name, (s) => s.running);
    case "kvCacheSlotsCapacity": return readStat(METRICS.kvCacheSlotsCapacity.name, (s) => s.slotsTotal);
    case "queueCapacity": return readStat(METRICS.queueCapacity.name, (s) => s.queueCapacity);
    case "traceSampleRatio": return function collect(this: Gauge<string>) { this.set(sampleRatio); };
    default: return undefined;
  }
}

type CoreKey = "requestTotal" | "requestDuration" | "tokensTotal" | "timeToFirstToken" | "kvCacheSlotsUsed" | "queueDepth";

/**
 * Lab 01: the six core metrics, written out as the lab's table states them (catalogue.ts documents
 * the same names for the dashboard and the reference). One registry: prom-client's default.
 */
function coreMetrics(): Partial<Pick<Built, CoreKey>> {
  const core: Partial<Pick<Built, CoreKey>> = {};
  // BEGIN LAB 01 BLOCK A: define the four RED and LLM metrics of the lab's table on the default
  //   registry and store each under its key in `core`: request_total (counter: endpoint, method,
  //   status), request_duration_seconds (histogram: endpoint, method; LLM_LATENCY_BUCKETS),
  //   tokens_total (counter: kind, model_name), time_to_first_token_seconds (histogram: model_name;
  //   TTFT_BUCKETS). The two histograms carry exemplars: enableExemplars: true. Help texts are in METRICS.
  core.requestTotal = new Counter({ name: "request_total", help: METRICS.requestTotal.help, labelNames: ["endpoint", "method", "status"] });
  core.requestDuration = new Histogram({
    name: "request_duration_seconds", help: METRICS.requestDuration.help, labelNames: ["endpoint", "method"],
    buckets: [...LLM_LATENCY_BUCKETS], enableExemplars: true,
  });
  core.tokensTotal = new Counter({ name: "tokens_total", help: METRICS.tokensTotal.help, labelNames: ["kind", "model_name"] });
  core.timeToFirstToken = new Histogram({
    name: "time_to_first_token_seconds", help: METRICS.timeToFirstToken.help, labelNames: ["model_name"],
    buckets: [...TTFT_BUCKETS], enableExemplars: true,
  });
  // END LAB 01 BLOCK A
  // BEGIN LAB 01 BLOCK B: the two USE gauges, kv_cache_slots_used and queue_depth (no labels), pulled
  //   on scrape: give each a `collect` callback that reads engine.stats() when Prometheus asks
  //   (readStat(name, (s) => …) builds one), and store them under their keys in `core`.
  core.kvCacheSlotsUsed = new Gauge({ name: "kv_cache_slots_used", help: METRICS.kvCacheSlotsUsed.help, collect: readStat("kv_cache_slots_used", (s) => s.slotsUsed) });
  core.queueDepth = new Gauge({ name: "queue_depth", help: METRICS.queueDepth.help, collect: readStat("queue_depth", (s) => s.queueDepth) });
  // END LAB 01 BLOCK B
  return core;
}

function build(key: MetricKey, spec: MetricSpec): Metric<string> {
  const base = { name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [register] };
  if (spec.type === "counter") return new Counter(base);
  if (spec.type === "gauge") {
    const collect = collectorFor(key);
    return new Gauge(collect ? { ...base, collect } : base);
  }
  return new Histogram({ ...base, buckets: [...(spec.buckets ?? [])], enableExemplars: WITH_EXEMPLARS.has(key) });
}

/** prom-client's default metrics miniserve keeps: the catalogue's builtIn entries, nothing else. */
function installProcessMetrics(): void {
  collectDefaultMetrics({ register });
  const keep = new Set(Object.values(METRICS as Record<string, MetricSpec>).filter((m) => m.builtIn).map((m) => m.name));
  // The per-heap-space and GC series add ~60 series a learner never reads; fewer series, faster scrapes.
  for (const metric of register.getMetricsAsArray()) {
    const name = (metric as unknown as { name: string }).name;
    if (!keep.has(name) && !Object.values(METRICS).some((m) => m.name === name)) register.removeSingleMetric(name);
  }
}

/** The metrics, created on first use: the default registry is global, so there is exactly one set. */
export function metrics(): Built {
  if (built !== null) return built;
  // prom-client refuses exemplars on a registry whose content type is plain text. The default
  // registry is declared OpenMetrics; exposition.ts still writes either format per scrape.
  register.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
  const out: Record<string, Metric<string>> = { ...coreMetrics() };
  for (const [key, spec] of Object.entries(METRICS) as [MetricKey, MetricSpec][]) {
    if (spec.builtIn || spec.core) continue;
    out[key] = build(key, spec);
  }
  installProcessMetrics();
  built = out as unknown as Built;
  return built;
}

/** Point the scrape-time gauges at an engine (or null when it closes). */
export function bindEngineStats(stats: StatsSource | null, onError?: (metric: string, err: unknown) => void): void {
  metrics();
  source = stats;
  if (onError) onGaugeError = onError;
}

export function setTraceSampleRatio(ratio: number): void {
  sampleRatio = ratio;
}

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/**
 * The two RED observations of one HTTP request. `endpoint` must be a route pattern (or "unmatched"),
 * never a raw URL: every distinct value is a new series. An unusual method collapses into "OTHER".
 */
export function recordRequest(endpoint: string, method: string, status: number | string, durationSeconds: number, traceId?: string): void {
  // BEGIN LAB 01 BLOCK A: the two RED observations of one HTTP request: increment request_total with
  //   {endpoint, method, status} and observe request_duration_seconds with {endpoint, method}, in
  //   seconds, through observeWithTrace (it attaches the trace id as an exemplar). Methods outside
  //   METHODS become "OTHER".
  // STARTER: void METHODS; void endpoint; void method; void status; void durationSeconds; void traceId;
  const m = metrics();
  const labels = { endpoint, method: METHODS.has(method) ? method : "OTHER" };
  m.requestTotal.inc({ ...labels, status: String(status) });
  observeWithTrace(m.requestDuration, labels, durationSeconds, traceId ?? null);
  // END LAB 01 BLOCK A
}

/** Observe a histogram that may carry exemplars, with the trace id when the request was sampled. */
export function observeWithTrace(h: Histogram<string>, labels: Record<string, string>, value: number, traceId: string | null): void {
  // With exemplars enabled prom-client takes one object; an empty label set records no exemplar.
  h.observe({ labels, value, exemplarLabels: traceId ? { trace_id: traceId } : {} });
}
