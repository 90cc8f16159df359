// The whole dashboard as one PNG: every llm.json panel drawn with the viewer's ECharts options in
// Node, laid out on Grafana's 24-column grid and rasterised once. `npm run render-dashboard` (lab 01).
import { panelOption } from "./panel-option.ts";
import type { TimeRange } from "./panel-option.ts";
import { tracesPanelOption } from "./trace-option.ts";
import { pngOfSvg, svgOf } from "./chart-png.ts";
import { loadDashboardData } from "../viewer/panel-data.ts";
import type { DashboardData, PanelData } from "../viewer/panel-data.ts";
import { TraceFolder } from "../viewer/traces.ts";

/** Pixels per grid unit of height; Grafana uses about 30. */
const UNIT_H = 30;
const HEADER_H = 56;
const GAP = 6;

const xml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface RenderOptions {
  readonly prometheusUrl: string;
  readonly minutes: number;
  /** Folder of the local span export: fills the Tempo panel with the slowest traces. */
  readonly traceDir?: string;
  readonly dashboardFile?: string;
  /** Image width in pixels (default 1600). */
  readonly width?: number;
  readonly nowMs?: number;
}

/** One panel as PNG (width × height pixels), from data loaded by loadDashboardData. */
export function renderPanelPng(panel: PanelData, opts: { width?: number; height?: number; traceDir?: string } = {}): Buffer {
  return pngOfSvg(panelSvg(panel, opts.width ?? 640, opts.height ?? 320, opts.traceDir));
}

function panelSvg(panel: PanelData, width: number, height: number, traceDir: string | undefined, range?: TimeRange): string {
  const option = panelOption(panel, range, width) ?? tracesPanelOption(panel, traceDir ? new TraceFolder(traceDir).list("all", 8) : [], width);
  return svgOf(option, width, height);
}

/** Lays out already-loaded dashboard data; exported for tests and for callers that loaded it once. */
export function composeDashboardSvg(data: DashboardData, opts: { width?: number; traceDir?: string; title?: string } = {}): { svg: string; width: number; height: number } {
  const width = opts.width ?? 1600;
  const col = width / 24;
  const panels = data.rows.flatMap((r) => r.panels);
  // Rows sit between panels in llm.json's grid (h = 1); their titles come from the panels' row field.
  const rowTops = new Map<string, number>();
  for (const p of panels) rowTops.set(p.row, Math.min(rowTops.get(p.row) ?? Infinity, p.gridPos.y));
  const bottom = Math.max(...panels.map((p) => p.gridPos.y + p.gridPos.h), 1);
  const height = HEADER_H + bottom * UNIT_H + GAP;
  const parts: string[] = [];
  const when = `${new Date(data.startMs).toISOString().slice(0, 19)} → ${new Date(data.endMs).toISOString().slice(0, 19)} UTC`;
  parts.push(`<rect x="0" y="0" width="${width}" height="${height}" fill="#f4f5f7"/>`);
  parts.push(`<text x="12" y="26" font-family="DejaVu Sans" font-size="20" font-weight="bold" fill="#222">${xml(opts.title ?? "lynx-cortex LLM serving")}</text>`);
  parts.push(`<text x="12" y="46" font-family="DejaVu Sans" font-size="12" fill="#555">${xml(`last ${data.minutes} min, ${when}, Prometheus ${data.prometheusUrl}, step ${data.stepSeconds} s`)}</text>`);
  if (data.prometheusError) {
    parts.push(`<rect x="${width / 2 - 10}" y="8" width="${width / 2}" height="40" fill="#fdecea" stroke="#c4453c"/>`);
    parts.push(`<text x="${width / 2}" y="33" font-family="DejaVu Sans" font-size="13" fill="#a12c23">${xml(data.prometheusError.split(". ")[0]!.slice(0, 90))}</text>`);
  }
  for (const [row, top] of rowTops) {
    parts.push(`<text x="12" y="${HEADER_H + (top - 1) * UNIT_H + 21}" font-family="DejaVu Sans" font-size="15" font-weight="bold" fill="#333">${xml(row)}</text>`);
  }
  for (const p of panels) {
    const x = Math.round(p.gridPos.x * col + GAP / 2);
    const y = Math.round(HEADER_H + p.gridPos.y * UNIT_H + GAP / 2);
    const w = Math.round(p.gridPos.w * col - GAP);
    const h = Math.round(p.gridPos.h * UNIT_H - GAP);
    parts.push(`<rect x="${x}" y="${y}" width="${w}" height="${h}" fill="#ffffff" stroke="#d8dbe0"/>`);
    // Each panel is a nested <svg> placed at its grid position: ECharts' output kept as is.
    parts.push(panelSvg(p, w, h, opts.traceDir, { startMs: data.startMs, endMs: data.endMs }).replace(/^<svg /, `<svg x="${x}" y="${y}" `));
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${parts.join("\n")}</svg>`;
  return { svg, width, height };
}

/** Queries Prometheus for every panel and returns the dashboard as one PNG, with the data it drew. */
export async function renderDashboardPng(opts: RenderOptions): Promise<{ png: Buffer; data: DashboardData; width: number; height: number }> {
  const data = await loadDashboardData({
    prometheusUrl: opts.prometheusUrl, minutes: opts.minutes,
    ...(opts.dashboardFile ? { dashboardFile: opts.dashboardFile } : {}), ...(opts.nowMs ? { nowMs: opts.nowMs } : {}),
  });
  const { svg, width, height } = composeDashboardSvg(data, { ...(opts.width ? { width: opts.width } : {}), ...(opts.traceDir ? { traceDir: opts.traceDir } : {}) });
  return { png: pngOfSvg(svg), data, width, height };
}
