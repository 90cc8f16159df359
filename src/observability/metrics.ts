// The prom-client metrics, built on a registry passed in (the server passes prom-client's default):
// lab 01's six core metrics written out by hand, every other one built from catalogue.ts (labs 01–03).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics, register } from "prom-client";
import type { Metric } from "prom-client";
import { LLM_LATENCY_BUCKETS, METRICS, TTFT_BUCKETS } from "./catalogue.ts";
import type { MetricKey, MetricSpec } from "./catalogue.ts";

/** Histograms beyond the core six whose observations carry the trace_id of one request as an OpenMetrics exemplar. */
const WITH_EXEMPLARS = new Set<MetricKey>(["genAiRequestDuration", "genAiTimeToFirstToken", "costPerRequest", "costPer1kOutputTokens"]);

export type Built = {
  [K in MetricKey]: (typeof METRICS)[K]["type"] extends "counter" ? Counter<string>
    : (typeof METRICS)[K]["type"] extends "gauge" ? Gauge<string> : Histogram<string>;
};

/** What the scrape-time gauges read; bindEngineStats() points them at an engine. */
export interface EngineCounts { queueDepth: number; queueCapacity: number; slotsUsed: number; slotsTotal: number; running: number }
export interface StatsSource {
  stats(): EngineCounts;
}

/** Builds a pull-on-scrape collect callback: the gauge asks the engine when Prometheus asks. */
export type ReadStat = (metric: string, read: (s: EngineCounts) => number) => (this: Gauge<string>) => void;

/** One set of metrics on one registry, with the state its gauges read at scrape time. */
export interface MetricSet {
  readonly registry: Registry;
  readonly m: Built;
  /** Point the scrape-time gauges at an engine (or null when it closes). */
  bindEngineStats(stats: StatsSource | null, onError?: (metric: string, err: unknown) => void): void;
  setTraceSampleRatio(ratio: number): void;
}

type CoreKey = "requestTotal" | "requestDuration" | "tokensTotal" | "timeToFirstToken" | "kvCacheSlotsUsed" | "queueDepth";

/**
 * Lab 01: the six core metrics, written out as the lab's table states them (catalogue.ts documents
 * the same names for the dashboard and the reference), on the registry the caller passes in.
 */
function coreMetrics(registry: Registry, readStat: ReadStat): Partial<Pick<Built, CoreKey>> {
  const core: Partial<Pick<Built, CoreKey>> = {};
  const registers = [registry];
  // BEGIN LAB 01 BLOCK A: define the four RED and LLM metrics of the lab's table on `registers` and
  //   store each under its key in `core`: request_total (counter: endpoint, method, status),
  //   request_duration_seconds (histogram: endpoint, method; LLM_LATENCY_BUCKETS), tokens_total
  //   (counter: kind, model_name), time_to_first_token_seconds (histogram: model_name; TTFT_BUCKETS).
  //   The two histograms carry exemplars: enableExemplars: true. Help texts are in METRICS.
  // STARTER: void registers; void LLM_LATENCY_BUCKETS; void TTFT_BUCKETS;
  core.requestTotal = new Counter({ name: "request_total", help: METRICS.requestTotal.help, labelNames: ["endpoint", "method", "status"], registers });
  core.requestDuration = new Histogram({
    name: "request_duration_seconds", help: METRICS.requestDuration.help, labelNames: ["endpoint", "method"],
    buckets: [...LLM_LATENCY_BUCKETS], enableExemplars: true, registers,
  });
  core.tokensTotal = new Counter({ name: "tokens_total", help: METRICS.tokensTotal.help, labelNames: ["kind", "model_name"], registers });
  core.timeToFirstToken = new Histogram({
    name: "time_to_first_token_seconds", help: METRICS.timeToFirstToken.help, labelNames: ["model_name"],
    buckets: [...TTFT_BUCKETS], enableExemplars: true, registers,
  });
  // END LAB 01 BLOCK A
  // BEGIN LAB 01 BLOCK B: the two USE gauges, kv_cache_slots_used and queue_depth (no labels), pulled
  //   on scrape: give each a `collect` callback that reads engine.stats() when Prometheus asks
  //   (readStat(name, (s) => …) builds one), and store them under their keys in `core`.
  // STARTER: void readStat;
  core.kvCacheSlotsUsed = new Gauge({ name: "kv_cache_slots_used", help: METRICS.kvCacheSlotsUsed.help, registers, collect: readStat("kv_cache_slots_used", (s) => s.slotsUsed) });
  core.queueDepth = new Gauge({ name: "queue_depth", help: METRICS.queueDepth.help, registers, collect: readStat("queue_depth", (s) => s.queueDepth) });
  // END LAB 01 BLOCK B
  return core;
}

