// ECharts options for the dashboard's panels (time series, heatmap, stat), built as plain JSON so
// the browser viewer and the Node PNG renderer draw exactly the same chart (labs 01–03).
import type { EChartsOption } from "echarts";
import type { PanelData } from "../viewer/panel-data.ts";
import type { Series } from "../viewer/prometheus-client.ts";
import { displayUnit, formatValue } from "./units.ts";
import type { DisplayUnit } from "./units.ts";

export const PALETTE = ["#3b6fd4", "#e0812f", "#2f9e6b", "#c4453c", "#7d5bbe", "#8c6d3f", "#d15fa6", "#6b7785"];
const TITLE = { left: 8, top: 6, textStyle: { fontSize: 13, fontWeight: "bold" as const, color: "#222" } };
const FONT = "DejaVu Sans, Verdana, sans-serif";

/**
 * The plot area shrinks until axis labels AND axis names fit inside the chart (ECharts 6's outer bounds;
 * the older `containLabel` left names such as "bucket (upper bound)" or the unit clipped at the edge).
 */
export const CONTAIN_AXES = { outerBoundsMode: "same", outerBoundsContain: "all" } as const;

/** The selected time range in epoch ms: the x axis spans it even where samples are missing. */
export interface TimeRange { readonly startMs: number; readonly endMs: number }

function maxAbs(series: readonly Series[]): number {
  let m = 0;
  for (const s of series) for (const [, v] of s.points) if (v !== null && Math.abs(v) > m) m = Math.abs(v);
  return m;
}

const scaled = (points: Series["points"], u: DisplayUnit): (number | null)[][] =>
  points.map(([t, v]) => [t, v === null ? null : Number((v * u.factor).toPrecision(6))]);

