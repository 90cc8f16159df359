// Turns the panel list (panels.ts) into Grafana dashboard JSON with the foundation SDK's
// builders, and writes or checks infra/grafana/dashboards/llm.json (`npm run dashboard`, lab 00).
import * as common from "@grafana/grafana-foundation-sdk/common";
import type * as cog from "@grafana/grafana-foundation-sdk/cog";
import * as dash from "@grafana/grafana-foundation-sdk/dashboard";
import * as heatmap from "@grafana/grafana-foundation-sdk/heatmap";
import * as prometheus from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as tempo from "@grafana/grafana-foundation-sdk/tempo";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { DASHBOARD_FILE } from "../stack/paths.ts";
import { DATASOURCES } from "./panel-types.ts";
import type { PanelQuery, PanelSpec } from "./panel-types.ts";
import { DASHBOARD_TITLE, DASHBOARD_UID, PANELS, ROWS } from "./panels.ts";
import { SAMPLE_VARIABLE, sampleNote } from "./panels-sampling.ts";

const GRID_COLUMNS = 24;

function prometheusTarget(q: PanelQuery): prometheus.DataqueryBuilder {
  const target = new prometheus.DataqueryBuilder()
    .refId(q.refId)
    .datasource(DATASOURCES.prometheus)
    .expr(q.expr)
    .legendFormat(q.legend)
    .editorMode(prometheus.QueryEditorMode.Code)
    .range();
  if (q.exemplar) target.exemplar(true);
  if (q.format === "heatmap") target.format(prometheus.PromQueryFormat.Heatmap);
  return target;
}

function tempoTarget(q: PanelQuery): tempo.DataqueryBuilder {
  return new tempo.DataqueryBuilder()
    .refId(q.refId)
    .datasource(DATASOURCES.tempo)
    .queryType("traceql")
    .query(q.expr)
    .limit(20)
    .tableType(tempo.SearchTableType.Traces);
}

function targets(p: PanelSpec): cog.Builder<cog.Dataquery>[] {
  return p.queries.map((q) => (p.datasource === "tempo" ? tempoTarget(q) : prometheusTarget(q)));
}

function legend(): common.VizLegendOptionsBuilder {
  return new common.VizLegendOptionsBuilder()
    .showLegend(true)
    .displayMode(common.LegendDisplayMode.List)
    .placement(common.LegendPlacement.Bottom);
}

/** Green by default; red from `redFrom` when the panel has an alarm value. */
function thresholds(redFrom?: number): dash.ThresholdsConfigBuilder {
  const steps: dash.Threshold[] = [{ value: null, color: "green" }];
  if (redFrom !== undefined) steps.push({ value: redFrom, color: "red" });
  return new dash.ThresholdsConfigBuilder().mode(dash.ThresholdsMode.Absolute).steps(steps);
}

/** Trace-derived panels say which sample of traces they show (panels-sampling.ts). */
function withSampleNote(p: PanelSpec): PanelSpec {
  const note = sampleNote(p);
  return note === null ? p : { ...p, title: p.title + note.title, description: p.description + note.description };
}

/** The variable trace-derived titles read; Grafana and the built-in viewer both resolve it. */
function sampleVariable(): dash.QueryVariableBuilder {
  return new dash.QueryVariableBuilder(SAMPLE_VARIABLE.name)
    .label(SAMPLE_VARIABLE.label)
    .datasource(DATASOURCES.prometheus)
    .query(SAMPLE_VARIABLE.query)
    .definition(SAMPLE_VARIABLE.query)
    .regex(SAMPLE_VARIABLE.regex)
    .refresh(dash.VariableRefresh.OnTimeRangeChanged);
}

function panelBuilder(spec: PanelSpec, gridPos: dash.GridPos): cog.Builder<dash.Panel> {
  const p = withSampleNote(spec);
  const ds = DATASOURCES[p.datasource];
  switch (p.kind) {
    case "timeseries": {
      const b = new timeseries.PanelBuilder()
        .legend(legend())
        .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending))
        .fillOpacity(p.stacked ? 40 : 8)
        .lineWidth(1)
        .showPoints(common.VisibilityMode.Never)
        .spanNulls(false);
      if (p.stacked) b.stacking(new common.StackingConfigBuilder().mode(common.StackingMode.Normal));
      return b.id(p.id).title(p.title).description(p.description).datasource(ds).unit(p.unit).gridPos(gridPos).targets(targets(p));
    }
    case "heatmap":
      return new heatmap.PanelBuilder()
        .calculate(false)
        .yAxis(new heatmap.YAxisConfigBuilder().unit(p.unit))
        .cellGap(1)
        .showLegend()
        .exemplarsColor("rgba(255,0,255,0.7)")
        .id(p.id).title(p.title).description(p.description).datasource(ds).unit(p.unit).gridPos(gridPos).targets(targets(p));
    case "stat":
      return new stat.PanelBuilder()
        .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false))
        .graphMode(common.BigValueGraphMode.Area)
        .colorMode(common.BigValueColorMode.Value)
        .thresholds(thresholds(p.redFrom))
        .id(p.id).title(p.title).description(p.description).datasource(ds).unit(p.unit).gridPos(gridPos).targets(targets(p));
    case "table":
      return new table.PanelBuilder()
        .id(p.id).title(p.title).description(p.description).datasource(ds).unit(p.unit).gridPos(gridPos).targets(targets(p));
  }
}

/** Builds the dashboard object. Positions are computed here so no panel crosses column 24. */
export function buildDashboard(): dash.Dashboard {
  const builder = new dash.DashboardBuilder(DASHBOARD_TITLE)
    .uid(DASHBOARD_UID)
    .description("RED, LLM serving, saturation, traces and cost of miniserve, one row per question.")
    .tags(["lynx-cortex", "miniserve", "llm"])
    .readonly()
    .timezone("browser")
    .tooltip(dash.DashboardCursorSync.Crosshair)
    .time({ from: "now-15m", to: "now" })
    .refresh("5s")
    .annotations([])
    .withVariable(sampleVariable());

  let y = 0;
  for (const row of ROWS) {
    builder.withRow(new dash.RowBuilder(row.title).id(row.id).gridPos({ x: 0, y, w: GRID_COLUMNS, h: 1 }));
    y += 1;
    let x = 0;
    let lineHeight = 0;
    for (const p of PANELS.filter((panel) => panel.row === row.key)) {
      if (x + p.width > GRID_COLUMNS) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      builder.withPanel(panelBuilder(p, { x, y, w: p.width, h: p.height }));
      x += p.width;
      lineHeight = Math.max(lineHeight, p.height);
    }
    y += lineHeight;
  }
  return builder.build();
}

/** The exact text written to llm.json (the drift test compares against it byte for byte). */
export function renderDashboard(): string {
  return `${JSON.stringify(buildDashboard(), null, 2)}\n`;
}


/** Regenerates the file; returns whether its content changed. */
export function writeDashboard(file: string = DASHBOARD_FILE): { file: string; changed: boolean } {
  const text = renderDashboard();
  const before = existsSync(file) ? readFileSync(file, "utf8") : null;
  if (before !== text) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return { file, changed: before !== text };
}

/** True when the committed file equals what the code generates now (no hand edits, no stale file). */
export function checkDashboard(file: string = DASHBOARD_FILE): boolean {
  return existsSync(file) && readFileSync(file, "utf8") === renderDashboard();
}
