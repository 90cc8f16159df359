import { test } from "node:test";
import assert from "node:assert/strict";
import { loadConfig } from "../../src/config/index.ts";

test("defaults: 127.0.0.1:8000, 32 slots, frozen", () => {
  const c = loadConfig({}, []);
  assert.equal(c.host, "127.0.0.1");
  assert.equal(c.port, 8000);
  assert.equal(c.kvSlots, 32);
  assert.ok(Object.isFrozen(c));
  assert.throws(() => ((c as { port: number }).port = 1));
});

test("HOST and PORT from the environment; flags win over the environment", () => {
  const c = loadConfig({ HOST: "0.0.0.0", PORT: "9001" }, []);
  assert.deepEqual([c.host, c.port], ["0.0.0.0", 9001]);
  assert.equal(loadConfig({ PORT: "9001" }, ["--port", "9002"]).port, 9002);
});

test("the served model: --model (or --model-dir, MINISERVE_MODEL_DIR) picks the folder, which names it unless MINISERVE_MODEL_NAME does", () => {
  const tiny = loadConfig({}, []);
  assert.equal(tiny.modelName, "miniserve-tiny", "model/model-config.json names the default model");
  const hf = loadConfig({}, ["--model", "model/tiny-random-llama"]);
  assert.ok(hf.modelDir.endsWith("/model/tiny-random-llama"));
  assert.equal(hf.modelName, "tiny-random-llama", "a Hugging Face folder is named after itself");
  assert.equal(loadConfig({ MINISERVE_MODEL_DIR: "model/tiny-random-llama" }, []).modelName, "tiny-random-llama");
  assert.equal(loadConfig({ MINISERVE_MODEL_DIR: "model" }, ["--model", "model/tiny-random-llama/model.onnx"]).modelName, "tiny-random-llama", "an .onnx file: its folder's name; the flag wins");
  assert.equal(loadConfig({ MINISERVE_MODEL_NAME: "smol" }, ["--model", "model/tiny-random-llama"]).modelName, "smol");
  assert.deepEqual([tiny.maxContextTokens, tiny.kvCacheMib], [0, 2048], "the model's own context, 2 GiB of KV cache at most");
  assert.equal(loadConfig({ MINISERVE_MAX_CONTEXT_TOKENS: "2048", MINISERVE_KV_CACHE_MIB: "512" }, []).maxContextTokens, 2048);
});

const bad: [Record<string, string>, string[], RegExp][] = [
  [{ MINISERVE_MAX_CONTEXT_TOKENS: "-5" }, [], /MINISERVE_MAX_CONTEXT_TOKENS must be an integer from 0/],
  [{ MINISERVE_KV_CACHE_MIB: "0" }, [], /MINISERVE_KV_CACHE_MIB must be an integer from 1/],
  [{ PORT: "eighty" }, [], /PORT must be an integer from 0 to 65535; got "eighty"/],
  [{ PORT: "70000" }, [], /PORT must be an integer from 0 to 65535/],
  [{ MINISERVE_KV_SLOTS: "0" }, [], /MINISERVE_KV_SLOTS must be an integer from 1 to 256/],
  [{ MINISERVE_QUEUE_CAPACITY: "-1" }, [], /MINISERVE_QUEUE_CAPACITY/],
  [{ LOG_LEVEL: "loud" }, [], /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent/],
  [{}, ["--kv-slot", "3"], /Unknown option '--kv-slot'.*Accepted flags/s],
  [{ MINISERVE_DEFAULT_MAX_TOKENS: "300", MINISERVE_MAX_TOKENS_CAP: "100" }, [], /must not exceed MINISERVE_MAX_TOKENS_CAP/],
  [{ HOST: "  " }, [], /HOST must be a non-empty string/],
  [{ MINISERVE_REQUEST_TIMEOUT_MS: "0" }, [], /MINISERVE_REQUEST_TIMEOUT_MS must be an integer from 100 to 600000/],
  [{ MINISERVE_HEADERS_TIMEOUT_MS: "40000" }, [], /MINISERVE_HEADERS_TIMEOUT_MS \(40000\) must not exceed MINISERVE_REQUEST_TIMEOUT_MS \(30000\)/],
  [{ MINISERVE_AUDIT_MAX_CONCURRENT: "0" }, [], /MINISERVE_AUDIT_MAX_CONCURRENT must be an integer from 1 to 64/],
  [{ MINISERVE_AUDIT: "maybe" }, [], /MINISERVE_AUDIT must be on or off/],
  [{ MINISERVE_TRACE_POLICY: "tails" }, [], /MINISERVE_TRACE_POLICY must be one of tail, head/],
  [{ MINISERVE_TRACE_KEEP_SLOWER_THAN_MS: "-1" }, [], /MINISERVE_TRACE_KEEP_SLOWER_THAN_MS must be an integer from 0/],
];

test("timeouts, audit bounds and the sampling policy have defaults that bound every client", () => {
  const c = loadConfig({}, []);
  assert.deepEqual(
    [c.requestTimeoutMs, c.headersTimeoutMs, c.keepAliveTimeoutMs, c.connectionTimeoutMs, c.auditEnabled, c.auditMaxConcurrent],
    [30_000, 10_000, 72_000, 0, true, 2],
  );
  assert.deepEqual([c.tracePolicy, c.traceKeepErrors, c.traceKeepSlowerThanMs, c.traceSamplerArg], ["tail", true, 1000, 1]);
});

for (const [env, argv, message] of bad) {
  test(`rejects ${JSON.stringify(env)} ${argv.join(" ")} with a message naming what to fix`, () => {
    assert.throws(() => loadConfig(env, argv), (err: { code?: string; message: string }) => err.code === "MSV_ERR_CONFIG" && message.test(err.message));
  });
}
