// Hostile input through the real HTTP server: oversized prompts refused before any tokenizing,
// bodies on routes that take none, error responses that name their request, /ready while draining.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Miniserve } from "../../src/server/index.ts";
import { postJson, testServer, waitFor } from "../helpers/miniserve.ts";

let server: Miniserve;
let encoded = 0;
before(async () => {
  server = await testServer({ MINISERVE_BODY_LIMIT_BYTES: String(512 * 1024) });
  // Count the tokenizer's work: an oversized prompt must cost none of it.
  const tokenizer = server.engine.tokenizer;
  const encode = tokenizer.encode.bind(tokenizer);
  tokenizer.encode = (text: string, limit?: number) => {
    encoded += text.length;
    return encode(text, limit);
  };
});
after(() => server.close());

const ok = { model: "miniserve-tiny", prompt: "Hello", max_tokens: 4 };
type ErrorBody = { error: { message: string; code: string; param: string | null } };

test("a 250 KB prompt, with retrieval, is refused by its size: no retrieval, no tokenizing, a message that says why", async () => {
  encoded = 0;
  const arrived: string[] = [];
  const off = server.engine.events.on("arrived", ({ request }) => void arrived.push(request.id));
  const started = performance.now();
  const res = await postJson(`${server.url}/v1/completions`, { ...ok, prompt: "word ".repeat(50_000), retrieval: { top_k: 2 } });
  const body = (await res.json()) as ErrorBody;
  const ms = performance.now() - started;
  off();
  assert.equal(res.status, 400);
  assert.equal(body.error.code, "MSV_ERR_PROMPT_TOO_LONG");
  assert.equal(body.error.param, "prompt");
  assert.match(body.error.message, /250000 characters.*at most \d+ bytes of text can fit the context window of 512 tokens/);
  assert.equal(encoded, 0, "the tokenizer never saw it");
  assert.deepEqual(arrived, []);
  assert.ok(ms < 500, `refused in ${ms.toFixed(0)} ms`);
});

test("a prompt under the byte bound but over the window stops tokenizing at the window", async () => {
  encoded = 0;
  let ids = 0;
  const tokenizer = server.engine.tokenizer;
  const counting = tokenizer.encode;
  tokenizer.encode = (text: string, limit?: number) => {
    const out = counting(text, limit);
    ids = out.length;
    return out;
  };
  try {
    // 1,200 distinct short words: under the byte bound (~6 KB of 7.6), far more tokens than 512.
    const prompt = Array.from({ length: 1200 }, (_, i) => `w${i}`).join(" ");
    const res = await postJson(`${server.url}/v1/completions`, { ...ok, prompt });
    const body = (await res.json()) as ErrorBody;
    assert.equal(res.status, 400);
    assert.equal(body.error.code, "MSV_ERR_PROMPT_TOO_LONG");
    assert.match(body.error.message, /more than 507 tokens/);
    assert.ok(ids <= 520, `tokenizing stopped near the window, not after ${ids} ids`);
  } finally {
    tokenizer.encode = counting;
  }
});

