// histogram_quantile() computed in process must give Prometheus' answers, including the two ends
// where its number says nothing about the data: the first bucket and +Inf.
import { test } from "node:test";
import assert from "node:assert/strict";
import { cumulativeBuckets, describeResolution, histogramQuantile, locateQuantile } from "../../src/observability/histogram-quantile.ts";

const SEED_TTFT = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

test("every value under the first bound: the quantile is q × the first bound, whatever the values", () => {
  for (const values of [[0.002, 0.003, 0.004], [0.04, 0.045, 0.049]]) {
    const b = cumulativeBuckets(values, SEED_TTFT);
    assert.ok(Math.abs(histogramQuantile(0.95, b) - 0.0475) < 1e-12);
    assert.ok(Math.abs(histogramQuantile(0.5, b) - 0.025) < 1e-12);
  }
});

test("inside the range: linear interpolation between the bounds of the bucket holding the rank", () => {
  // 10 observations: 4 in (0, 0.05], 4 in (0.05, 0.1], 2 in (0.1, 0.25]. Rank 9.5 is the 1.5th of the last 2.
  const b = cumulativeBuckets([0.01, 0.02, 0.03, 0.04, 0.06, 0.07, 0.08, 0.09, 0.2, 0.24], SEED_TTFT);
  assert.ok(Math.abs(histogramQuantile(0.95, b) - (0.1 + 0.15 * 0.75)) < 1e-12);
  assert.ok(Math.abs(histogramQuantile(0.6, b) - (0.05 + 0.05 * 0.5)) < 1e-12);
});

test("a rank in +Inf returns the largest finite bound; no observations return NaN", () => {
  assert.equal(histogramQuantile(0.99, cumulativeBuckets([1, 30, 40], SEED_TTFT)), 10);
  assert.ok(Number.isNaN(histogramQuantile(0.5, cumulativeBuckets([], SEED_TTFT))));
});

test("an estimate is located among the bounds: first bucket, inside, overflow", () => {
  assert.deepEqual(locateQuantile(0.0475, SEED_TTFT), { kind: "first-bucket", upper: 0.05 });
  assert.deepEqual(locateQuantile(0.05, SEED_TTFT), { kind: "first-bucket", upper: 0.05 });
  assert.deepEqual(locateQuantile(0.07, SEED_TTFT), { kind: "inside", lower: 0.05, upper: 0.1 });
  assert.deepEqual(locateQuantile(10, SEED_TTFT), { kind: "overflow", lower: 10 });
  assert.match(describeResolution(SEED_TTFT), /^bounds 50 ms, 100 ms, 250 ms, 500 ms, 1 s, 2 s, 5 s, 10 s\. .*below 50 ms it reads as a fraction of 50 ms/);
});
