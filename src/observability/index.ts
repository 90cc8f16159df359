// Public surface of src/observability: metrics (lab 01), traces and logs (lab 02), cost (lab 03),
// and the wiring that puts them on miniserve. Explicit exports only.
export { METRICS, LLM_LATENCY_BUCKETS, TTFT_BUCKETS, STAGE_BUCKETS, TPOT_BUCKETS, BATCH_SIZE_BUCKETS, COST_PER_REQUEST_BUCKETS_EUR, COST_PER_1K_TOKENS_BUCKETS_EUR } from "./catalogue.ts";
export type { MetricKey, MetricSpec, MetricType } from "./catalogue.ts";
export { metrics, recordRequest, bindEngineStats, setTraceSampleRatio, observeWithTrace } from "./metrics.ts";
export type { StatsSource } from "./metrics.ts";
export { exposition, metricsHandler, wantsOpenMetrics, PROMETHEUS_TEXT, OPENMETRICS_TEXT } from "./exposition.ts";
export { CostTracker, CostAccumulator, COST_STAGES, COST_IDENTITY_TOLERANCE } from "./cost-tracker.ts";
export type { CostRecord, CostStage } from "./cost-tracker.ts";
export { RequestObservation, LiveRequests, OBS_META_KEY, observationOf } from "./request-state.ts";
export { observeEngine } from "./engine-observer.ts";
export type { EngineObserverOptions } from "./engine-observer.ts";
export { startTracing, activeTracing, samplerFor, UNTRACED_PATHS, TRACER_NAME } from "./tracing.ts";
export type { Tracing } from "./tracing.ts";
export { BoundedBatchProcessor } from "./span-processor.ts";
export type { BoundedBatchOptions, DropReason } from "./span-processor.ts";
export { LocalTraceStore, readTraceFiles, summarize, orphanSpans, toStoredSpan, TRACE_FILE, ROTATED_TRACE_FILE } from "./local-trace-store.ts";
export type { StoredSpan, TraceSummary, LocalStoreOptions } from "./local-trace-store.ts";
export { buildStageSpans, respondSpan, requestAttributes, epochMs } from "./request-spans.ts";
export { createLogger, promptHash, requestLogFields } from "./logging.ts";
export type { Logger, ResponseFacts } from "./logging.ts";
export { createHttpObservability } from "./http-observability.ts";
export type { HttpObservability } from "./http-observability.ts";
export { registerTraceViewer } from "./trace-viewer.ts";
export { startObservedMiniserve } from "./observed-server.ts";
export type { ObservedMiniserve } from "./observed-server.ts";
