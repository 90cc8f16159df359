// The dashboard's rows and the full, ordered list of panels: the single definition that
// build-dashboard.ts turns into infra/grafana/dashboards/llm.json (lab 00).
import { COST_PANELS } from "./panels-cost.ts";
import { SATURATION_PANELS, TRACE_PANELS } from "./panels-capacity.ts";
import { SAMPLING_PANELS } from "./panels-sampling.ts";
import { LLM_PANELS, RED_PANELS } from "./panels-serving.ts";
import type { PanelSpec, RowKey, RowSpec } from "./panel-types.ts";

export const DASHBOARD_UID = "lynx-llm";
export const DASHBOARD_TITLE = "lynx-cortex LLM serving";

/** Rows in display order; each one answers one question about the server. */
export const ROWS: readonly RowSpec[] = [
  { key: "red", id: 100, title: "1 · RED: are requests served, without errors, fast enough?" },
  { key: "llm", id: 200, title: "2 · LLM: how fast do tokens flow, and is batching working?" },
  { key: "saturation", id: 300, title: "3 · Saturation: is the process or the engine running out of room?" },
  { key: "trace", id: 400, title: "4 · Traces: which requests were slow, and why?" },
  { key: "cost", id: 500, title: "5 · Cost: what does a request cost, and does the accounting add up?" },
];

/** Every panel, in row order. Panel ids are row id + position, so they never collide. */
export const PANELS: readonly PanelSpec[] = [
  ...RED_PANELS,
  ...LLM_PANELS,
  ...SATURATION_PANELS,
  ...TRACE_PANELS,
  ...SAMPLING_PANELS,
  ...COST_PANELS,
];

export function rowOf(key: RowKey): RowSpec {
  const row = ROWS.find((r) => r.key === key);
  if (!row) throw new Error(`unknown dashboard row ${key}`);
  return row;
}

export function panelsOfRow(key: RowKey): PanelSpec[] {
  return PANELS.filter((p) => p.row === key);
}

// PromQL words that look like metric names but are not: aggregation modifiers, binary
// operators and keywords. Function names are recognised by the "(" that follows them.
const PROMQL_KEYWORDS = new Set([
  "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan",
]);

/**
 * The metric names an expression reads, as written (histogram series keep their _bucket,
 * _sum or _count suffix). Label matchers, grouping lists, windows and strings are skipped.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ");
  const names = new Set<string>();
  for (const match of stripped.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (!name || call || PROMQL_KEYWORDS.has(name.toLowerCase())) continue;
    if (/^\d/.test(name) || /^[0-9.e+-]+$/i.test(name)) continue;
    names.add(name);
  }
  return [...names];
}
