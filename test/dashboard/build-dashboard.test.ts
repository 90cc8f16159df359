// Checks the generated dashboard: committed llm.json matches the code, layout is valid, every
// query reads metrics that exist through datasources the stack provisions, and read-dashboard agrees.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { Registry, collectDefaultMetrics } from "prom-client";
import { METRICS } from "../../src/observability/catalogue.ts";
import {
  DASHBOARD_TITLE, DASHBOARD_UID, DATASOURCES, PANELS, ROWS, SAMPLE_VARIABLE, buildDashboard, metricNamesIn, readDashboard, renderDashboard,
  rowOf, sampleNote,
} from "../../src/dashboard/index.ts";
import { DASHBOARD_FILE, DATASOURCES_FILE } from "../../src/stack/paths.ts";

const committed = readFileSync(DASHBOARD_FILE, "utf8");
const dashboard = JSON.parse(committed) as { uid: string; title: string; panels: GrafanaPanel[] };
interface GrafanaPanel {
  id: number;
  type: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { uid: string };
  targets?: { datasource?: { uid: string } }[];
  panels?: GrafanaPanel[];
}
const allPanels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);

/**
 * Every series name Prometheus can hold for miniserve (catalogue plus prom-client defaults),
 * mapped to whether it only grows (counters and histogram/summary parts) and must be rated.
 */
async function knownSeries(): Promise<Map<string, { cumulative: boolean }>> {
  const series = new Map<string, { cumulative: boolean }>();
  const add = (name: string, type: string): void => {
    if (type === "histogram") for (const s of ["_bucket", "_sum", "_count"]) series.set(name + s, { cumulative: true });
    else if (type === "summary") {
      series.set(name, { cumulative: false });
      for (const s of ["_sum", "_count"]) series.set(name + s, { cumulative: true });
    } else series.set(name, { cumulative: type === "counter" });
  };
  for (const m of Object.values(METRICS)) add(m.name, m.type);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const m of await registry.getMetricsAsJSON()) add(m.name, String(m.type));
  return series;
}

test("the committed llm.json is exactly what src/dashboard generates (run npm run dashboard)", () => {
  assert.equal(committed, renderDashboard());
});

test("title and uid are the ones docs and links use", () => {
  assert.equal(dashboard.uid, "lynx-llm");
  assert.equal(dashboard.title, "lynx-cortex LLM serving");
  assert.equal(buildDashboard().uid, DASHBOARD_UID);
  assert.equal(DASHBOARD_TITLE, dashboard.title);
});

