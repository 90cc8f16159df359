// The summary generator against a recorded short run (results.json and the Prometheus answers of
// a real 20 req/s, 10 s run): exact numbers, the client/server tables, and the no-Prometheus case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { costEstimate, estimateCell, eur, renderSummary, serverView, validateResults } from "../../src/loadtest/index.ts";
import { COST_PER_REQUEST_BUCKETS_EUR } from "../../src/observability/index.ts";
import type { LoadTestResults, ServerMetrics } from "../../src/loadtest/index.ts";

const results = JSON.parse(readFileSync("test/loadtest/fixtures/results.json", "utf8")) as LoadTestResults;
const server = JSON.parse(readFileSync("test/loadtest/fixtures/server-metrics.json", "utf8")) as ServerMetrics;

test("the recorded results.json is valid against schema v1", () => {
  assert.deepEqual(validateResults(results), []);
});

test("a run may name its model's ONNX sha256: the schema takes it or its absence, refuses a malformed one, and the summary states it", () => {
  const sha = "e9f89bc2afd597f891e12157a8a0edc2fa1f0c251b43b6f49ad4a3a6bda71d8b";
  const named = { ...results, target: { ...results.target, modelSha256: sha } };
  assert.deepEqual(validateResults(named), []);
  assert.deepEqual(validateResults({ ...results, target: { ...results.target, modelSha256: "e9f89bc2" } }), ['target.modelSha256: unexpected value "e9f89bc2"']);
  assert.ok(renderSummary(named, server).includes(`against \`${results.target.model}\` (ONNX sha256 \`${sha}\`) at`));
  assert.doesNotMatch(renderSummary(results, server), /ONNX sha256/, "older runs did not record it, and the summary does not invent it");
});

test("server view: rates, tokens and the cost per 1k output tokens with its definition", () => {
  const v = serverView(results, server);
  assert.equal(v.requests, 200);
  assert.equal(v.requestRate, 20);
  assert.equal(v.errorRatio, 0);
  assert.equal(v.promptTokensPerS, 2612.6);
  assert.equal(v.completionTokensPerS, 482);
  // mean = cost of the window ÷ output tokens of the window × 1000
  assert.equal(v.costPer1kMeanEur, (0.00006371985136058127 / 4820) * 1000);
  assert.equal(v.costPer1kP95Eur, 0.000044583333333333324);
  assert.equal(v.costPer1kPerRequestMeanEur, 0.0031881064842195442 / 198);
  assert.equal(v.costPerRequestEur.p50, 2.5e-7);
  assert.equal(v.costViolations, 0);
  assert.deepEqual(v.stages.map((s) => s.stage), ["decode", "prefill", "retrieval"]);
  assert.ok(Math.abs(v.stages.reduce((a, s) => a + s.share, 0) - 1) < 1e-12);
  assert.equal(v.stages[0]!.share.toFixed(3), "0.693");
  assert.equal(v.queueDepthMax, 0);
  assert.equal(v.kvSlotsMax, 1);
  assert.equal(v.meanDecodeBatch, 4710 / 4658);
  // Both histogram families, in milliseconds: the fine GenAI buckets and lab 01's 50 ms floor.
  assert.equal(v.ttftMs.p95!.toFixed(1), "17.4");
  assert.equal(v.seedTtftMs.p95, 47.5);
});

test("summary.md states the headline, the side-by-side table and every dashboard panel", () => {
  const md = renderSummary(results, server, { dashboard: { file: "dashboard.png" } });
  assert.match(md, /^# Load test 20261128T0312Z-20rps$/m);
  // The fixture's p95 was read from the old 1-2.5-5 buckets; today's bounds place it in 40–50 µ€.
  assert.match(md, /\*\*Cost per 1k output tokens: mean €0\.0000132, p95 €0\.0000446 \(bucket €0\.0000400–€0\.0000500\)\.\*\*/);
  assert.equal(costEstimate(5e-10, COST_PER_REQUEST_BUCKETS_EUR), "≤ €0.00000000100 (below the first bucket's bound)");
  assert.equal(costEstimate(2, COST_PER_REQUEST_BUCKETS_EUR), "≥ €0.00100 (above the last bound)");
  assert.match(md, /\| rate \(req\/s\) \| 20\.0 sent, 20\.0 answered \| 20\.0 \|/);
  assert.match(md, /\| errors \| 0 \(0\.00 %\) \| 0\.00 % of requests \|/);
  assert.match(md, /\| prompt \/ completion tokens per s \| — \| 2613 \/ 482 \|/);
  assert.match(md, /\| decode \| €0\.0000442 \| 69\.3 % \|/);
  assert.match(md, /\| cost identity violations \| 0 \|/);
  assert.match(md, /!\[dashboard\]\(dashboard\.png\)/);
  assert.match(md, /\*Cost per 1k output tokens: mean and p95\* — /);
});

test("quantiles: client beside both histograms, each estimate with its bucket, first-bucket ones as a bound", () => {
  const md = renderSummary(results, server);
  assert.match(md, /\| latency p50 \(ms\) \| 16 \| 16 \(bucket 10–20 ms\) \| ≤ 50 ms: below the first bucket's bound \|/);
  assert.match(md, /\| latency p99 \(ms\) \| 71 \| 80 \(bucket 40–80 ms\) \| 90 \(bucket 50–100 ms\) \|/);
  assert.match(md, /\| time to first token p95 \(ms\) \| 17 \| 17 \(bucket 10–20 ms\) \| ≤ 50 ms: below the first bucket's bound \|/);
  assert.match(md, /p95, server ÷ client: latency ×1\.13 with the fine buckets, not measurable \(first bucket\) with lab 01's; time to first token ×1\.05 with the fine buckets/);
  assert.doesNotMatch(md, /agree on the shape/);
  assert.doesNotMatch(md, /\| 47\.5 |\(bucket 0–/, "no first-bucket interpolation printed as a number");
});

test("an estimate in the first bucket or in +Inf is given as a bound, never as a number", () => {
  const seed = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120];
  assert.equal(estimateCell(47.5, seed), "≤ 50 ms: below the first bucket's bound");
  assert.equal(estimateCell(120_000, seed), "≥ 120 s: in the +Inf bucket, above the last bound");
  assert.equal(estimateCell(75, seed), "75 (bucket 50–100 ms)");
  assert.equal(estimateCell(1500, seed), "1500 (bucket 1 s–2 s)");
  assert.equal(estimateCell(null, seed), "—");
});

test("without Prometheus the summary keeps the client view and says how to start it", () => {
  const md = renderSummary(results, null, { prometheusError: "Prometheus is not answering at http://127.0.0.1:9090" });
  assert.match(md, /## Server metrics: missing/);
  assert.match(md, /npm run stack -- up/);
  assert.match(md, /\| latency p95 \(ms\) \| 47 \| — \| — \|/);
  assert.doesNotMatch(md, /## Cost/);
});

test("euros print as plain decimals with three significant digits", () => {
  assert.equal(eur(1.41401e-5), "€0.0000141");
  assert.equal(eur(6.26e-7), "€0.000000626");
  assert.equal(eur(0.0083), "€0.00830");
  assert.equal(eur(0), "€0");
  assert.equal(eur(null), "—");
});
