// The dashboard's latency and TTFT p95 panels against the client's own p95, over one short real load:
// a real miniserve scraped every second by Debian's Prometheus, the documented request mix at 40 req/s.
// Within ×1.6 with the panels' fine GenAI histograms; the panels on lab 01's 50 ms-floor buckets missed by ×1.7–4.4.
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { PANELS, RATE_WINDOW, quantile } from "../../src/dashboard/index.ts";
import { Tokenizer } from "../../src/engine/tokenizer.ts";
import { buildRequestMix, runLoadTest } from "../../src/loadtest/index.ts";
import { METRICS } from "../../src/observability/catalogue.ts";
import { REPO_ROOT } from "../../src/stack/paths.ts";
import { useLiveStack } from "../viewer/live-stack.ts";

const live = useLiveStack("quantile-agreement");

/** A panel's p95 query, by panel id. */
function p95Of(panelId: number): string {
  const q = PANELS.find((p) => p.id === panelId)?.queries.find((x) => x.legend === "p95");
  assert.ok(q, `panel ${panelId} has a p95 query`);
  return q.expr;
}

/** The expression as Grafana would run it with a rate window covering the whole run, at its end. */
async function evaluate(expr: string, windowS: number, atS: number): Promise<number> {
  const query = expr.split(RATE_WINDOW).join(`${windowS}s`);
  const res = await fetch(`${live.stack().prometheusUrl}/api/v1/query?${new URLSearchParams({ query, time: String(atS) })}`);
  const body = (await res.json()) as { status: string; error?: string; data: { result: { value: [number, string] }[] } };
  assert.equal(body.status, "success", `${body.error}: ${query}`);
  return Number(body.data.result[0]?.value[1] ?? NaN) * 1000;
}

test("after a short load, the latency and TTFT p95 panels agree with the client's p95 within ×1.6", { skip: live.skip, timeout: 120_000 }, async (t) => {
  const tokenizer = Tokenizer.fromFile(join(REPO_ROOT, "model", "tokenizer.json"));
  const mix = buildRequestMix(tokenizer, { size: 400, seed: 34, model: "miniserve-tiny", fixedLength: true });
  const client = await runLoadTest({ url: live.stack().miniserveUrl, rate: 40, durationS: 12, connections: 100, mix, timeoutS: 30, graceS: 20 });
  assert.equal(client.counts.ok, client.counts.sent, "every request answered 200");
  assert.ok(client.ttftMs.count >= 100, `only ${client.ttftMs.count} streamed answers`);
  // Two scrapes (1 s apart) after the last answer, then read the panels over the whole run.
  await new Promise((r) => setTimeout(r, 2500));
  const atS = Date.now() / 1000;
  const windowS = Math.ceil(atS - client.startedAtMs / 1000) + 1;

  const rows = [
    { what: "request latency", client: client.latencyMs.p95!, panel: p95Of(103), seed: quantile(0.95, METRICS.requestDuration.name) },
    { what: "time to first token", client: client.ttftMs.p95!, panel: p95Of(201), seed: quantile(0.95, METRICS.timeToFirstToken.name) },
  ];
  const lines = ["| p95 (ms) | client | panel, lab 01's buckets | panel, GenAI buckets |", "|---|---|---|---|"];
  const ratios: number[] = [];
  for (const row of rows) {
    const [seed, panel] = [await evaluate(row.seed, windowS, atS), await evaluate(row.panel, windowS, atS)];
    lines.push(`| ${row.what} | ${row.client.toFixed(1)} | ${seed.toFixed(1)} (×${(seed / row.client).toFixed(2)}) | ${panel.toFixed(1)} (×${(panel / row.client).toFixed(2)}) |`);
    ratios.push(panel / row.client);
  }
  t.diagnostic(`\n${lines.join("\n")}`);
  for (const [i, r] of ratios.entries()) {
    assert.ok(r >= 1 / 1.6 && r <= 1.6, `${rows[i]!.what}: the panel reads ×${r.toFixed(2)} the client's p95\n${lines.join("\n")}`);
  }
});