/** Words wrapped into lines of at most `width` characters (a long word gets a line of its own). */
export function wrapText(text: string, width: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

/**
 * A chart that only says why it is empty (used by the PNG renderer; the page shows plain text), wrapped
 * to the panel's width in pixels so a long reason is not cut at the edges.
 */
export function messageOption(title: string, message: string, widthPx = 480): EChartsOption {
  return { animation: false, textStyle: { fontFamily: FONT }, title: { text: title, ...TITLE }, graphic: [note(message, widthPx)] };
}

/**
 * Grey text wrapped to the panel, on a light backing so it reads over a chart's lines too. Left-aligned:
 * without a canvas, ECharts underestimates text widths and would centre a long block too far right.
 */
function note(message: string, widthPx: number) {
  const fontSize = message.length > 60 ? 12 : 14;
  return {
    type: "text" as const, left: message.length > 60 ? 20 : "center", top: "middle", z: 100,
    style: {
      text: wrapText(message, Math.max(20, Math.floor((widthPx - 40) / (fontSize * 0.7)))), fontSize, lineHeight: fontSize + 4,
      fill: "#777", backgroundColor: "rgba(255,255,255,0.88)", padding: 4,
    },
  };
}

/** Lines over time, one per series; the y axis carries the display unit. */
export function timeseriesOption(title: string, series: readonly Series[], unit: string, range?: TimeRange): EChartsOption {
  const u = displayUnit(unit, maxAbs(series));
  return {
    animation: false, color: PALETTE, textStyle: { fontFamily: FONT },
    title: { text: title, ...TITLE },
    tooltip: { trigger: "axis" },
    legend: { type: "scroll", bottom: 0, textStyle: { fontSize: 10 }, itemWidth: 14, itemHeight: 8 },
    grid: { left: 12, right: 16, top: 40, bottom: 30, ...CONTAIN_AXES },
    // The axis spans the selected range, as in Grafana, not just the samples that exist.
    xAxis: { type: "time", ...(range ? { min: range.startMs, max: range.endMs } : {}), axisLabel: { fontSize: 10, hideOverlap: true } },
    yAxis: { type: "value", axisLabel: { fontSize: 10, formatter: u.suffix ? `{value} ${u.suffix}` : "{value}" } },
    series: series.map((s) => ({ type: "line" as const, name: s.name, showSymbol: false, connectNulls: false, lineStyle: { width: 1.5 }, data: scaled(s.points, u) })),
  };
}

/** The last drawn value of the first series, big, over a faint sparkline of the range. */
export function statOption(title: string, series: readonly Series[], unit: string, range?: TimeRange): EChartsOption {
  const u = displayUnit(unit, maxAbs(series));
  const first = series[0];
  const last = first ? [...first.points].reverse().find(([, v]) => v !== null)?.[1] ?? null : null;
  return {
    animation: false, color: PALETTE, textStyle: { fontFamily: FONT },
    title: { text: title, ...TITLE },
    grid: { left: 0, right: 0, top: 70, bottom: 0 },
    xAxis: { type: "time", show: false, ...(range ? { min: range.startMs, max: range.endMs } : {}) },
    yAxis: { type: "value", show: false },
    graphic: [{ type: "text", left: "center", top: 34, style: { text: formatValue(last, u), fontSize: 26, fontWeight: "bold", fill: "#222" } }],
    series: first ? [{ type: "line", name: first.name, showSymbol: false, areaStyle: { opacity: 0.15 }, lineStyle: { width: 1 }, data: scaled(first.points, u) }] : [],
  };
}

const leOf = (s: Series): number => (s.labels["le"] === "+Inf" ? Infinity : Number(s.labels["le"]));

/**
 * Cumulative `le` buckets over time, turned into per-bucket rates (what Grafana does with
 * format "heatmap") and drawn as a heatmap: time across, bucket upper bound up.
 */
export function heatmapOption(title: string, series: readonly Series[], unit: string): EChartsOption {
  const buckets = series.filter((s) => s.labels["le"] !== undefined).sort((a, b) => leOf(a) - leOf(b));
  const times = [...new Set(buckets.flatMap((b) => b.points.map(([t]) => t)))].sort((a, b) => a - b);
  const at = buckets.map((b) => new Map(b.points.map(([t, v]) => [t, v ?? 0])));
  const cells: [number, number, number][] = [];
  let top = 0;
  times.forEach((t, x) => {
    let below = 0;
    at.forEach((m, y) => {
      const cum = m.get(t) ?? below;
      const v = Math.max(0, cum - below);
      below = Math.max(below, cum);
      if (v > 0) cells.push([x, y, Number(v.toPrecision(4))]);
      top = Math.max(top, v);
    });
  });
  const finite = buckets.map(leOf).filter(Number.isFinite);
  const u = displayUnit(unit, finite.length ? Math.max(...finite) / 10 : 0);
  const clock = (t: number): string => new Date(t).toTimeString().slice(0, 8);
  return {
    animation: false, textStyle: { fontFamily: FONT },
    title: { text: title, ...TITLE },
    tooltip: { position: "top" },
    grid: { left: 12, right: 16, top: 40, bottom: 44, ...CONTAIN_AXES },
    xAxis: { type: "category", data: times.map(clock), axisLabel: { fontSize: 10, hideOverlap: true } },
    yAxis: { type: "category", name: `≤ ${u.suffix}`, nameTextStyle: { fontSize: 10 }, axisLabel: { fontSize: 10, hideOverlap: true }, data: buckets.map((b) => (leOf(b) === Infinity ? "+Inf" : formatValue(leOf(b), { ...u, suffix: "" }))) },
    visualMap: { min: 0, max: top > 0 ? Number(top.toPrecision(3)) : 1, orient: "horizontal", left: "center", bottom: 0, itemHeight: 80, itemWidth: 10, textStyle: { fontSize: 9 }, calculable: false, inRange: { color: ["#eef3fb", "#7fa6e6", "#2d5bb8", "#e0812f"] } },
    series: [{ type: "heatmap", name: "requests per second", data: cells }],
  };
}

/** The chart option for one loaded panel (`null` for a Tempo panel: the caller supplies traces). */
export function panelOption(panel: PanelData, range?: TimeRange, widthPx?: number): EChartsOption | null {
  if (panel.state === "traces") return null;
  if (panel.state === "error") return messageOption(panel.title, `query failed: ${panel.error ?? "unknown error"}`, widthPx);
  if (panel.state === "no data") return messageOption(panel.title, panel.why ? `no data: ${panel.why}` : "no data", widthPx);
  if (panel.kind === "stat") return statOption(panel.title, panel.series, panel.unit, range);
  if (panel.kind === "heatmap") return heatmapOption(panel.title, panel.series, panel.unit);
  const option = timeseriesOption(panel.title, panel.series, panel.unit, range);
  // Too few points to read (a run of seconds in a range of minutes): the chart says why over itself.
  return panel.why ? { ...option, graphic: [note(panel.why, widthPx ?? 480)] } : option;
}
