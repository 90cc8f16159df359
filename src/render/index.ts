// Public surface of src/render: the dashboard's ECharts options and PNG output without a browser,
// for `npm run render-dashboard`, the notebooks and the benchmarks (labs 01–03).
export { barChartOption, barChartPng, lineChartOption, lineChartPng, pngOfSvg, pngSize, svgOf } from "./chart-png.ts";
export type { BarChartOptions, BarData, ChartOptions, LineSeries } from "./chart-png.ts";
export { composeDashboardSvg, renderDashboardPng, renderPanelPng } from "./dashboard-png.ts";
export type { RenderOptions } from "./dashboard-png.ts";
export type { TimeRange } from "./panel-option.ts";
export { CONTAIN_AXES, PALETTE, heatmapOption, messageOption, panelOption, statOption, timeseriesOption, wrapText } from "./panel-option.ts";
export { slowTracesOption, traceQlMinDurationMs, tracesPanelOption, waterfallOption } from "./trace-option.ts";
export { displayUnit, formatValue } from "./units.ts";
export type { DisplayUnit } from "./units.ts";
