// Public surface of the built-in viewer: dashboard panels from llm.json run against Prometheus, and
// traces from the local span export, for machines without Grafana and Tempo (labs 01–02).
export { loadDashboardData, resolveVariables } from "./panel-data.ts";
export type { DashboardData, GridPos, LoadOptions, PanelData, PanelState } from "./panel-data.ts";
export { PrometheusUnreachable, legendName, prometheusReady, queryInstant, queryRange, scrapeIntervalSeconds } from "./prometheus-client.ts";
export type { RangeQuery, Series } from "./prometheus-client.ts";
export {
  applyVariableRegex, formatDuration, interpolate, parseDuration, queryResultLine, rateIntervalFor, stepFor, substituteVariables,
} from "./promql.ts";
export type { QueryVariable, QueryWindow } from "./promql.ts";
export { RANGE_MINUTES, buildViewerApp, startViewer } from "./server.ts";
export type { Viewer, ViewerOptions } from "./server.ts";
export { TraceFolder, waterfallOf } from "./traces.ts";
export type { StatusFilter, TraceDetail, TraceListEntry, WaterfallSpan } from "./traces.ts";
export {
  AUDIT_USAGE, DEFAULT_PROMETHEUS_URL, DEFAULT_TRACE_DIR, DEFAULT_VIEWER_PORT, RENDER_USAGE, VIEWER_USAGE, parseAuditArgs, parseRenderArgs,
  parseViewerArgs,
} from "./viewer-args.ts";
export type { AuditArgs, RenderArgs, ViewerArgs } from "./viewer-args.ts";
export { auditPanels } from "./panel-audit.ts";
export type { AuditOptions, AuditReport, PanelVerdict } from "./panel-audit.ts";
