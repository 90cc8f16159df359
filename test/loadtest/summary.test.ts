// The summary generator against a recorded short run (results.json and the Prometheus answers of
// a real 20 req/s, 10 s run): exact numbers, the client/server table, and the no-Prometheus case.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { eur, renderSummary, serverView, validateResults } from "../../src/loadtest/index.ts";
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
  assert.equal(v.promptTokensPerS, 2546.5);
  assert.equal(v.completionTokensPerS, 466.7);
  // mean = cost of the window ÷ output tokens of the window × 1000
  assert.equal(v.costPer1kMeanEur, (6.599173780079436e-05 / 4667) * 1000);
  assert.equal(v.costPer1kP95Eur, 4.369565217391303e-05);
  assert.equal(v.costPer1kPerRequestMeanEur, 0.0034817405274983285 / 196);
  assert.equal(v.costPerRequestEur.p50, 2.9109589041095887e-07);
  assert.equal(v.costViolations, 0);
  assert.deepEqual(v.stages.map((s) => s.stage), ["decode", "prefill", "retrieval"]);
  assert.ok(Math.abs(v.stages.reduce((a, s) => a + s.share, 0) - 1) < 1e-12);
  assert.equal(v.stages[0]!.share.toFixed(3), "0.736");
  assert.equal(v.queueDepthMax, 0);
  assert.equal(v.kvSlotsMax, 1);
  assert.equal(v.meanDecodeBatch, 4557 / 4526);
});

test("summary.md states the headline, the side-by-side table and every dashboard panel", () => {
  const md = renderSummary(results, server, { dashboard: { file: "dashboard.png" } });
  assert.match(md, /^# Load test 20261122T0553Z-20rps$/m);
  assert.match(md, /\*\*Cost per 1k output tokens: mean €0\.0000141, p95 €0\.0000437\.\*\*/);
  assert.match(md, /\| rate \(req\/s\) \| 20\.0 sent, 20\.0 answered \| 20\.0 \|/);
  assert.match(md, /\| errors \| 0 \(0\.00 %\) \| 0\.00 % of requests \|/);
  assert.match(md, /\| latency p50 \/ p95 \/ p99 \(ms\) \| 16 \/ 38 \/ 50 \| 25 \/ 48 \/ 50 \|/);
  assert.match(md, /\| prompt \/ completion tokens per s \| — \| 2547 \/ 467 \|/);
  assert.match(md, /\| decode \| €0\.0000486 \| 73\.6 % \|/);
  assert.match(md, /\| cost identity violations \| 0 \|/);
  assert.match(md, /!\[dashboard\]\(dashboard\.png\)/);
  assert.match(md, /\*Cost per 1k output tokens: mean and p95\* — /);
});

test("without Prometheus the summary keeps the client view and says how to start it", () => {
  const md = renderSummary(results, null, { prometheusError: "Prometheus is not answering at http://127.0.0.1:9090" });
  assert.match(md, /## Server metrics: missing/);
  assert.match(md, /npm run stack -- up/);
  assert.match(md, /\| latency p50 \/ p95 \/ p99 \(ms\) \| 16 \/ 38 \/ 50 \| — \/ — \/ — \|/);
  assert.doesNotMatch(md, /## Cost/);
});

test("euros print as plain decimals with three significant digits", () => {
  assert.equal(eur(1.41401e-5), "€0.0000141");
  assert.equal(eur(6.26e-7), "€0.000000626");
  assert.equal(eur(0.0083), "€0.00830");
  assert.equal(eur(0), "€0");
  assert.equal(eur(null), "—");
});
