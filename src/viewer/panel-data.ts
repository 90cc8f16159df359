// Runs every panel of llm.json against Prometheus for one time range and returns the series per
// panel, grouped in the dashboard's rows. The viewer page and the PNG renderer both start here (lab 01).
import { readFileSync } from "node:fs";
import { readDashboard, readVariables } from "../dashboard/read-dashboard.ts";
import type { DashboardPanel, PanelKind } from "../dashboard/panel-types.ts";
import { DASHBOARD_FILE } from "../stack/paths.ts";
import { PrometheusUnreachable, prometheusReady, queryInstant, queryRange, scrapeIntervalSeconds } from "./prometheus-client.ts";
import type { Series } from "./prometheus-client.ts";
import { applyVariableRegex, interpolate, queryResultLine, stepFor, substituteVariables } from "./promql.ts";
import type { QueryVariable } from "./promql.ts";

export interface GridPos { readonly x: number; readonly y: number; readonly w: number; readonly h: number }

/**
 * "ok": at least one finite point; "no data": Prometheus answered with nothing; "error": the query
 * failed; "traces": a Tempo panel, which the viewer fills from the local span export instead.
 */
export type PanelState = "ok" | "no data" | "error" | "traces";

export interface PanelData {
  readonly id: number;
  readonly title: string;
  readonly row: string;
  readonly kind: PanelKind;
  readonly unit: string;
  readonly description: string;
  readonly gridPos: GridPos;
  readonly state: PanelState;
  readonly error?: string;
  /** The expressions as sent: Grafana's $__ variables substituted, nothing else changed. */
  readonly queries: readonly string[];
  readonly series: readonly Series[];
}

export interface DashboardData {
  readonly prometheusUrl: string;
  /** null when Prometheus answered; otherwise what to tell the reader. */
  readonly prometheusError: string | null;
  readonly minutes: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly stepSeconds: number;
  readonly scrapeSeconds: number;
  readonly rows: readonly { readonly title: string; readonly panels: readonly PanelData[] }[];
}

export interface LoadOptions {
  readonly prometheusUrl: string;
  readonly minutes: number;
  readonly dashboardFile?: string;
  /** End of the range, epoch ms (default now). */
  readonly nowMs?: number;
}

/** Grid positions by panel id: read-dashboard.ts leaves layout out, the page and the PNG need it. */
function gridPositions(file: string): Map<number, GridPos> {
  const raw = JSON.parse(readFileSync(file, "utf8")) as { panels?: { id?: number; gridPos?: GridPos; panels?: unknown[] }[] };
  const out = new Map<number, GridPos>();
  const visit = (list: { id?: number; gridPos?: GridPos; panels?: unknown[] }[]): void => {
    for (const p of list) {
      if (typeof p.id === "number" && p.gridPos) out.set(p.id, p.gridPos);
      if (Array.isArray(p.panels)) visit(p.panels as typeof list);
    }
  };
  visit(raw.panels ?? []);
  return out;
}

const hasPoint = (series: readonly Series[]): boolean => series.some((s) => s.points.some(([, v]) => v !== null));

async function loadPanel(panel: DashboardPanel, grid: GridPos, o: { base: string; start: number; end: number; step: number; scrape: number; range: number }): Promise<PanelData> {
  const common = { id: panel.id, title: panel.title, row: panel.row, kind: panel.kind, unit: panel.unit, description: panel.description, gridPos: grid };
  if (panel.datasource !== "prometheus") return { ...common, state: "traces", queries: [], series: [] };
  const window = { rangeSeconds: o.range, stepSeconds: o.step, scrapeSeconds: o.scrape };
  const queries = panel.queries.map((q) => substituteVariables(q.expr, window));
  try {
    const results = await Promise.all(panel.queries.map((q, i) => queryRange(o.base, {
      expr: queries[i]!, legend: q.legend, fallbackName: q.legend || q.refId,
      startSeconds: o.start, endSeconds: o.end, stepSeconds: o.step,
    })));
    const series = results.flat();
    return { ...common, state: hasPoint(series) ? "ok" : "no data", queries, series };
  } catch (err) {
    if (err instanceof PrometheusUnreachable) throw err;
    return { ...common, state: "error", error: (err as Error).message, queries, series: [] };
  }
}

/**
 * The dashboard's variables as Grafana resolves them at the end of the range: query_result(expr)
 * lists the samples of expr, the variable's regex picks the value. "?" when Prometheus has none.
 */
export async function resolveVariables(base: string, variables: readonly QueryVariable[], atSeconds: number): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const v of variables) {
    const inner = /^query_result\((.*)\)$/s.exec(v.query.trim())?.[1];
    let value: string | null = null;
    try {
      if (inner !== undefined) value = applyVariableRegex(v.regex, (await queryInstant(base, inner, atSeconds)).map((r) => queryResultLine(r.metric, r.value, atSeconds)));
    } catch (err) {
      if (err instanceof PrometheusUnreachable) throw err;
    }
    out[v.name] = value ?? "?";
  }
  return out;
}

/** Every panel of the dashboard with its data; never throws because Prometheus is down. */
export async function loadDashboardData(opts: LoadOptions): Promise<DashboardData> {
  const file = opts.dashboardFile ?? DASHBOARD_FILE;
  const variables = readVariables(file);
  const grid = gridPositions(file);
  const base = opts.prometheusUrl.replace(/\/+$/, "");
  const endMs = opts.nowMs ?? Date.now();
  const range = opts.minutes * 60;
  const up = await prometheusReady(base);
  const scrape = up ? await scrapeIntervalSeconds(base) : 5;
  const step = stepFor(range, scrape);
  const o = { base, start: Math.floor(endMs / 1000) - range, end: Math.floor(endMs / 1000), step, scrape, range };
  let prometheusError: string | null = up ? null : `Prometheus at ${base} does not answer. Start it with \`npm run stack -- up\` (or \`npm start\`).`;
  let data: PanelData[] = [];
  let values: Record<string, string> = Object.fromEntries(variables.map((v) => [v.name, "?"]));
  const panels = (): DashboardPanel[] => readDashboard(file).map((p) => ({ ...p, title: interpolate(p.title, values), description: interpolate(p.description, values) }));
  if (up) {
    try {
      values = await resolveVariables(base, variables, o.end);
      data = await Promise.all(panels().map((p) => loadPanel(p, grid.get(p.id) ?? { x: 0, y: 0, w: 8, h: 8 }, o)));
    } catch (err) {
      prometheusError = (err as Error).message;
    }
  }
  if (prometheusError !== null) {
    data = panels().map((p) => ({
      id: p.id, title: p.title, row: p.row, kind: p.kind, unit: p.unit, description: p.description,
      gridPos: grid.get(p.id) ?? { x: 0, y: 0, w: 8, h: 8 },
      state: p.datasource === "prometheus" ? "error" : "traces", error: "Prometheus unreachable", queries: [], series: [],
    }));
  }
  const rows: { title: string; panels: PanelData[] }[] = [];
  for (const p of data) {
    const last = rows[rows.length - 1];
    if (last && last.title === p.row) last.panels.push(p);
    else rows.push({ title: p.row, panels: [p] });
  }
  return { prometheusUrl: base, prometheusError, minutes: opts.minutes, startMs: o.start * 1000, endMs: o.end * 1000, stepSeconds: step, scrapeSeconds: scrape, rows };
}
