// Public surface of the dashboard-as-code module: the panel list, the builder and the reader
// of infra/grafana/dashboards/llm.json (lab 00; the built-in viewer reads panels through it).
export { buildDashboard, checkDashboard, renderDashboard, writeDashboard } from "./build-dashboard.ts";
export {
  DATASOURCES, EXEMPLAR_TRACE_ID_LABEL, RATE_WINDOW, SERVICE_NAME, datasourceKeyOfUid, mean, percentiles, quantile, rate,
} from "./panel-types.ts";
export type { DashboardPanel, DatasourceKey, DatasourceRef, PanelKind, PanelQuery, PanelSpec, RowKey, RowSpec } from "./panel-types.ts";
export { DASHBOARD_TITLE, DASHBOARD_UID, PANELS, ROWS, metricNamesIn, panelsOfRow, rowOf } from "./panels.ts";
export { panelsOfDashboard, prometheusQueries, readDashboard, readVariables } from "./read-dashboard.ts";
export { SAMPLE_VARIABLE, SAMPLING_PANELS, sampleNote } from "./panels-sampling.ts";
