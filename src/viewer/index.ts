// Public surface of the built-in viewer: dashboard panels from llm.json run against Prometheus, and
// traces from the local span export, for machines without Grafana and Tempo (labs 01–02).
export { loadDashboardData } from "./panel-data.ts";
export type { DashboardData, GridPos, LoadOptions, PanelData, PanelState } from "./panel-data.ts";
export { PrometheusUnreachable, legendName, prometheusReady, queryRange, scrapeIntervalSeconds } from "./prometheus-client.ts";
export type { RangeQuery, Series } from "./prometheus-client.ts";
export {
  ZERO_WHILE_SCRAPED, formatDuration, parseDuration, rateIntervalFor, stepFor, substituteVariables, viewerQuery, zeroForIdleCounters,
} from "./promql.ts";
export type { QueryWindow } from "./promql.ts";
export { RANGE_MINUTES, buildViewerApp, startViewer } from "./server.ts";
export type { Viewer, ViewerOptions } from "./server.ts";
export { TraceFolder, waterfallOf } from "./traces.ts";
export type { StatusFilter, TraceDetail, TraceListEntry, WaterfallSpan } from "./traces.ts";
export {
  DEFAULT_PROMETHEUS_URL, DEFAULT_TRACE_DIR, DEFAULT_VIEWER_PORT, RENDER_USAGE, VIEWER_USAGE, parseRenderArgs, parseViewerArgs,
} from "./viewer-args.ts";
export type { RenderArgs, ViewerArgs } from "./viewer-args.ts";
