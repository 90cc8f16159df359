// Continuous batching against the real model, through the Engine front and its engine core in the
// model worker: admission, queue bound, slot release, abort, stop strings, seeds and events.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Engine, EngineEventName } from "../../src/engine/index.ts";
import { testEngine, waitFor } from "../helpers/miniserve.ts";

let engine: Engine;
before(async () => {
  ({ engine } = await testEngine({ MINISERVE_KV_SLOTS: "4", MINISERVE_QUEUE_CAPACITY: "4" }));
});
after(async () => {
  await engine.close(1000);
  await engine.release();
});

const long = { prompt: "The queue holds", maxTokens: 60, temperature: 1, topP: 1, ignoreEos: true } as const;

test("generates the requested number of tokens and frees its slot", async () => {
  const result = await engine.submit({ ...long, maxTokens: 12 }).done;
  assert.equal(result.finishReason, "length");
  assert.equal(result.completionTokens, 12);
  assert.ok(result.promptTokens > 1);
  assert.deepEqual({ ...engine.stats(), queueCapacity: 0 }, { queueDepth: 0, queueCapacity: 0, slotsUsed: 0, slotsTotal: 4, running: 0 });
});

test("the same seed gives the same text", async () => {
  const run = () => engine.submit({ prompt: "Return the number of", maxTokens: 24, temperature: 0.9, topP: 0.95, seed: 1234 }).done;
  const [a, b] = [await run(), await run()];
  assert.equal(a.text, b.text);
  assert.ok(a.text.length > 0);
});

test("a request arriving mid-batch starts before the running batch drains", async () => {
  const first = engine.submit({ ...long, maxTokens: 80 });
  let tokens = 0;
  const off = engine.events.on("token", ({ request }) => {
    if (request === first.request) tokens++;
  });
  await waitFor(() => tokens >= 5, 10_000, "5 tokens of the first request");
  const second = engine.submit({ ...long, maxTokens: 3 });
  const [a, b] = await Promise.all([first.done, second.done]);
  off();
  assert.ok(b.timings.scheduledMs! < a.timings.finishedMs!, "second was scheduled while the first still ran");
  assert.ok(b.timings.finishedMs! < a.timings.finishedMs!, "second finished before the first");
});

test("the queue is bounded: past capacity submit refuses and holds nothing", async () => {
  const running = Array.from({ length: 4 }, () => engine.submit({ ...long, maxTokens: 200 }));
  await waitFor(() => engine.stats().slotsUsed === 4, 5000, "4 slots in use");
  const waiting = Array.from({ length: 4 }, () => engine.submit({ ...long, maxTokens: 4 }));
  assert.equal(engine.stats().queueDepth, 4);
  assert.throws(() => engine.submit({ ...long, maxTokens: 4 }), (err: { code?: string }) => err.code === "MSV_ERR_QUEUE_FULL");
  assert.equal(engine.stats().queueDepth, 4);
  for (const h of running) h.abort("test");
  await Promise.all([...running, ...waiting].map((h) => h.done));
  assert.equal(engine.stats().slotsUsed, 0);
  assert.equal(engine.stats().queueDepth, 0);
});

test("abort frees the slot at the next step boundary and the queue drains", async () => {
  const running = Array.from({ length: 4 }, () => engine.submit({ ...long, maxTokens: 200 }));
  await waitFor(() => engine.stats().slotsUsed === 4, 5000, "4 slots in use");
  running.push(engine.submit({ ...long, maxTokens: 200 }), engine.submit({ ...long, maxTokens: 200 }));
  assert.equal(engine.stats().queueDepth, 2);
  for (const h of running) h.abort("test");
  const results = await Promise.all(running.map((h) => h.done));
  assert.ok(results.every((r) => r.finishReason === "abort"));
  assert.equal(engine.stats().slotsUsed, 0);
  assert.equal(engine.stats().queueDepth, 0);
});

test("stop strings end the text before the stop string", async () => {
  // Find some text the model produces, then ask it to stop at a piece of it.
  const free = await engine.submit({ prompt: "The", maxTokens: 30, temperature: 0, topP: 1, ignoreEos: true }).done;
  const stop = free.text.trim().slice(3, 6);
  assert.ok(stop.length === 3, `model text too short: ${JSON.stringify(free.text)}`);
  const cut = await engine.submit({ prompt: "The", maxTokens: 30, temperature: 0, topP: 1, ignoreEos: true, stop: [stop] }).done;
  assert.equal(cut.finishReason, "stop");
  assert.equal(cut.text, free.text.slice(0, free.text.indexOf(stop)));
});

test("a prompt that does not fit the context is refused before it takes anything", () => {
  const prompt = "word ".repeat(2000);
  assert.throws(() => engine.submit({ ...long, prompt }), (err: { code?: string }) => err.code === "MSV_ERR_PROMPT_TOO_LONG");
  assert.equal(engine.stats().queueDepth, 0);
});

test("lifecycle events fire in order with timings, and steps report their batch", async () => {
  const seen: EngineEventName[] = [];
  const steps: { phase: string; size: number }[] = [];
  const names: EngineEventName[] = ["arrived", "tokenized", "enqueued", "scheduled", "first-token", "token", "finished"];
  const offs = names.map((n) => engine.events.on(n, () => void (seen.at(-1) !== n && seen.push(n))));
  offs.push(engine.events.on("step", (s) => void steps.push({ phase: s.phase, size: s.rows.length })));
  const result = await engine.submit({ ...long, maxTokens: 3 }).done;
  for (const off of offs) off();
  assert.deepEqual(seen, names);
  assert.deepEqual(steps.map((s) => s.phase), ["prefill", "decode", "decode"]);
  const t = result.timings;
  assert.ok(t.arrivedMs <= t.tokenizedMs! && t.tokenizedMs! <= t.enqueuedMs! && t.enqueuedMs! <= t.scheduledMs!);
  assert.ok(t.scheduledMs! <= t.firstTokenMs! && t.firstTokenMs! <= t.finishedMs!);
});

test("a listener that throws does not break generation", async () => {
  const off = engine.events.on("token", () => {
    throw new Error("broken subscriber");
  });
  const before = engine.events.listenerErrors;
  const result = await engine.submit({ ...long, maxTokens: 5 }).done;
  off();
  assert.equal(result.completionTokens, 5);
  assert.equal(engine.events.listenerErrors - before, 5);
});
