// The viewer's PromQL handling: Grafana variables substituted, the rate window at least four scrapes,
// and the "idle counter reads 0 while scraped" rewrite applied only where it is honest.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readDashboard } from "../../src/dashboard/index.ts";
import {
  ZERO_WHILE_SCRAPED, formatDuration, parseDuration, rateIntervalFor, stepFor, substituteVariables, viewerQuery, zeroForIdleCounters,
} from "../../src/viewer/promql.ts";

const w = { rangeSeconds: 300, stepSeconds: 5, scrapeSeconds: 5 };

test("durations parse and format both ways", () => {
  assert.equal(parseDuration("5s"), 5);
  assert.equal(parseDuration("1m30s"), 90);
  assert.equal(parseDuration("250ms"), 0.25);
  assert.throws(() => parseDuration("5 parsecs"));
  assert.equal(formatDuration(20), "20s");
  assert.equal(formatDuration(120), "2m");
  assert.equal(formatDuration(3600), "1h");
});

test("$__rate_interval is max(step + scrape, 4 × scrape), never below four scrapes", () => {
  assert.equal(rateIntervalFor(5, 5), 20);
  assert.equal(rateIntervalFor(1, 1), 4);
  assert.equal(rateIntervalFor(30, 5), 35);
  assert.equal(substituteVariables("rate(x_total[$__rate_interval])", w), "rate(x_total[20s])");
  assert.equal(substituteVariables("rate(x_total[${__rate_interval}])", { ...w, scrapeSeconds: 15 }), "rate(x_total[1m])");
});

test("$__interval, $__range and their _ms/_s forms", () => {
  assert.equal(substituteVariables("avg_over_time(x[$__interval])", w), "avg_over_time(x[5s])");
  assert.equal(substituteVariables("increase(x_total[$__range])", w), "increase(x_total[5m])");
  assert.equal(substituteVariables("$__interval_ms $__range_ms $__range_s", w), "5000 300000 300");
});

test("the step keeps about 240 points and is never finer than a scrape", () => {
  assert.equal(stepFor(300, 5), 5);
  assert.equal(stepFor(300, 1), 2);
  assert.equal(stepFor(3600, 5), 15);
});

test("an aggregate over a counter reads 0 while the target is scraped", () => {
  const e = 'sum(increase(cost_identity_violations_total[1h]))';
  assert.equal(zeroForIdleCounters(e), `(${e} or on() ${ZERO_WHILE_SCRAPED})`);
  const byReason = "sum by (reason) (rate(trace_spans_dropped_total[20s]))";
  assert.equal(zeroForIdleCounters(byReason), `(${byReason} or on() ${ZERO_WHILE_SCRAPED})`);
});

test("in a ratio only the numerator gets the fallback: no traffic at all stays 'no data'", () => {
  const ratio = 'sum(rate(request_total{status=~"5.."}[20s])) / sum(rate(request_total[20s]))';
  assert.equal(zeroForIdleCounters(ratio), `(sum(rate(request_total{status=~"5.."}[20s])) or on() ${ZERO_WHILE_SCRAPED}) / sum(rate(request_total[20s]))`);
});

test("quantiles, gauges and histogram sums are left alone", () => {
  for (const e of [
    "histogram_quantile(0.95, sum by (le) (rate(request_duration_seconds_bucket[20s])))",
    "sum(queue_depth)",
    "sum(increase(cost_per_request_eur_sum[1h]))",
    "max(trace_sample_ratio)",
  ]) assert.equal(zeroForIdleCounters(e), e);
});

test("every llm.json expression comes out without a $ variable", () => {
  const panels = readDashboard().filter((p) => p.datasource === "prometheus");
  assert.ok(panels.length > 20);
  for (const p of panels) for (const q of p.queries) assert.doesNotMatch(viewerQuery(q.expr, w), /\$/, `${p.title}: ${q.expr}`);
});