test("panel and row ids are unique", () => {
  const ids = allPanels.map((p) => p.id);
  assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${ids.join(",")}`);
});

test("every panel fits the 24-column grid and panels do not overlap", () => {
  const cells = new Set<string>();
  for (const p of allPanels) {
    const { x, y, w, h } = p.gridPos;
    assert.ok(x >= 0 && w > 0 && x + w <= 24, `panel ${p.id}: x ${x} + w ${w} > 24`);
    for (let i = x; i < x + w; i++) {
      for (let j = y; j < y + h; j++) {
        assert.ok(!cells.has(`${i},${j}`), `panel ${p.id} overlaps another at ${i},${j}`);
        cells.add(`${i},${j}`);
      }
    }
  }
});

test("every datasource uid used by the dashboard is declared by Grafana provisioning", () => {
  const provisioned = parse(readFileSync(DATASOURCES_FILE, "utf8")) as { datasources: { uid: string; type: string }[] };
  const declared = new Set(provisioned.datasources.map((d) => d.uid));
  for (const ref of Object.values(DATASOURCES)) {
    assert.ok(declared.has(ref.uid), `datasource ${ref.uid} not provisioned`);
    assert.equal(provisioned.datasources.find((d) => d.uid === ref.uid)?.type, ref.type);
  }
  for (const p of allPanels.filter((panel) => panel.type !== "row")) {
    const uids = [p.datasource?.uid, ...(p.targets ?? []).map((t) => t.datasource?.uid)].filter((u) => u !== undefined);
    assert.ok(uids.length > 0, `panel ${p.id} has no datasource`);
    for (const uid of uids) assert.ok(declared.has(uid as string), `panel ${p.id} uses unprovisioned datasource ${uid}`);
  }
});

test("every metric an expression reads exists in catalogue.ts or prom-client's defaults", async () => {
  const known = await knownSeries();
  for (const p of PANELS.filter((panel) => panel.datasource === "prometheus")) {
    for (const q of p.queries) {
      const names = metricNamesIn(q.expr);
      assert.ok(names.length > 0, `panel ${p.id}/${q.refId} reads no metric: ${q.expr}`);
      for (const name of names) assert.ok(known.has(name), `panel ${p.id}/${q.refId}: unknown metric ${name} in ${q.expr}`);
    }
  }
});

test("each core metric of lab 01 has at least one panel", () => {
  const used = new Set(PANELS.flatMap((p) => p.queries.flatMap((q) => metricNamesIn(q.expr))));
  for (const m of Object.values(METRICS).filter((spec) => "core" in spec && spec.core)) {
    const series = m.type === "histogram" ? [`${m.name}_bucket`, `${m.name}_sum`, `${m.name}_count`] : [m.name];
    assert.ok(series.some((s) => used.has(s)), `core metric ${m.name} has no panel`);
  }
});

test("every range selector uses $__rate_interval or a fixed window, and counters are never read raw", async () => {
  const known = await knownSeries();
  for (const p of PANELS.filter((panel) => panel.datasource === "prometheus")) {
    for (const q of p.queries) {
      for (const [, window] of q.expr.matchAll(/\[([^\]]*)\]/g)) {
        assert.match(window ?? "", /^(\$__rate_interval|\d+[smhd])$/, `panel ${p.id}: window [${window}]`);
      }
      for (const name of metricNamesIn(q.expr)) {
        if (!known.get(name)?.cumulative) continue;
        const windowed = new RegExp(`${name}(\\{[^}]*\\})?\\[`).test(q.expr);
        assert.ok(windowed, `panel ${p.id}: ${name} is a counter and must be inside rate()/increase() over a window`);
      }
    }
  }
});

test("rows follow the five questions in order and every panel sits in one", () => {
  assert.deepEqual(ROWS.map((r) => r.key), ["red", "llm", "saturation", "trace", "cost"]);
  for (const row of ROWS) assert.ok(PANELS.some((p) => p.row === row.key), `row ${row.key} is empty`);
});

test("read-dashboard returns the panel list back from llm.json, rows flattened", () => {
  const read = readDashboard();
  const expected = PANELS.map(({ width: _w, height: _h, stacked: _s, redFrom: _r, row, ...rest }) => {
    const note = sampleNote(rest);
    return { ...rest, row: rowOf(row).title, title: rest.title + (note?.title ?? ""), description: rest.description + (note?.description ?? "") };
  });
  assert.deepEqual(read, expected);
});

test("every trace-derived panel states the sample of traces it shows, through the sample-ratio variable", () => {
  const derived = readDashboard().filter((p) => p.datasource === "tempo" || p.queries.some((q) => q.exemplar) || /trace/i.test(p.row) && /sampl/i.test(p.title));
  assert.ok(derived.length >= 6, derived.map((p) => p.title).join(", "));
  for (const p of derived) assert.match(p.title, new RegExp(`\\$${SAMPLE_VARIABLE.name}`), `panel ${p.id} "${p.title}"`);
  const variables = (JSON.parse(committed) as { templating: { list: { name: string; type: string; query: string; datasource: { uid: string } }[] } }).templating.list;
  assert.deepEqual(variables.map((v) => [v.name, v.type, v.query, v.datasource.uid]), [[SAMPLE_VARIABLE.name, "query", SAMPLE_VARIABLE.query, "prometheus"]]);
});

test("the orphan-span panel reads the server's counter and turns red from 1", () => {
  const orphans = PANELS.find((p) => p.queries.some((q) => q.expr.includes("trace_orphan_spans_total")));
  assert.ok(orphans, "an orphan span panel");
  assert.equal(orphans.kind, "stat");
  assert.equal(orphans.redFrom, 1);
});

test("exemplars are requested on the latency and TTFT panels, and a Tempo panel searches miniserve", () => {
  const exemplarPanels = PANELS.filter((p) => p.queries.some((q) => q.exemplar));
  assert.ok(exemplarPanels.some((p) => p.queries.some((q) => q.expr.includes("request_duration_seconds_bucket"))));
  assert.ok(exemplarPanels.some((p) => p.queries.some((q) => q.expr.includes("time_to_first_token_seconds_bucket"))));
  const tempo = PANELS.filter((p) => p.datasource === "tempo");
  assert.ok(tempo.some((p) => p.queries.some((q) => q.expr.includes('resource.service.name="miniserve"'))));
});
