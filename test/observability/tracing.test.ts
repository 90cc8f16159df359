// End-to-end traces from a real `npm run serve` process: a complete span tree per request with no
// orphans, trace-joined logs, W3C traceparent in and out, streams, untraced probes, the audit subprocess.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { orphanSpans, readTraceFiles } from "../../src/observability/index.ts";
import type { StoredSpan } from "../../src/observability/index.ts";
import { postJson } from "../helpers/miniserve.ts";
import { eventually, spawnObserved } from "./observed-child.ts";
import type { ObservedChild } from "./observed-child.ts";

let server: ObservedChild;
before(async () => {
  server = await spawnObserved();
});
after(async () => server?.stop());

/** The spans of one trace once `names` have all been exported (the store flushes every 250 ms). */
async function traceWith(traceId: string, names: string[]): Promise<StoredSpan[]> {
  return eventually(() => {
    const spans = readTraceFiles(server.traceDir).filter((s) => s.traceId === traceId);
    return names.every((n) => spans.some((s) => s.name === n)) ? spans : undefined;
  }, 10_000, `spans ${names.join(", ")} of trace ${traceId}`);
}
const one = (spans: StoredSpan[], name: string): StoredSpan => {
  const found = spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `exactly one ${name} span`);
  return found[0]!;
};

test("a request yields one trace: server span, GenAI span, every stage span, no orphans, joined logs", async () => {
  // ignore_eos: without it the model may end before 6 tokens, and the finish reason below would vary.
  const res = await postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: "Tracing shows where time went", max_tokens: 6, temperature: 0.5, ignore_eos: true, retrieval: { top_k: 2 } });
  assert.equal(res.status, 200);
  const traceId = res.headers.get("x-trace-id")!;
  assert.match(traceId, /^[0-9a-f]{32}$/);
  assert.match(res.headers.get("traceparent")!, new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
  const requestId = res.headers.get("x-request-id")!;
  await res.json();

  const spans = await traceWith(traceId, ["POST /v1/completions", "text_completion miniserve-tiny", "retrieve", "tokenize", "queue", "prefill", "decode", "respond"]);
  assert.deepEqual(orphanSpans(spans), []);
  const root = one(spans, "POST /v1/completions");
  assert.equal(root.kind, "SERVER");
  assert.equal(root.parentSpanId, null);
  assert.equal(root.attributes["http.route"], "/v1/completions");
  const gen = one(spans, "text_completion miniserve-tiny");
  assert.equal(gen.parentSpanId, root.spanId);
  for (const stage of ["retrieve", "tokenize", "queue", "prefill", "decode"]) {
    const s = one(spans, stage);
    assert.equal(s.parentSpanId, gen.spanId, `${stage} is a child of the GenAI span`);
    assert.ok(s.startMs >= gen.startMs - 0.01 && s.endMs <= gen.endMs + 0.01, `${stage} lies within the generation`);
  }
  assert.equal(one(spans, "respond").parentSpanId, root.spanId);
  assert.ok(one(spans, "decode").events.some((e) => e.name === "first_token"));
  assert.equal(gen.attributes["gen_ai.operation.name"], "text_completion");
  assert.equal(gen.attributes["gen_ai.request.model"], "miniserve-tiny");
  assert.equal(gen.attributes["gen_ai.request.max_tokens"], 6);
  assert.equal(gen.attributes["gen_ai.request.temperature"], 0.5);
  assert.equal(typeof gen.attributes["gen_ai.usage.input_tokens"], "number");
  assert.equal(typeof gen.attributes["gen_ai.usage.output_tokens"], "number");
  assert.deepEqual(gen.attributes["gen_ai.response.finish_reasons"], ["length"]);
  const cost = gen.attributes["cost.eur"] as number;
  const stageSum = ["retrieval", "prefill", "decode"].reduce((n, s) => n + (gen.attributes[`cost.stage.${s}.eur`] as number), 0);
  assert.ok(cost > 0 && Math.abs(cost - stageSum) <= cost * 1e-9);
  assert.equal(root.attributes["cost.eur"], cost);
  assert.equal(typeof one(spans, "prefill").attributes["miniserve.batch.size"], "number");

  const line = await eventually(() => server.logs.find((l) => l["event"] === "request_finished" && l["request_id"] === requestId), 5000, "the request log line");
  assert.equal(line["trace_id"], traceId);
  assert.equal(line["span_id"], root.spanId);
  assert.equal(line["cost_eur"], cost, "the log reads the same cost as the span");
  for (const field of ["model_name", "duration_ms", "queue_time_ms", "input_tokens", "output_tokens", "batch_size", "status"]) assert.ok(field in line, field);
  assert.ok(!JSON.stringify(line).includes("Tracing shows"), "no prompt text in the log");
  // One line per request: fastify's own "incoming request"/"request completed" pair is off.
  assert.equal(server.logs.filter((l) => l["trace_id"] === traceId && l["event"] !== undefined).length, 1);
  assert.ok(!server.logs.some((l) => l["msg"] === "request completed" || l["msg"] === "incoming request"), "no per-request lines from fastify");
});

