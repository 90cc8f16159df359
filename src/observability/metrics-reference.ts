// Renders docs/metrics-reference.md's table from catalogue.ts, so the reference cannot drift from
// the code: a test compares the file with this output; `npm run docs:metrics` rewrites it (labs 01–03).
import { METRICS } from "./catalogue.ts";
import type { MetricSpec } from "./catalogue.ts";

const cell = (s: string): string => s.replace(/\|/g, "\\|");

function bucketsOf(spec: MetricSpec): string {
  if (spec.type !== "histogram") return "—";
  return `${(spec.buckets ?? []).join(", ")}, +Inf`;
}

/** The reference table: one row per metric, core six first, in catalogue order. */
export function renderMetricsTable(): string {
  const specs = Object.values(METRICS as Record<string, MetricSpec>);
  const ordered = [...specs.filter((s) => s.core), ...specs.filter((s) => !s.core)];
  const rows = ordered.map((s) => {
    const otel = s.otelName ? ` (OpenTelemetry \`${s.otelName}\`)` : "";
    const name = `\`${s.name}\`${s.core ? " ★" : ""}${otel}`;
    const labels = s.labels.length > 0 ? s.labels.map((l) => `\`${l}\``).join(", ") : "—";
    const origin = s.builtIn ? " (prom-client default)" : "";
    return `| ${name} | ${s.type} | ${labels} | ${bucketsOf(s)} | ${s.unit} | ${s.family}${origin} | ${cell(s.question)} |`;
  });
  return [
    "| name | type | labels | buckets | unit | family | question it answers |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

export const TABLE_START = "<!-- metrics-table:start (generated from src/observability/catalogue.ts; run npm run docs:metrics) -->";
export const TABLE_END = "<!-- metrics-table:end -->";

/** Replace the generated block of a markdown document with the current table. */
export function withMetricsTable(markdown: string): string {
  const start = markdown.indexOf(TABLE_START);
  const end = markdown.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`the document has no ${TABLE_START} … ${TABLE_END} block; add both markers where the table goes`);
  return `${markdown.slice(0, start + TABLE_START.length)}\n${renderMetricsTable()}\n${markdown.slice(end)}`;
}
