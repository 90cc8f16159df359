// The sampling policy on real SDK spans: the ratio rule hashes trace ids as the collector does, the
// tail decision keeps errors and slow traces whole, drops the rest, follows late spans, counts
// orphans, and never holds more spans than its bound.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";
import type { Context, Tracer } from "@opentelemetry/api";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { PolicySampler, TailSamplingProcessor, ratioKeeps, traceIdHash } from "../../src/observability/index.ts";
import type { TracePolicy } from "../../src/observability/index.ts";

test("the ratio rule is the collector's probabilistic policy: FNV-1a 64 of salt + trace id bytes", () => {
  // Computed independently (salt "default-hash-seed", then the 16 id bytes, FNV-1a 64).
  const id = "0af7651916cd43dd8448eb211c80319c";
  assert.equal(traceIdHash(id), 0x33bf83d45f51634cn);
  assert.equal(ratioKeeps(id, 0.21), true);
  assert.equal(ratioKeeps(id, 0.2), false);
  assert.equal(ratioKeeps(id, 1), true);
  assert.equal(ratioKeeps(id, 0), false);
  const ids = Array.from({ length: 20_000 }, () => randomBytes(16).toString("hex"));
  for (const ratio of [0.1, 0.5]) {
    const kept = ids.filter((t) => ratioKeeps(t, ratio)).length / ids.length;
    assert.ok(Math.abs(kept - ratio) < 0.02, `ratio ${ratio}: kept ${kept}`);
  }
});

/** What reached the exporters, in order. */
class Capture implements SpanProcessor {
  readonly spans: ReadableSpan[] = [];
  onStart(_s: Span, _c: Context): void {}
  onEnd(span: ReadableSpan): void {
    this.spans.push(span);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

function pipeline(policy: TracePolicy, opts: Partial<ConstructorParameters<typeof TailSamplingProcessor>[3]> = {}) {
  const exported = new Capture();
  const decisions: string[] = [];
  let orphans = 0;
  const tail = new TailSamplingProcessor([exported], policy, {
    onDecision: (keep, rule) => void decisions.push(`${keep ? "keep" : "drop"} ${rule}`),
    onOrphans: (n) => void (orphans += n),
  }, { decisionWaitMs: 20, maxWaitMs: 200, maxSpans: 1000, rememberMs: 100, maxRemembered: 100, ...opts });
  const provider = new BasicTracerProvider({ sampler: new PolicySampler(policy.ratio), spanProcessors: [tail] });
  const tracer = provider.getTracer("test");
  return { tracer, tail, exported, decisions, orphans: () => orphans, provider };
}

/** A request-shaped trace: a server root with two stage children, optionally in error or long. */
function request(tracer: Tracer, opts: { error?: boolean; durationMs?: number; path?: string } = {}): string {
  const start = Date.now() - (opts.durationMs ?? 5);
  const root = tracer.startSpan("POST /v1/completions", { kind: SpanKind.SERVER, startTime: start, attributes: { "url.path": opts.path ?? "/v1/completions" } });
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  tracer.startSpan("prefill", { startTime: start + 1 }, ctx).end(start + 2);
  const decode = tracer.startSpan("decode", { startTime: start + 2 }, ctx);
  if (opts.error) decode.setStatus({ code: SpanStatusCode.ERROR, message: "client disconnected" });
  decode.end(start + 3);
  root.end(Date.now());
  return root.spanContext().traceId;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const tracesOf = (spans: readonly ReadableSpan[]): Set<string> => new Set(spans.map((s) => s.spanContext().traceId));

test("ratio 0: ordinary traces dropped, every error and slow trace kept whole; health checks dropped even when failing", async () => {
  const p = pipeline({ ratio: 0, keepErrors: true, keepSlowerThanMs: 1000 });
  const ordinary = request(p.tracer);
  const failed = request(p.tracer, { error: true });
  const slow = request(p.tracer, { durationMs: 1500 });
  const probe = request(p.tracer, { error: true, path: "/ready" });
  await sleep(300);
  const kept = tracesOf(p.exported.spans);
  assert.deepEqual([kept.has(ordinary), kept.has(failed), kept.has(slow), kept.has(probe)], [false, true, true, false]);
  assert.equal(p.exported.spans.filter((s) => s.spanContext().traceId === failed).length, 3, "the whole trace, not only the failing span");
  assert.deepEqual(p.decisions.sort(), ["drop none", "drop route", "keep error", "keep slow"]);
  // Unflagged: none of them was certain at its start, so none carries the W3C sampled flag.
  assert.ok(p.exported.spans.every((s) => (s.spanContext().traceFlags & TraceFlags.SAMPLED) === 0));
  await p.provider.shutdown();
});

test("ratio 1 keeps everything and flags it; the rules can be turned off", async () => {
  const all = pipeline({ ratio: 1, keepErrors: false, keepSlowerThanMs: 0 });
  const a = request(all.tracer);
  await sleep(300);
  assert.ok(tracesOf(all.exported.spans).has(a));
  assert.ok(all.exported.spans.every((s) => (s.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0));
  assert.deepEqual(all.decisions, ["keep ratio"]);
  await all.provider.shutdown();
  const none = pipeline({ ratio: 0, keepErrors: false, keepSlowerThanMs: 0 });
  request(none.tracer, { error: true, durationMs: 5000 });
  await sleep(300);
  assert.equal(none.exported.spans.length, 0);
  await none.provider.shutdown();
});

test("spans ending after the decision follow it; a span whose parent never arrives is counted as an orphan", async () => {
  const p = pipeline({ ratio: 0, keepErrors: true, keepSlowerThanMs: 0 });
  const start = Date.now();
  const root = p.tracer.startSpan("POST /v1/completions", { kind: SpanKind.SERVER, startTime: start });
  root.setStatus({ code: SpanStatusCode.ERROR, message: "client closed the connection" });
  const ctx = trace.setSpan(ROOT_CONTEXT, root);
  root.end();
  await sleep(60); // decided: kept (error)
  p.tracer.startSpan("decode", { startTime: start }, ctx).end(); // an aborted request's stage, after its root
  const ghost = trace.setSpanContext(ROOT_CONTEXT, { traceId: root.spanContext().traceId, spanId: randomBytes(8).toString("hex"), traceFlags: TraceFlags.NONE });
  p.tracer.startSpan("lost child", {}, ghost).end(); // its parent never existed
  await sleep(400);
  const names = p.exported.spans.filter((s) => s.spanContext().traceId === root.spanContext().traceId).map((s) => s.name);
  assert.deepEqual(names, ["POST /v1/completions", "decode", "lost child"]);
  assert.equal(p.orphans(), 1);
  await p.provider.shutdown();
});

test("memory is bounded: past maxSpans the oldest trace is decided at once instead of waiting", async () => {
  const p = pipeline({ ratio: 1, keepErrors: true, keepSlowerThanMs: 0 }, { maxSpans: 10, maxWaitMs: 60_000 });
  const open = Array.from({ length: 30 }, () => p.tracer.startSpan("root", { kind: SpanKind.SERVER }));
  // Children of roots that have not ended: without the bound they would wait a minute each.
  for (const root of open) p.tracer.startSpan("child", {}, trace.setSpan(ROOT_CONTEXT, root)).end();
  assert.ok(p.exported.spans.length >= 20, `${p.exported.spans.length} exported early`);
  for (const root of open) root.end();
  await p.tail.forceFlush();
  assert.equal(p.exported.spans.length, 60);
  await p.provider.shutdown();
});
