// The load-test toolkit of lab 03: the request mix, the load driver, results and summary, and the
// capacity ramp with its prediction. The CLIs (loadtest, capacity) and the lab notebook import from here.
export { buildRequestMix, describeMix, PROMPT_CLASSES, MAX_TOKENS_RANGE, RETRIEVAL_SHARE, RETRIEVAL_TOP_K, STREAM_SHARE, CHAT_SHARE } from "./request-mix.ts";
export type { MixEntry, MixOptions } from "./request-mix.ts";
export { runLoadTest } from "./driver.ts";
export type { ClientView, LoadProgress, LoadTestHooks, LoadTestOptions } from "./driver-types.ts";
export { distribution, percentile } from "./client-stats.ts";
export type { Distribution, TimelineSecond } from "./client-stats.ts";
export { baseUrl, checkReady, loopbackTarget } from "./target.ts";
export type { ReadyStats } from "./target.ts";
export { RESULTS_SCHEMA, RESULTS_SCHEMA_VERSION, buildResults, runIdOf, validateResults } from "./results.ts";
export type { LoadTestResults } from "./results.ts";
export { SCRAPE_SETTLE_S, readServerMetrics, serverQueries } from "./server-metrics.ts";
export type { QueryResult, ServerMetrics } from "./server-metrics.ts";
export { costEstimate, eur, renderSummary, serverView } from "./summary.ts";
export { estimateCell, quantileSection } from "./summary-quantiles.ts";
export type { Quantiles, ServerQuantiles } from "./summary-quantiles.ts";
export type { ServerView, SummaryExtras } from "./summary.ts";
export { DEFAULT_OUT_DIR, recordLoadTest } from "./record.ts";
export type { RecordedRun, RecordHooks, RecordOptions } from "./record.ts";
export { runRamp, scrapeCounters } from "./capacity.ts";
export type { RampOptions, RampStep } from "./capacity.ts";
export { predict, predictedKnee, saturationRate, stepMsAt } from "./capacity-model.ts";
export type { CapacityInputs, Prediction } from "./capacity-model.ts";
export { measuredKnee, renderCapacityReadme, writeCapacityReport } from "./capacity-report.ts";
export type { CapacityReport } from "./capacity-report.ts";
export { lineChartPng, lineChartSvg } from "./charts.ts";
export type { LineChartSpec, LineSeries } from "./charts.ts";
