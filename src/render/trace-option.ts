// ECharts options for traces from the local span export: the slowest traces as bars, and one
// trace as a waterfall (a stacked bar whose first, invisible part is the span's start offset). Lab 02.
import type { EChartsOption } from "echarts";
import type { TraceDetail, TraceListEntry } from "../viewer/traces.ts";
import { PALETTE, messageOption } from "./panel-option.ts";

const FONT = "DejaVu Sans, Verdana, sans-serif";
const TITLE = { left: 8, top: 6, textStyle: { fontSize: 13, fontWeight: "bold" as const, color: "#222" } };
const ms = (v: number): string => `${Number(v.toPrecision(3))} ms`;

/** Horizontal bars of the slowest traces (slowest on top), red for traces with an error span. */
export function slowTracesOption(title: string, traces: readonly TraceListEntry[], limit = 8): EChartsOption {
  const top = traces.slice(0, limit);
  if (top.length === 0) return messageOption(title, "no traces in the local span export yet");
  return {
    animation: false, textStyle: { fontFamily: FONT },
    title: { text: title, ...TITLE },
    tooltip: { trigger: "item" },
    // Label widths are estimated without a canvas in Node: leave room rather than clip them.
    grid: { left: 40, right: 60, top: 36, bottom: 8, containLabel: true },
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
    grid: { left: 30, right: 70, top: 36, bottom: 8, containLabel: true },
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
