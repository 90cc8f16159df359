// ECharts options for traces from the local span export: the slowest traces as bars, and one
// trace as a waterfall (a stacked bar whose first, invisible part is the span's start offset). Lab 02.
import type { EChartsOption } from "echarts";
import type { PanelData } from "../viewer/panel-data.ts";
import type { TraceDetail, TraceListEntry } from "../viewer/traces.ts";
import { CONTAIN_AXES, PALETTE, messageOption } from "./panel-option.ts";

const FONT = "DejaVu Sans, Verdana, sans-serif";
const TITLE = { left: 8, top: 6, textStyle: { fontSize: 13, fontWeight: "bold" as const, color: "#222" } };
const ms = (v: number): string => `${Number(v.toPrecision(3))} ms`;

/** Horizontal bars of the slowest traces (slowest on top), red for traces with an error span. */
export function slowTracesOption(title: string, traces: readonly TraceListEntry[], limit = 8, widthPx?: number): EChartsOption {
  const top = traces.slice(0, limit);
  if (top.length === 0) return messageOption(title, "no traces in the local span export yet", widthPx);
  return {
    animation: false, textStyle: { fontFamily: FONT },
    title: { text: title, ...TITLE },
    tooltip: { trigger: "item" },
    // Label widths are estimated without a canvas in Node: leave room rather than clip them.
    grid: { left: 40, right: 60, top: 36, bottom: 8, ...CONTAIN_AXES },
    xAxis: { type: "value", name: "ms", nameTextStyle: { fontSize: 10 }, axisLabel: { fontSize: 10 } },
    yAxis: { type: "category", inverse: true, axisLabel: { fontSize: 10 }, data: top.map((t) => `${t.traceId.slice(0, 8)} ${t.rootName.slice(0, 24)}`) },
    series: [{
      type: "bar", name: "duration",
      label: { show: true, position: "right", fontSize: 10 },
      data: top.map((t) => ({
        value: Number(t.durationMs.toFixed(2)),
        itemStyle: { color: t.status === "error" ? "#c4453c" : PALETTE[0] },
        label: { formatter: ms(t.durationMs) },
      })),
    }],
  };
}

/** The `duration > 1s` threshold of a Tempo panel's TraceQL, in ms; null when it has none. */
export function traceQlMinDurationMs(queries: readonly string[]): number | null {
  const m = queries.join(" ").match(/duration\s*>=?\s*(\d+(?:\.\d+)?)(us|µs|ms|s|m)\b/);
  if (!m) return null;
  const factor: Record<string, number> = { us: 0.001, "µs": 0.001, ms: 1, s: 1000, m: 60_000 };
  return Number(m[1]) * factor[m[2]!]!;
}

/**
 * A Tempo panel drawn from the local span export, titled for what it shows: the panel's own title when
 * traces pass its TraceQL duration filter (only those are drawn), otherwise "slowest traces, none over …"
 * (a run of fast requests has none over 1 s, and calling 28–264 ms traces "over 1 s" would be false).
 */
export function tracesPanelOption(panel: PanelData, slowestFirst: readonly TraceListEntry[], widthPx?: number): EChartsOption {
  const minMs = traceQlMinDurationMs(panel.queries);
  if (minMs === null) return slowTracesOption(`${panel.title} — local span export, slowest first`, slowestFirst, 8, widthPx);
  const passing = slowestFirst.filter((t) => t.durationMs > minMs);
  if (passing.length > 0) return slowTracesOption(`${panel.title} — local span export`, passing, 8, widthPx);
  const threshold = minMs >= 1000 ? `${minMs / 1000} s` : `${minMs} ms`;
  return slowTracesOption(`Slowest traces: none over ${threshold} in the local span export`, slowestFirst, 8, widthPx);
}

/** The waterfall of one trace: a row per span, indented by depth, bar from its start to its end. */
export function waterfallOption(detail: TraceDetail): EChartsOption {
  const total = Math.max(detail.durationMs, 1e-3);
  // A span of a few microseconds would be invisible: draw at least 0.4 % of the trace.
  const minWidth = total * 0.004;
  const names = detail.spans.map((s) => `${"· ".repeat(s.depth)}${s.name}`);
  return {
    animation: false, textStyle: { fontFamily: FONT },
    title: { text: `trace ${detail.traceId}  (${ms(detail.durationMs)}, ${detail.spans.length} spans, ${detail.orphanCount} orphans)`, ...TITLE, textStyle: { ...TITLE.textStyle, fontSize: 12 } },
    tooltip: { trigger: "item" },
    grid: { left: 30, right: 70, top: 36, bottom: 8, ...CONTAIN_AXES },
    xAxis: { type: "value", name: "ms from start", nameTextStyle: { fontSize: 10 }, max: Number((total * 1.001).toPrecision(6)), axisLabel: { fontSize: 10 } },
    yAxis: { type: "category", inverse: true, data: names, axisLabel: { fontSize: 11, fontFamily: "DejaVu Sans Mono, monospace" } },
    series: [
      {
        type: "bar", stack: "span", name: "offset", silent: true, itemStyle: { color: "transparent" },
        data: detail.spans.map((s) => Number(s.offsetMs.toFixed(3))),
      },
      {
        type: "bar", stack: "span", name: "duration", barMaxWidth: 18,
        label: { show: true, position: "right", fontSize: 10 },
        data: detail.spans.map((s) => ({
          value: Number(Math.max(s.durationMs, minWidth).toFixed(3)),
          itemStyle: { color: s.status.code === "error" ? "#c4453c" : s.depth === 0 ? "#6b7785" : PALETTE[0] },
          label: { formatter: ms(s.durationMs) },
        })),
      },
    ],
  };
}
