// Loads a Grafana dashboard JSON (by default infra/grafana/dashboards/llm.json) and returns its
// panels with their queries, rows flattened: the built-in viewer and the tests read panels this way.
import { readFileSync } from "node:fs";
import { DASHBOARD_FILE } from "../stack/paths.ts";
import { datasourceKeyOfUid } from "./panel-types.ts";
import type { DashboardPanel, PanelKind, PanelQuery } from "./panel-types.ts";

/** The subset of Grafana's panel JSON this reader looks at. */
interface RawPanel {
  id?: number;
  type?: string;
  title?: string;
  description?: string;
  datasource?: { uid?: string };
  fieldConfig?: { defaults?: { unit?: string } };
  targets?: RawTarget[];
  panels?: RawPanel[];
}

interface RawTarget {
  refId?: string;
  expr?: string;
  query?: string;
  legendFormat?: string;
  exemplar?: boolean;
  format?: string;
  datasource?: { uid?: string };
}

const KINDS: readonly PanelKind[] = ["timeseries", "stat", "heatmap", "table"];

function toQuery(t: RawTarget, where: string): PanelQuery {
  const expr = t.expr ?? t.query;
  if (!t.refId || typeof expr !== "string") throw new Error(`${where}: a target has no refId or no expression`);
  const query: { -readonly [K in keyof PanelQuery]: PanelQuery[K] } = { refId: t.refId, expr, legend: t.legendFormat ?? "" };
  if (t.exemplar) query.exemplar = true;
  if (t.format === "heatmap" || t.format === "time_series") query.format = t.format;
  return query;
}

function toPanel(p: RawPanel, row: string): DashboardPanel {
  const where = `panel ${p.id ?? "?"} "${p.title ?? ""}"`;
  if (typeof p.id !== "number" || !p.title) throw new Error(`${where}: missing id or title`);
  if (!KINDS.includes(p.type as PanelKind)) throw new Error(`${where}: unsupported panel type ${p.type}`);
  const uid = p.datasource?.uid ?? p.targets?.[0]?.datasource?.uid;
  const datasource = uid === undefined ? undefined : datasourceKeyOfUid(uid);
  if (!datasource) throw new Error(`${where}: datasource uid ${uid} is not one the stack provisions`);
  return {
    id: p.id,
    title: p.title,
    row,
    kind: p.type as PanelKind,
    datasource,
    unit: p.fieldConfig?.defaults?.unit ?? "none",
    description: p.description ?? "",
    queries: (p.targets ?? []).map((t) => toQuery(t, where)),
  };
}

/**
 * Panels of a parsed dashboard, in display order. Panels inside collapsed rows (nested under
 * the row) and panels of expanded rows (listed after it) both get the row's title.
 */
export function panelsOfDashboard(dashboard: unknown): DashboardPanel[] {
  const panels = (dashboard as { panels?: RawPanel[] } | null)?.panels;
  if (!Array.isArray(panels)) throw new Error("not a Grafana dashboard: no panels array");
  const out: DashboardPanel[] = [];
  let row = "";
  for (const p of panels) {
    if (p.type === "row") {
      row = p.title ?? "";
      for (const nested of p.panels ?? []) out.push(toPanel(nested, row));
    } else {
      out.push(toPanel(p, row));
    }
  }
  return out;
}

/** Reads llm.json (or another dashboard file) and returns its panels. */
export function readDashboard(file: string = DASHBOARD_FILE): DashboardPanel[] {
  return panelsOfDashboard(JSON.parse(readFileSync(file, "utf8")));
}

/** The dashboard's query variables (templating.list entries of type "query"), for titles that read them. */
export function readVariables(file: string = DASHBOARD_FILE): { name: string; query: string; regex: string }[] {
  const raw = JSON.parse(readFileSync(file, "utf8")) as { templating?: { list?: { type?: string; name?: string; query?: unknown; regex?: string }[] } };
  return (raw.templating?.list ?? [])
    .filter((v) => v.type === "query" && typeof v.name === "string")
    .map((v) => ({
      name: v.name!,
      query: typeof v.query === "string" ? v.query : String((v.query as { query?: string } | null)?.query ?? ""),
      regex: v.regex ?? "",
    }));
}

/** Every Prometheus query of a dashboard, with the panel it belongs to: what a viewer runs. */
export function prometheusQueries(panels: readonly DashboardPanel[]): { panel: DashboardPanel; query: PanelQuery }[] {
  return panels
    .filter((p) => p.datasource === "prometheus")
    .flatMap((panel) => panel.queries.map((query) => ({ panel, query })));
}
