// Server-side charts: an ECharts option rendered to SVG in Node (no browser) and rasterised to PNG
// with resvg. Notebooks and benchmarks use lineChartPng/barChartPng for their own charts (labs 01–03).
import { existsSync } from "node:fs";
import { Resvg } from "@resvg/resvg-js";
import * as echarts from "echarts";
import type { EChartsOption } from "echarts";
import { CONTAIN_AXES, PALETTE } from "./panel-option.ts";
import { displayUnit } from "./units.ts";

const DEJAVU = "/usr/share/fonts/truetype/dejavu";
const FONT_FILES = ["DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansMono.ttf"].map((f) => `${DEJAVU}/${f}`).filter((f) => existsSync(f));

/** Renders an option to an SVG string at a fixed size; animation off, the instance disposed. */
export function svgOf(option: EChartsOption, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  try {
    chart.setOption({ ...option, animation: false });
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

/**
 * SVG to PNG. DejaVu (Debian's fonts-dejavu-core) is loaded from its files when present, which is
 * much faster than scanning every system font; elsewhere the system fonts are used.
 */
export function pngOfSvg(svg: string, opts: { background?: string; scale?: number } = {}): Buffer {
  const resvg = new Resvg(svg, {
    background: opts.background ?? "#ffffff",
    fitTo: opts.scale && opts.scale !== 1 ? { mode: "zoom", value: opts.scale } : { mode: "original" },
    font: FONT_FILES.length > 0
      ? { loadSystemFonts: false, fontFiles: FONT_FILES, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans", monospaceFamily: "DejaVu Sans Mono" }
      : { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

export interface ChartOptions {
  readonly title?: string;
  readonly width?: number;
  readonly height?: number;
  /** "time" expects epoch ms on x; "value" any number (default "value"). */
  readonly xType?: "time" | "value";
  readonly xName?: string;
  readonly yName?: string;
  /** Name of the right-hand y axis, for series drawn against it (`axis: "right"`). */
  readonly y2Name?: string;
  /** A Grafana unit id ("s", "bytes", "percentunit", "currencyEUR"…) applied to y. */
  readonly unit?: string;
  readonly scale?: number;
}

export interface LineSeries {
  readonly name: string;
  readonly points: readonly (readonly [number, number | null])[];
  /** "right": its own y axis, for a quantity on another scale (p95 seconds next to answers per second). */
  readonly axis?: "left" | "right";
}

/** A line chart as PNG, e.g. latency per concurrency level from a benchmark. */
export function lineChartPng(series: readonly LineSeries[], opts: ChartOptions = {}): Buffer {
  return pngOfSvg(svgOf(lineChartOption(series, opts), opts.width ?? 800, opts.height ?? 400), { scale: opts.scale ?? 1 });
}

/** The ECharts option lineChartPng draws (tests check its layout as SVG). */
export function lineChartOption(series: readonly LineSeries[], opts: ChartOptions = {}): EChartsOption {
  const left = series.filter((s) => s.axis !== "right");
  const max = Math.max(0, ...left.flatMap((s) => s.points.map(([, v]) => Math.abs(v ?? 0))));
  const u = displayUnit(opts.unit ?? "none", max);
  const twoAxes = series.some((s) => s.axis === "right");
  const option: EChartsOption = {
    color: PALETTE, textStyle: { fontFamily: "DejaVu Sans, sans-serif" },
    ...(opts.title ? { title: { text: opts.title, left: 8, top: 6, textStyle: { fontSize: 14 } } } : {}),
    legend: { bottom: 0, itemGap: 24, textStyle: { fontSize: 11 } },
    grid: { left: 16, right: 24, top: opts.title ? 44 : 20, bottom: 30, ...CONTAIN_AXES },
    xAxis: { type: opts.xType ?? "value", name: opts.xName ?? "", nameLocation: "middle", nameGap: 24, scale: opts.xType !== "time" },
    yAxis: [
      { type: "value", name: opts.yName ?? u.suffix },
      ...(twoAxes ? [{ type: "value" as const, name: opts.y2Name ?? "", position: "right" as const, splitLine: { show: false } }] : []),
    ],
    series: series.map((s) => {
      const factor = s.axis === "right" ? 1 : u.factor;
      return {
        type: "line" as const, name: s.name, showSymbol: s.points.length <= 30, yAxisIndex: s.axis === "right" ? 1 : 0,
        data: s.points.map(([x, y]) => [x, y === null ? null : Number((y * factor).toPrecision(6))]),
      };
    }),
  };
  return option;
}

export interface BarData {
  readonly categories: readonly string[];
  readonly series: readonly { readonly name: string; readonly values: readonly (number | null)[] }[];
}

export type BarChartOptions = Omit<ChartOptions, "xType" | "y2Name"> & { horizontal?: boolean };

/** A grouped bar chart as PNG, e.g. cost per stage or throughput per configuration. */
export function barChartPng(data: BarData, opts: BarChartOptions = {}): Buffer {
  return pngOfSvg(svgOf(barChartOption(data, opts), opts.width ?? 800, opts.height ?? 400), { scale: opts.scale ?? 1 });
}

/** The ECharts option barChartPng draws. */
export function barChartOption(data: BarData, opts: BarChartOptions = {}): EChartsOption {
  const max = Math.max(0, ...data.series.flatMap((s) => s.values.map((v) => Math.abs(v ?? 0))));
  const u = displayUnit(opts.unit ?? "none", max);
  // The name sits centred under the labels; every label is shown (13 histogram buckets fit in 800 px).
  const category = { type: "category" as const, data: [...data.categories], name: opts.xName ?? "", nameLocation: "middle" as const, nameGap: 28, axisLabel: { interval: 0 } };
  const value = { type: "value" as const, name: opts.yName ?? u.suffix };
  const option: EChartsOption = {
    color: PALETTE, textStyle: { fontFamily: "DejaVu Sans, sans-serif" },
    ...(opts.title ? { title: { text: opts.title, left: 8, top: 6, textStyle: { fontSize: 14 } } } : {}),
    legend: { bottom: 0, textStyle: { fontSize: 11 } },
    grid: { left: 16, right: 24, top: opts.title ? 44 : 20, bottom: 30, ...CONTAIN_AXES },
    xAxis: opts.horizontal ? value : category,
    yAxis: opts.horizontal ? { ...category, inverse: true } : value,
    series: data.series.map((s) => ({
      type: "bar" as const, name: s.name,
      data: s.values.map((v) => (v === null ? null : Number((v * u.factor).toPrecision(6)))),
    })),
  };
  return option;
}

/** Width and height of a PNG, read from its IHDR chunk (tests and callers check output this way). */
export function pngSize(png: Buffer): { width: number; height: number } {
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (png.length < 24 || !png.subarray(0, 8).equals(signature) || png.toString("latin1", 12, 16) !== "IHDR") {
    throw new Error("not a PNG file");
  }
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
