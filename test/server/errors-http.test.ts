// Every bad-input and overload path through the real HTTP server: status, OpenAI-style body, advice.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import type { Miniserve } from "../../src/server/index.ts";
import { postJson, testServer, waitFor } from "../helpers/miniserve.ts";

let server: Miniserve;
before(async () => {
  server = await testServer({ MINISERVE_KV_SLOTS: "2", MINISERVE_QUEUE_CAPACITY: "2", MINISERVE_BODY_LIMIT_BYTES: "4096", MINISERVE_MAX_TOKENS_CAP: "64" });
});
after(() => server.close());

const ok = { model: "miniserve-tiny", prompt: "Hello", max_tokens: 4 };

async function expectError(res: Response, status: number, code: string, param?: string | null, message?: RegExp): Promise<void> {
  const body = (await res.json()) as { error: { message: string; type: string; param: string | null; code: string } };
  assert.equal(res.status, status, JSON.stringify(body));
  assert.equal(body.error.code, code);
  assert.equal(typeof body.error.type, "string");
  assert.ok(body.error.message.length > 10);
  if (param !== undefined) assert.equal(body.error.param, param);
  if (message) assert.match(body.error.message, message);
}

const cases: [string, unknown, number, string, string | null, RegExp?][] = [
  ["malformed JSON", '{"model": "miniserve-tiny",', 400, "MSV_ERR_INVALID_JSON", null, /not valid JSON/],
  ["a JSON array body", "[1,2]", 400, "MSV_ERR_INVALID_BODY", null],
  ["missing prompt", { model: "miniserve-tiny" }, 400, "MSV_ERR_MISSING_FIELD", "prompt"],
  ["missing model", { prompt: "x" }, 400, "MSV_ERR_MISSING_FIELD", "model"],
  ["prompt of the wrong type", { ...ok, prompt: 42 }, 400, "MSV_ERR_INVALID_FIELD", "prompt"],
  ["max_tokens 0", { ...ok, max_tokens: 0 }, 400, "MSV_ERR_INVALID_FIELD", "max_tokens", /from 1 to 64/],
  ["max_tokens negative", { ...ok, max_tokens: -5 }, 400, "MSV_ERR_INVALID_FIELD", "max_tokens"],
  ["max_tokens above the cap", { ...ok, max_tokens: 65 }, 400, "MSV_ERR_INVALID_FIELD", "max_tokens", /from 1 to 64/],
  ["max_tokens not an integer", { ...ok, max_tokens: 2.5 }, 400, "MSV_ERR_INVALID_FIELD", "max_tokens"],
  ["temperature above 2", { ...ok, temperature: 2.5 }, 400, "MSV_ERR_INVALID_FIELD", "temperature"],
  ["temperature as a string", { ...ok, temperature: "hot" }, 400, "MSV_ERR_INVALID_FIELD", "temperature"],
  ["top_p above 1", { ...ok, top_p: 1.5 }, 400, "MSV_ERR_INVALID_FIELD", "top_p"],
  ["top_p 0", { ...ok, top_p: 0 }, 400, "MSV_ERR_INVALID_FIELD", "top_p"],
  ["a misspelled field", { ...ok, max_token: 3 }, 400, "MSV_ERR_UNKNOWN_FIELD", "max_token", /Accepted fields/],
  ["n other than 1", { ...ok, n: 2 }, 400, "MSV_ERR_INVALID_FIELD", "n"],
  ["bad stop", { ...ok, stop: ["a", "b", "c", "d", "e"] }, 400, "MSV_ERR_INVALID_FIELD", "stop"],
  ["bad retrieval", { ...ok, retrieval: { top_k: 99 } }, 400, "MSV_ERR_INVALID_FIELD", "retrieval.top_k"],
  ["unknown model", { ...ok, model: "gpt-4" }, 404, "MSV_ERR_UNKNOWN_MODEL", "model", /miniserve-tiny/],
  ["a prompt longer than the context", { ...ok, prompt: "tokens ".repeat(560) }, 400, "MSV_ERR_PROMPT_TOO_LONG", "prompt", /context window/],
];

for (const [name, body, status, code, param, message] of cases) {
  test(`completions: ${name} -> ${status} ${code}`, async () => {
    await expectError(await postJson(`${server.url}/v1/completions`, body), status, code, param, message);
  });
}

test("chat: messages missing, malformed or with a bad role -> 400", async () => {
  const url = `${server.url}/v1/chat/completions`;
  await expectError(await postJson(url, { model: "miniserve-tiny" }), 400, "MSV_ERR_MISSING_FIELD", "messages");
  await expectError(await postJson(url, { model: "miniserve-tiny", messages: [] }), 400, "MSV_ERR_INVALID_FIELD", "messages");
  await expectError(await postJson(url, { model: "miniserve-tiny", messages: [{ role: "robot", content: "x" }] }), 400, "MSV_ERR_INVALID_FIELD", "messages[0].role");
  await expectError(await postJson(url, { model: "miniserve-tiny", messages: [{ role: "user", content: 1 }] }), 400, "MSV_ERR_INVALID_FIELD", "messages[0].content");
});

test("body above the limit -> 413", async () => {
  await expectError(await postJson(`${server.url}/v1/completions`, { ...ok, prompt: "a".repeat(5000) }), 413, "MSV_ERR_BODY_TOO_LARGE", null, /MINISERVE_BODY_LIMIT_BYTES/);
});

test("a body that is not JSON -> 415 with the header to send", async () => {
  const res = await fetch(`${server.url}/v1/completions`, { method: "POST", body: "prompt=hi", headers: { "content-type": "text/plain" } });
  await expectError(res, 415, "MSV_ERR_UNSUPPORTED_MEDIA_TYPE", null, /application\/json/);
});

test("unknown route -> 404 listing the routes", async () => {
  await expectError(await fetch(`${server.url}/v2/whatever?x=1`), 404, "MSV_ERR_NOT_FOUND", null, /POST \/v1\/completions/);
});

test("queue full -> 503 with Retry-After, and nothing is lost once the load passes", async () => {
  const long = { ...ok, max_tokens: 64, ignore_eos: true };
  const inflight = Array.from({ length: 2 }, () => postJson(`${server.url}/v1/completions`, long));
  await waitFor(() => server.engine.stats().slotsUsed === 2, 5000, "both slots in use");
  const queued = Array.from({ length: 2 }, () => postJson(`${server.url}/v1/completions`, long));
  await waitFor(() => server.engine.stats().queueDepth === 2, 5000, "two queued");
  const rejected = await postJson(`${server.url}/v1/completions`, long);
  assert.equal(rejected.headers.get("retry-after"), "1");
  await expectError(rejected, 503, "MSV_ERR_QUEUE_FULL", null, /Retry/);
  const all = await Promise.all([...inflight, ...queued]);
  assert.deepEqual(all.map((r) => r.status), [200, 200, 200, 200]);
  assert.deepEqual({ used: server.engine.stats().slotsUsed, queued: server.engine.stats().queueDepth }, { used: 0, queued: 0 });
});