/** prom-client's default metrics miniserve keeps: the catalogue's builtIn entries, nothing else. */
function installProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  const keep = new Set(Object.values(METRICS as Record<string, MetricSpec>).filter((m) => m.builtIn).map((m) => m.name));
  // The per-heap-space and GC series add ~60 series a learner never reads; fewer series, faster scrapes.
  for (const metric of registry.getMetricsAsArray()) {
    const name = (metric as unknown as { name: string }).name;
    if (!keep.has(name) && !Object.values(METRICS).some((m) => m.name === name)) registry.removeSingleMetric(name);
  }
}

/** Every metric of the catalogue on `registry`: the core six by hand, the rest from their entries. */
export function createMetrics(registry: Registry): MetricSet {
  let source: StatsSource | null = null;
  let sampleRatio = 1;
  let onGaugeError: (metric: string, err: unknown) => void = () => {};
  const readStat: ReadStat = (metric, read) => function collect(this: Gauge<string>) {
    if (source === null) return;
    try {
      this.set(read(source.stats()));
    } catch (err) {
      // A failing callback must not fail the whole scrape: log it and keep the last value.
      onGaugeError(metric, err);
    }
  };
  const collectors: Partial<Record<MetricKey, (this: Gauge<string>) => void>> = {
    requestsRunning: readStat(METRICS.requestsRunning.name, (s) => s.running),
    kvCacheSlotsCapacity: readStat(METRICS.kvCacheSlotsCapacity.name, (s) => s.slotsTotal),
    queueCapacity: readStat(METRICS.queueCapacity.name, (s) => s.queueCapacity),
    traceSampleRatio: function collect(this: Gauge<string>) { this.set(sampleRatio); },
  };
  const build = (key: MetricKey, spec: MetricSpec): Metric<string> => {
    const base = { name: spec.name, help: spec.help, labelNames: [...spec.labels], registers: [registry] };
    if (spec.type === "counter") return new Counter(base);
    const collect = collectors[key];
    if (spec.type === "gauge") return new Gauge(collect ? { ...base, collect } : base);
    return new Histogram({ ...base, buckets: [...(spec.buckets ?? [])], enableExemplars: WITH_EXEMPLARS.has(key) });
  };
  // prom-client refuses exemplars on a registry whose content type is plain text. The registry is
  // declared OpenMetrics; exposition.ts still writes either format per scrape.
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE as never);
  const out: Record<string, Metric<string>> = { ...coreMetrics(registry, readStat) };
  for (const [key, spec] of Object.entries(METRICS) as [MetricKey, MetricSpec][]) {
    if (!spec.builtIn && !spec.core) out[key] = build(key, spec);
  }
  installProcessMetrics(registry);
  return {
    registry,
    m: out as unknown as Built,
    bindEngineStats: (stats, onError) => {
      source = stats;
      if (onError) onGaugeError = onError;
    },
    setTraceSampleRatio: (ratio) => {
      sampleRatio = ratio;
    },
  };
}

let server: MetricSet | null = null;

/** The server's metrics, on prom-client's default registry (one per process), created on first use. */
export function serverMetrics(): MetricSet {
  server ??= createMetrics(register);
  return server;
}

/** The server's metrics by name: metrics().requestTotal, … */
export function metrics(): Built {
  return serverMetrics().m;
}

/** Point the server's scrape-time gauges at an engine (or null when it closes). */
export function bindEngineStats(stats: StatsSource | null, onError?: (metric: string, err: unknown) => void): void {
  serverMetrics().bindEngineStats(stats, onError);
}

export function setTraceSampleRatio(ratio: number): void {
  serverMetrics().setTraceSampleRatio(ratio);
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