test("every error response carries x-request-id, and the log's request id is the same", async () => {
  const cases: [string, RequestInit][] = [
    ["/v1/completions", { method: "POST", headers: { "content-type": "application/json" }, body: "{bad" }],
    ["/v1/completions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...ok, max_tokens: 0 }) }],
    ["/nowhere", {}],
  ];
  const ids = new Set<string>();
  for (const [path, init] of cases) {
    const res = await fetch(`${server.url}${path}`, init);
    await res.text();
    assert.ok(res.status >= 400);
    const id = res.headers.get("x-request-id");
    assert.match(id ?? "", /^[0-9a-f-]{36}$/, `${path}: x-request-id ${id}`);
    ids.add(id!);
  }
  assert.equal(ids.size, cases.length, "one id per request");
  const okRes = await postJson(`${server.url}/v1/completions`, ok);
  const body = (await okRes.json()) as { id: string };
  assert.equal(okRes.headers.get("x-request-id"), body.id);
  assert.match(body.id, /^cmpl-[0-9a-f-]{36}$/);
});

test("DELETE and OPTIONS with a JSON content type: 405 with Allow on a known path, 404 elsewhere; never 'the body is empty'", async () => {
  for (const method of ["DELETE", "OPTIONS", "PUT", "GET"]) {
    const res = await fetch(`${server.url}/v1/completions`, { method, headers: { "content-type": "application/json" } });
    const body = (await res.json()) as ErrorBody;
    assert.equal(res.status, 405, `${method}: ${body.error.message}`);
    assert.equal(body.error.code, "MSV_ERR_METHOD_NOT_ALLOWED");
    assert.equal(res.headers.get("allow"), "POST");
    assert.match(body.error.message, new RegExp(`does not take ${method}; use POST`));
    assert.ok(res.headers.get("x-request-id"));
  }
  const withBody = await fetch(`${server.url}/v1/models`, { method: "DELETE", headers: { "content-type": "application/json" }, body: "{}" });
  assert.equal(withBody.status, 405);
  assert.equal(withBody.headers.get("allow"), "GET");
  await withBody.text();
  const elsewhere = await fetch(`${server.url}/v1/elsewhere`, { method: "DELETE", headers: { "content-type": "application/json" } });
  const body = (await elsewhere.json()) as ErrorBody;
  assert.equal(elsewhere.status, 404);
  assert.equal(body.error.code, "MSV_ERR_NOT_FOUND");
  assert.doesNotMatch(body.error.message, /body is empty/);
});

test("chat content parts other than text are refused with the part they name; audit off is a clear 400", async () => {
  const res = await postJson(`${server.url}/v1/chat/completions`, {
    model: "miniserve-tiny",
    messages: [{ role: "user", content: [{ type: "text", text: "Describe" }, { type: "image_url", image_url: { url: "http://x/y.png" } }] }],
  });
  const body = (await res.json()) as ErrorBody;
  assert.equal(res.status, 400);
  assert.equal(body.error.code, "MSV_ERR_INVALID_FIELD");
  assert.equal(body.error.param, "messages[0].content[1].type");
  assert.match(body.error.message, /"image_url" part; miniserve-tiny reads text only/);
  const off = await testServer({ MINISERVE_AUDIT: "off" });
  try {
    const refused = await postJson(`${off.url}/v1/completions`, { ...ok, audit: true });
    const b = (await refused.json()) as ErrorBody;
    assert.equal(refused.status, 400);
    assert.equal(b.error.code, "MSV_ERR_AUDIT_DISABLED");
    assert.equal(b.error.param, "audit");
  } finally {
    await off.close();
  }
});

test("while draining, /ready answers 503 (a load balancer can tell) and new work gets 503 with Retry-After", async () => {
  const s = await testServer({ MINISERVE_SHUTDOWN_GRACE_MS: "10000" });
  const inflight = postJson(`${s.url}/v1/completions`, { ...ok, max_tokens: 200, ignore_eos: true }).then((r) => r.json());
  await waitFor(() => s.engine.stats().slotsUsed > 0, 5000, "a request in flight");
  const closing = s.close();
  try {
    await waitFor(() => !s.engine.isAccepting, 2000, "draining");
    const ready = await fetch(`${s.url}/ready`);
    assert.equal(ready.status, 503);
    assert.equal(((await ready.json()) as ErrorBody).error.code, "MSV_ERR_SHUTTING_DOWN");
    const late = await postJson(`${s.url}/v1/completions`, ok);
    assert.equal(late.status, 503);
    assert.equal(late.headers.get("retry-after"), "1");
    await late.text();
    const done = (await inflight) as { choices: { finish_reason: string }[] };
    assert.equal(done.choices[0]!.finish_reason, "length", "the in-flight request still finished");
  } finally {
    await closing;
  }
});
