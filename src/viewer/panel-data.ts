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
  /** Why the panel is empty ("no data") or too sparse to read, e.g. a run too short for rate()'s window. */
  readonly why?: string;
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

/** A time series with fewer points than this over the whole range is too sparse to read: it gets a note. */
export const SPARSE_POINTS = 4;

/** The most points any one series has; `nonZero` counts only points that moved off zero. */
const pointsOf = (series: readonly Series[], nonZero = false): number =>
  Math.max(0, ...series.map((s) => s.points.filter(([, v]) => v !== null && (!nonZero || v !== 0)).length));

/** The range of the first rate()/irate()/increase() in the queries, e.g. "20s"; undefined without one. */
const rateWindow = (queries: readonly string[]): string | undefined =>
  queries.join(" ").match(/\b(?:rate|irate|increase)\([^\[]*\[([0-9a-z]+)\]/)?.[1];

/**
 * Why a panel is empty (`points` 0) or nearly so, in a few sentences: nothing scraped at all, a rate()
 * window that has not yet seen two scrapes of a series (a run of a few seconds, as in quick mode), or
 * nothing observed yet.
 */
export function emptyReason(queries: readonly string[], points: number, scrapes: number | null, scrapeSeconds: number): string {
  if (scrapes === 0) return "Prometheus has not scraped miniserve in this range: is its target up?";
  const window = rateWindow(queries);
  const only = points === 0 ? "" : `only ${points} point${points === 1 ? "" : "s"}: `;
  const scraped = scrapes === null ? "" : `Prometheus scraped miniserve ${scrapes} time${scrapes === 1 ? "" : "s"} in this range`;
  if (window) {
    return `${only}rate() over ${window} needs two scrapes (every ${scrapeSeconds} s) after a series first appears${scraped ? `, and ${scraped}` : ""}. Quick mode's few seconds are too short; a longer run fills it.`;
  }
  if (points === 0) return `nothing observed for this query yet${scraped ? `; ${scraped}` : ""}.`;
  return `${only}${scraped || "miniserve was scraped only briefly"} (every ${scrapeSeconds} s). A longer run fills it.`;
}

/** How many times Prometheus scraped miniserve in the last `rangeSeconds`; null when it cannot say. */
async function scrapeCount(base: string, rangeSeconds: number, endSeconds: number): Promise<number | null> {
  try {
    const [series] = await queryRange(base, {
      expr: `sum(count_over_time(up{job="miniserve"}[${rangeSeconds}s]))`, legend: "", fallbackName: "scrapes",
      startSeconds: endSeconds, endSeconds, stepSeconds: 1,
    });
    return series?.points.find(([, v]) => v !== null)?.[1] ?? 0;
  } catch {
    return null;
  }
}

async function loadPanel(panel: DashboardPanel, grid: GridPos, o: { base: string; start: number; end: number; step: number; scrape: number; range: number; scrapes: number | null }): Promise<PanelData> {
  const common = { id: panel.id, title: panel.title, row: panel.row, kind: panel.kind, unit: panel.unit, description: panel.description, gridPos: grid };
  // A Tempo panel keeps its TraceQL: the local fallback applies the same duration filter.
  if (panel.datasource !== "prometheus") return { ...common, state: "traces", queries: panel.queries.map((q) => q.expr), series: [] };
  const window = { rangeSeconds: o.range, stepSeconds: o.step, scrapeSeconds: o.scrape };
  const queries = panel.queries.map((q) => substituteVariables(q.expr, window));
  try {
    const results = await Promise.all(panel.queries.map((q, i) => queryRange(o.base, {
      expr: queries[i]!, legend: q.legend, fallbackName: q.legend || q.refId,
      startSeconds: o.start, endSeconds: o.end, stepSeconds: o.step,
    })));
    const series = results.flat();
    if (pointsOf(series) === 0) return { ...common, state: "no data", why: emptyReason(queries, 0, o.scrapes, o.scrape), queries, series };
    // A line that moved in only a few points of the range (a run of seconds) is unreadable: say why.
    // All zeros is a reading of its own ("no errors"), not a sparse panel.
    // A gauge that was scraped often and moved once is simply mostly zero.
    const moved = pointsOf(series, true);
    const brief = rateWindow(queries) !== undefined || (o.scrapes !== null && o.scrapes < SPARSE_POINTS);
    const sparse = panel.kind === "timeseries" && moved > 0 && moved < SPARSE_POINTS && brief;
    return { ...common, state: "ok", ...(sparse ? { why: emptyReason(queries, moved, o.scrapes, o.scrape) } : {}), queries, series };
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
  const end = Math.floor(endMs / 1000);
  const o = { base, start: end - range, end, step, scrape, range, scrapes: up ? await scrapeCount(base, range, end) : null };
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
      state: p.datasource === "prometheus" ? "error" : "traces", error: "Prometheus unreachable",
      queries: p.datasource === "prometheus" ? [] : p.queries.map((q) => q.expr), series: [],
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