test("an incoming traceparent is continued, not replaced", async () => {
  const caller = "4bf92f3577b34da6a3ce929d0e0e4736";
  const res = await postJson(`${server.url}/v1/chat/completions`, { model: "miniserve-tiny", messages: [{ role: "user", content: "hi" }], max_tokens: 3 },
    { traceparent: `00-${caller}-00f067aa0ba902b7-01` });
  assert.equal(res.status, 200);
  await res.json();
  assert.equal(res.headers.get("x-trace-id"), caller);
  const spans = await traceWith(caller, ["POST /v1/chat/completions", "chat miniserve-tiny", "decode", "respond"]);
  const root = one(spans, "POST /v1/chat/completions");
  assert.equal(root.parentSpanId, "00f067aa0ba902b7");
  assert.equal(root.remoteParent, true);
  assert.deepEqual(orphanSpans(spans), []);
});

test("a streamed response's server span ends when the stream ends", async () => {
  const res = await postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: "Stream", max_tokens: 12, ignore_eos: true, stream: true });
  const traceId = res.headers.get("x-trace-id")!;
  const text = await res.text();
  assert.ok(text.trimEnd().endsWith("data: [DONE]"));
  const spans = await traceWith(traceId, ["POST /v1/completions", "decode", "respond"]);
  const root = one(spans, "POST /v1/completions");
  const decode = one(spans, "decode");
  assert.ok(root.endMs >= decode.endMs, "the server span outlives the generation");
  assert.equal(decode.attributes["gen_ai.usage.output_tokens"], 12);
  assert.deepEqual(orphanSpans(spans), []);
});

test("probes and scrapes are never traced; the viewer lists kept traces", async () => {
  for (const path of ["/health", "/ready", "/metrics"]) {
    const res = await fetch(`${server.url}${path}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-trace-id"), null, `${path} has no trace`);
  }
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /^trace_sample_ratio 1$/m);
  await new Promise((r) => setTimeout(r, 600));
  assert.ok(!readTraceFiles(server.traceDir).some((s) => /\/(health|ready|metrics)$/.test(s.name)));
  const list = (await (await fetch(`${server.url}/traces?format=json`)).json()) as { traces: { traceId: string; rootName: string }[] };
  assert.ok(list.traces.length >= 3);
  const page = await fetch(`${server.url}/traces/${list.traces[0]!.traceId}`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<table>/);
});

test("the audit subprocess's spans are children of the request's audit.subprocess span, across the process boundary", async () => {
  const res = await postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: "Audit me", max_tokens: 10, ignore_eos: true, audit: true });
  assert.equal(res.status, 200);
  const body = (await res.json()) as { audit: { words: number; chars: number } };
  assert.equal(typeof body.audit.words, "number");
  assert.ok(body.audit.chars > 0);
  const traceId = res.headers.get("x-trace-id")!;
  const spans = await traceWith(traceId, ["POST /v1/completions", "audit", "audit.text_stats", "audit.read_input", "audit.subprocess"]);
  const root = one(spans, "POST /v1/completions");
  const audit = one(spans, "audit");
  assert.equal(audit.service, "miniserve-audit", "exported by the child process");
  assert.equal(one(spans, "audit.subprocess").parentSpanId, root.spanId);
  assert.equal(audit.parentSpanId, one(spans, "audit.subprocess").spanId, "the child's span is under the span that spawned it");
  assert.equal(one(spans, "audit.text_stats").parentSpanId, audit.spanId);
  assert.deepEqual(orphanSpans(spans), []);
  const bad = await postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: "x", audit: "yes" });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /'audit' must be true or false/);
});
