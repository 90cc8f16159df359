// Panels of the first two rows: RED (is the server answering, correctly and fast?) and
// LLM serving (how fast do tokens flow, is batching working?). Lab 00 builds them, lab 01 fills them.
import { METRICS } from "../observability/catalogue.ts";
import { describeResolution } from "../observability/histogram-quantile.ts";
import { histogramNote, mean, percentiles, quantile, rate } from "./panel-types.ts";
import type { PanelSpec } from "./panel-types.ts";

const M = METRICS;
/** Why the two user-facing latency panels do not read the seed's core histograms. */
const SEED_FLOOR = "The core histogram of lab 01 starts at 50 ms: below that its quantiles read 0.5, 0.95 and 0.99 × 50 ms whatever the latency (theory/01, the first-bucket trap).";

export const RED_PANELS: readonly PanelSpec[] = [
  {
    id: 101, row: "red", kind: "timeseries", datasource: "prometheus", title: "Request rate by endpoint", unit: "reqps",
    width: 8, height: 8, description: "Requests served per second, by route pattern (all status codes).",
    queries: [{ refId: "A", expr: `sum by (endpoint) (${rate(M.requestTotal.name)})`, legend: "{{endpoint}}" }],
  },
  {
    id: 102, row: "red", kind: "timeseries", datasource: "prometheus", title: "Error ratio (5xx, 4xx, client aborts)", unit: "percentunit",
    width: 8, height: 8,
    description: "Fraction of requests answered with a server error (5xx: ours), a client error (4xx: theirs, or our validation; 408 = the request arrived too slowly), or abandoned by the client before the response was complete (499, counted from the connection's close: nginx's \"client closed request\").",
    queries: [
      {
        refId: "A", legend: "5xx",
        expr: `sum(${rate(`${M.requestTotal.name}{status=~"5.."}`)}) / sum(${rate(M.requestTotal.name)})`,
      },
      {
        refId: "B", legend: "4xx",
        expr: `sum(${rate(`${M.requestTotal.name}{status=~"4..",status!="499"}`)}) / sum(${rate(M.requestTotal.name)})`,
      },
      {
        refId: "C", legend: "499 client aborts",
        expr: `sum(${rate(`${M.requestTotal.name}{status="499"}`)}) / sum(${rate(M.requestTotal.name)})`,
      },
    ],
  },
  {
    id: 103, row: "red", kind: "timeseries", datasource: "prometheus", title: "Request latency p50 / p95 / p99", unit: "s",
    width: 8, height: 8,
    description: `End-to-end duration of generation requests (the two /v1 routes), received to last byte. The dots are exemplars: click one to open that request's trace. ${histogramNote(M.genAiRequestDuration)} ${SEED_FLOOR}`,
    queries: percentiles(M.genAiRequestDuration.name, true),
  },
];

export const LLM_PANELS: readonly PanelSpec[] = [
  {
    id: 201, row: "llm", kind: "timeseries", datasource: "prometheus", title: "Time to first token p50 / p95 / p99", unit: "s",
    width: 8, height: 8,
    description: `How long a user waits before text starts to appear, for generations that succeeded; exemplars link to traces. ${histogramNote(M.genAiTimeToFirstToken)} ${SEED_FLOOR}`,
    queries: percentiles(M.genAiTimeToFirstToken.name, true),
  },
  {
    id: 202, row: "llm", kind: "timeseries", datasource: "prometheus", title: "Time per output token p50 / p95 / p99", unit: "s",
    width: 8, height: 8,
    description: `Decode pace once text streams: mean gap between generated tokens of a request. ${histogramNote(M.timePerOutputToken)} Not the OpenTelemetry \`${M.genAiTimePerOutputToken.name}\` (also exposed): its advised bounds start at 10 ms and most of this model's per-token times are shorter, so its p50 would be a fraction of 10 ms, not a measurement.`,
    queries: percentiles(M.timePerOutputToken.name),
  },
  {
    id: 203, row: "llm", kind: "timeseries", datasource: "prometheus", title: "Tokens per second in and out", unit: "short",
    width: 8, height: 8, description: "Prompt tokens read (prefill) and completion tokens generated, per second.",
    queries: [{ refId: "A", expr: `sum by (kind) (${rate(M.tokensTotal.name)})`, legend: "{{kind}}" }],
  },
  {
    id: 204, row: "llm", kind: "timeseries", datasource: "prometheus", title: "Batch size per engine step", unit: "short",
    width: 8, height: 8,
    description: `Rows in each prefill and decode step. Stuck at 1 under load means continuous batching is not batching. The mean is exact (sum over count); the p95 comes from \`${M.batchSize.name}\`, ${describeResolution(M.batchSize.buckets, String)}`,
    queries: [
      { refId: "A", expr: mean(M.batchSize.name, ["phase"]), legend: "mean {{phase}}" },
      { refId: "B", expr: quantile(0.95, M.batchSize.name, ["phase"]), legend: "p95 {{phase}}" },
    ],
  },
  {
    id: 205, row: "llm", kind: "timeseries", datasource: "prometheus", title: "Queue time p50 / p95 / p99", unit: "s",
    width: 8, height: 8,
    description: `Time requests waited for a KV-cache slot: latency spent waiting, not working. ${histogramNote(M.queueTime)} An idle engine admits at once, so p50 often reads as a fraction of the first bound: that means "under it", not a measured value.`,
    queries: percentiles(M.queueTime.name),
  },
  {
    id: 206, row: "llm", kind: "timeseries", datasource: "prometheus", title: "Stage time p95", unit: "s",
    width: 8, height: 8,
    description: `Where a slow request spends its time: queue, retrieval, prefill or decode. All four histograms share STAGE_BUCKETS: ${describeResolution(M.prefillTime.buckets)}`,
    queries: [
      { refId: "A", expr: quantile(0.95, M.queueTime.name), legend: "queue" },
      { refId: "B", expr: quantile(0.95, M.retrievalTime.name), legend: "retrieval" },
      { refId: "C", expr: quantile(0.95, M.prefillTime.name), legend: "prefill" },
      { refId: "D", expr: quantile(0.95, M.decodeTime.name), legend: "decode" },
    ],
  },
  {
    id: 207, row: "llm", kind: "timeseries", datasource: "prometheus", title: "Finished generations by reason", unit: "reqps",
    width: 12, height: 8, description: "stop: the model ended; length: max_tokens cut it; abort: the client went away.",
    queries: [{ refId: "A", expr: `sum by (finish_reason) (${rate(M.requestFinished.name)})`, legend: "{{finish_reason}}" }],
  },
  {
    id: 208, row: "llm", kind: "timeseries", datasource: "prometheus", title: "Tokens per finished request", unit: "short",
    width: 12, height: 8, description: "Mean prompt and completion tokens per finished generation over the window.",
    queries: [
      {
        refId: "A", legend: "{{kind}}",
        expr: `sum by (kind) (${rate(M.tokensTotal.name)}) / on() group_left() sum(${rate(M.requestFinished.name)})`,
      },
    ],
  },
];
