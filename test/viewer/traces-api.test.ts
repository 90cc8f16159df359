// The viewer's JSON API on a small committed fixture captured from a real miniserve (a plain request,
// one with retrieval, a 400 and a stream the client abandoned), and its banner when Prometheus is down.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { buildViewerApp } from "../../src/viewer/server.ts";
import { TraceFolder, waterfallOf } from "../../src/viewer/traces.ts";
import type { TraceDetail, TraceListEntry } from "../../src/viewer/traces.ts";
import { freePort } from "../helpers/free-port.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/", import.meta.url));
const RETRIEVAL_TRACE = "3a60c3daa6dc5c2f1a244b0d1fa22746";
const ABORTED_TRACE = "470239446e17cc3ba0c2f713d4100635";

async function app() {
  // A port nothing listens on: the dashboard endpoint must degrade, not fail.
  return buildViewerApp({ host: "127.0.0.1", port: 0, prometheusUrl: `http://127.0.0.1:${await freePort()}`, traceDir: FIXTURES });
}

test("the trace list is sorted slowest first and filters by status", async () => {
  const viewer = await app();
  const all = (await viewer.inject("/api/traces")).json() as { traces: TraceListEntry[] };
  assert.equal(all.traces.length, 4);
  const durations = all.traces.map((t) => t.durationMs);
  assert.deepEqual(durations, [...durations].sort((a, b) => b - a));
  const errors = (await viewer.inject("/api/traces?status=error")).json() as { traces: TraceListEntry[] };
  assert.deepEqual(errors.traces.map((t) => t.traceId), [ABORTED_TRACE]);
  const ok = (await viewer.inject("/api/traces?status=ok")).json() as { traces: TraceListEntry[] };
  assert.equal(ok.traces.length, 3);
  assert.ok(ok.traces.every((t) => t.status === "ok"));
  assert.equal((await viewer.inject("/api/traces?status=maybe")).statusCode, 400);
});

test("one trace comes back as a waterfall with every stage, attributes, cost and orphan count", async () => {
  const viewer = await app();
  const res = await viewer.inject(`/api/traces/${RETRIEVAL_TRACE}`);
  assert.equal(res.statusCode, 200);
  const t = res.json() as TraceDetail & { option: { series: unknown[] } };
  const names = t.spans.map((s) => s.name);
  for (const stage of ["POST /v1/completions", "text_completion miniserve-tiny", "retrieve", "tokenize", "queue", "prefill", "decode", "respond"]) {
    assert.ok(names.includes(stage), `${stage} missing from ${names.join(", ")}`);
  }
  assert.equal(t.orphanCount, 0);
  assert.equal(t.spans[0]!.depth, 0, "the HTTP server span comes first");
  assert.ok(t.spans.every((s, i) => i === 0 || s.depth > 0));
  const gen = t.spans.find((s) => s.name.startsWith("text_completion"))!;
  assert.equal(typeof gen.attributes["cost.eur"], "number");
  assert.equal(typeof gen.attributes["gen_ai.usage.output_tokens"], "number");
  assert.ok(Object.keys(gen.attributes).some((k) => /^cost\.stage\..+\.eur$/.test(k)));
  assert.equal(t.option.series.length, 2, "offset and duration bars");
  assert.equal((await viewer.inject("/api/traces/0123456789abcdef0123456789abcdef")).statusCode, 404);
  assert.equal((await viewer.inject("/api/traces/not-a-trace")).statusCode, 404);
});

test("orphans are counted: spans whose parent is missing from the export", () => {
  const spans = new TraceFolder(FIXTURES).all().filter((s) => s.traceId === RETRIEVAL_TRACE && !s.name.startsWith("text_completion"));
  // retrieve, tokenize, queue, prefill and decode hang under the generation span removed here.
  assert.equal(waterfallOf(spans).orphanCount, 5);
});

test("with Prometheus down the dashboard API says so, and the page and scripts are still served", async () => {
  const viewer = await app();
  const body = (await viewer.inject("/api/dashboard?minutes=5")).json() as { prometheusError: string | null; rows: { title: string; panels: { state: string }[] }[] };
  assert.match(body.prometheusError ?? "", /does not answer/);
  assert.equal(body.rows.length, 5);
  assert.equal((await viewer.inject("/api/dashboard?minutes=0")).statusCode, 400);
  const page = await viewer.inject("/");
  assert.match(page.body, /<script src="\/assets\/echarts.min.js">/);
  const echarts = await viewer.inject("/assets/echarts.min.js");
  assert.equal(echarts.statusCode, 200);
  assert.ok(echarts.body.length > 500_000, "the echarts browser build, served from node_modules");
  assert.equal((await viewer.inject("/assets/viewer.js")).statusCode, 200);
});
