// PNG line charts for the capacity report: ECharts renders SVG on the server, resvg turns it into
// a PNG that shows everywhere (GitHub, notebooks). Used by the capacity ramp (lab 03).
import * as echarts from "echarts";
import { Resvg } from "@resvg/resvg-js";

export interface LineSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number | null])[];
  /** 0 = left axis, 1 = right axis. */
  readonly axis?: 0 | 1;
  readonly dashed?: boolean;
}

export interface LineChartSpec {
  readonly title: string;
  readonly xName: string;
  readonly yNames: readonly [string] | readonly [string, string];
  readonly series: readonly LineSeries[];
  /** Horizontal reference lines on the left axis, e.g. an SLO. */
  readonly marks?: readonly { readonly label: string; readonly y: number }[];
  readonly width?: number;
  readonly height?: number;
}

export function lineChartSvg(spec: LineChartSpec): string {
  const width = spec.width ?? 900, height = spec.height ?? 480;
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({
      animation: false,
      backgroundColor: "#ffffff",
      title: { text: spec.title, left: "center", textStyle: { fontSize: 15 } },
      legend: { bottom: 0, itemGap: 24 },
      grid: { left: 70, right: 90, top: 50, bottom: 70 },
      xAxis: { type: "value", name: spec.xName, nameLocation: "middle", nameGap: 28, scale: true },
      yAxis: spec.yNames.map((name) => ({ type: "value", name, nameLocation: "middle", nameGap: 50 })),
      series: spec.series.map((s, i) => ({
        name: s.name, type: "line", yAxisIndex: s.axis ?? 0, data: s.points.map(([x, y]) => [x, y]),
        symbolSize: 7, connectNulls: false, lineStyle: s.dashed ? { type: "dashed" } : {},
        ...(i === 0 && spec.marks && spec.marks.length > 0
          ? { markLine: { symbol: "none", label: { formatter: "{b}" }, lineStyle: { color: "#c0392b" }, data: spec.marks.map((m) => ({ name: m.label, yAxis: m.y })) } }
          : {}),
      })),
    });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

export function lineChartPng(spec: LineChartSpec): Buffer {
  return Buffer.from(new Resvg(lineChartSvg(spec), { font: { loadSystemFonts: true }, background: "#ffffff" }).render().asPng());
}
