// Panels of rows three and four: saturation (is the process or the engine running out of room?)
// and traces (which requests were slow, and why?). Used by the dashboard build (labs 00 and 02).
import { METRICS } from "../observability/catalogue.ts";
import { SERVICE_NAME, rate } from "./panel-types.ts";
import type { PanelSpec } from "./panel-types.ts";

const M = METRICS;
// prom-client's default metrics carry generic names; the job matcher keeps other processes
// (a Prometheus scraping itself, say) out of these panels.
const JOB = `{job="${SERVICE_NAME}"}`;

export const SATURATION_PANELS: readonly PanelSpec[] = [
  {
    id: 301, row: "saturation", kind: "timeseries", datasource: "prometheus", title: "Process CPU (1.0 = one core)",
    unit: "percentunit", width: 8, height: 8,
    description: "CPU seconds per second used by miniserve: inference runs on CPU, so this is the engine's real ceiling.",
    queries: [{ refId: "A", expr: `sum(${rate(`process_cpu_seconds_total${JOB}`)})`, legend: "cpu" }],
  },
  {
    id: 302, row: "saturation", kind: "timeseries", datasource: "prometheus", title: "Memory: RSS and JS heap", unit: "bytes",
    width: 8, height: 8, description: "Resident memory (model weights live here) and the JavaScript heap in use.",
    queries: [
      { refId: "A", expr: `sum(process_resident_memory_bytes${JOB})`, legend: "rss" },
      { refId: "B", expr: `sum(nodejs_heap_size_used_bytes${JOB})`, legend: "heap used" },
    ],
  },
  {
    id: 303, row: "saturation", kind: "timeseries", datasource: "prometheus", title: "Event-loop lag p99", unit: "s",
    width: 8, height: 8, description: "A busy event loop delays every request, including /metrics and health checks. The p99 is computed in the process by Node's own event-loop delay histogram (perf_hooks.monitorEventLoopDelay, a timer every 10 ms, delays recorded in nanoseconds) and reset at every scrape: not interpolated between Prometheus buckets.",
    queries: [{ refId: "A", expr: `max(nodejs_eventloop_lag_p99_seconds${JOB})`, legend: "p99 lag" }],
  },
  {
    id: 304, row: "saturation", kind: "timeseries", datasource: "prometheus", title: "Queue depth vs capacity", unit: "short",
    width: 8, height: 8, description: "Requests waiting for a slot. When depth reaches capacity, new requests get 503.",
    queries: [
      { refId: "A", expr: `sum(${M.queueDepth.name})`, legend: "depth" },
      { refId: "B", expr: `sum(${M.queueCapacity.name})`, legend: "capacity" },
    ],
  },
  {
    id: 305, row: "saturation", kind: "timeseries", datasource: "prometheus", title: "KV-cache slots used vs total", unit: "short",
    width: 8, height: 8, description: "Concurrency limit of the engine: every running request holds one slot.",
    queries: [
      { refId: "A", expr: `sum(${M.kvCacheSlotsUsed.name})`, legend: "used" },
      { refId: "B", expr: `sum(${M.kvCacheSlotsCapacity.name})`, legend: "total" },
    ],
  },
  {
    id: 306, row: "saturation", kind: "timeseries", datasource: "prometheus", title: "Requests running", unit: "short",
    width: 8, height: 8, description: "Requests being prefilled or decoded right now.",
    queries: [{ refId: "A", expr: `sum(${M.requestsRunning.name})`, legend: "running" }],
  },
];

export const TRACE_PANELS: readonly PanelSpec[] = [
  {
    id: 401, row: "trace", kind: "heatmap", datasource: "prometheus", title: "Request latency heatmap", unit: "s",
    width: 12, height: 9,
    description: "Distribution of request durations over time. Each exemplar is one real request: click it to open its trace.",
    queries: [
      {
        refId: "A", expr: `sum by (le) (${rate(`${M.requestDuration.name}_bucket`)})`, legend: "{{le}}",
        exemplar: true, format: "heatmap",
      },
    ],
  },
  {
    id: 402, row: "trace", kind: "heatmap", datasource: "prometheus", title: "Time to first token heatmap",
    unit: "s", width: 12, height: 9, description: "Distribution of TTFT; exemplars link to the traces of those requests.",
    queries: [
      {
        refId: "A", expr: `sum by (le) (${rate(`${M.timeToFirstToken.name}_bucket`)})`, legend: "{{le}}",
        exemplar: true, format: "heatmap",
      },
    ],
  },
  {
    id: 403, row: "trace", kind: "table", datasource: "tempo", title: "Kept traces from miniserve", unit: "none",
    width: 16, height: 9,
    description: "Tempo search for miniserve's traces, newest first: sort by duration to find the slow ones.",
    queries: [{ refId: "A", expr: `{resource.service.name="${SERVICE_NAME}"}`, legend: "" }],
  },
  {
    id: 404, row: "trace", kind: "timeseries", datasource: "prometheus", title: "Spans dropped", unit: "short",
    width: 8, height: 9, description: "Spans lost before export, by exporter (local store, OTLP) and reason. Anything above zero means traces have holes.",
    queries: [{ refId: "A", expr: `sum by (exporter, reason) (${rate(M.spansDropped.name)})`, legend: "{{exporter}} {{reason}}" }],
  },
];
