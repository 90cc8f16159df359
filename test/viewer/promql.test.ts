// The viewer's PromQL handling: Grafana variables substituted, the rate window at least four scrapes,
// nothing else rewritten (an empty panel here is an empty panel in Grafana), dashboard variables resolved.
import { test } from "node:test";
import assert from "node:assert/strict";
import { SAMPLE_VARIABLE, readDashboard, readVariables } from "../../src/dashboard/index.ts";
import {
  applyVariableRegex, formatDuration, interpolate, parseDuration, queryResultLine, rateIntervalFor, stepFor, substituteVariables,
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

test("expressions go out as Grafana sends them: only $__ variables change, no fallback is added", () => {
  const panels = readDashboard().filter((p) => p.datasource === "prometheus");
  assert.ok(panels.length > 20);
  for (const p of panels) {
    for (const q of p.queries) {
      const sent = substituteVariables(q.expr, w);
      assert.doesNotMatch(sent, /\$/, `${p.title}: ${q.expr}`);
      assert.equal(sent, q.expr.replaceAll("$__rate_interval", "20s"), `${p.title}: only the rate window may change`);
    }
  }
});

test("the sample-ratio variable resolves as Grafana's query_result() and regex do", () => {
  const [variable] = readVariables();
  assert.deepEqual(variable, { name: SAMPLE_VARIABLE.name, query: SAMPLE_VARIABLE.query, regex: SAMPLE_VARIABLE.regex });
  const line = queryResultLine({}, "0.25", 1_700_000_000.5);
  assert.equal(line, "{} 0.25 1700000000500");
  assert.equal(applyVariableRegex(SAMPLE_VARIABLE.regex, [line]), "0.25");
  assert.equal(queryResultLine({ __name__: "up", job: "miniserve" }, "1", 10), 'up{job="miniserve"} 1 10000');
  assert.equal(applyVariableRegex(SAMPLE_VARIABLE.regex, []), null);
  assert.equal(interpolate("exemplars from $trace_sample_ratio of traces, ${trace_sample_ratio}", { trace_sample_ratio: "0.25" }), "exemplars from 0.25 of traces, 0.25");
  assert.equal(interpolate("$unknown stays", {}), "$unknown stays");
});
