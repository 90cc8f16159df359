// docs/metrics-reference.md is generated from catalogue.ts; this fails when they drift, and when
// the registry holds a metric the catalogue (and so the reference) does not list.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { register } from "prom-client";
import { METRICS, metrics } from "../../src/observability/index.ts";
import type { MetricSpec } from "../../src/observability/index.ts";
import { renderMetricsTable, withMetricsTable } from "../../src/observability/metrics-reference.ts";
import { CORE_METRICS } from "../../src/labs/core-metrics.ts";

const doc = readFileSync("docs/metrics-reference.md", "utf8");

test("the reference table is exactly what the catalogue generates (run npm run docs:metrics)", () => {
  assert.equal(doc, withMetricsTable(doc));
  assert.ok(doc.includes(renderMetricsTable()));
});

test("every metric in the registry is in the catalogue, and every catalogue entry is registered", () => {
  metrics();
  const registered = register.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name).sort();
  const catalogued = Object.values(METRICS).map((m) => m.name).sort();
  assert.deepEqual(registered, catalogued);
});

test("every row names its unit and the question it answers", () => {
  for (const m of Object.values(METRICS)) {
    assert.ok(m.unit.length > 0 && m.question.length > 10, m.name);
    assert.ok(doc.includes(`\`${m.name}\``), m.name);
  }
});

test("the six metrics written by hand in metrics.ts are the catalogue's core entries and lab 01's table", async () => {
  metrics();
  const core = (Object.values(METRICS) as MetricSpec[]).filter((m) => m.core);
  assert.deepEqual(core.map((m) => m.name).sort(), CORE_METRICS.map((m) => m.name).sort());
  for (const spec of core) {
    const built = register.getSingleMetric(spec.name) as unknown as { labelNames: string[]; upperBounds?: number[]; get(): Promise<{ type: string }> };
    const table = CORE_METRICS.find((m) => m.name === spec.name)!;
    assert.equal((await built.get()).type, spec.type, spec.name);
    assert.deepEqual([...built.labelNames].sort(), [...spec.labels].sort(), spec.name);
    assert.deepEqual([...spec.labels].sort(), [...table.labels].sort(), spec.name);
    if (spec.buckets) {
      assert.deepEqual(built.upperBounds?.filter(Number.isFinite), [...spec.buckets], spec.name);
      assert.deepEqual([...spec.buckets], [...(table.buckets ?? [])], spec.name);
    }
  }
});
