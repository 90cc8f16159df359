// A Hugging Face ONNX export served as `npm run serve -- --model DIR` serves it (model/tiny-random-llama,
// random weights): the official openai client for completions, chat through the model's template
// and streaming, and the same metrics, spans and cost the labs read for miniserve-tiny.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { HfTokenizer, readModelFolder, sha256File } from "../../src/engine/index.ts";
import { loadConfig } from "../../src/config/index.ts";
import { orphanSpans, readTraceFiles } from "../../src/observability/index.ts";
import { Bm25Retriever, loadPassages } from "../../src/retrieval/index.ts";
import type { StoredSpan } from "../../src/observability/index.ts";
import { eventually, spawnObserved } from "../observability/observed-child.ts";
import type { ObservedChild } from "../observability/observed-child.ts";

const DIR = "model/tiny-random-llama";
const MODEL = "tiny-random-llama";
const tokenizer = HfTokenizer.load(readModelFolder(DIR, { slots: 1, maxContextTokens: 0, kvCacheMib: 64 }));
const CHAT = [{ role: "user" as const, content: "What does the queue hold?" }];

let server: ObservedChild;
let client: OpenAI;
before(async () => {
  server = await spawnObserved({ MINISERVE_MODEL_DIR: DIR });
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "not-needed", maxRetries: 0 });
});
after(async () => server?.stop());

const metricsText = async (): Promise<string> => (await fetch(`${server.url}/metrics`)).text();
const sample = (body: string, series: string): number => {
  const line = body.split("\n").find((l) => l.startsWith(`${series} `));
  assert.ok(line, `${series} is exported`);
  return Number(line.split(" ")[1]);
};

test("GET /v1/models names the folder's model and its context; /ready its graph's sha256", async () => {
  const page = await client.models.list();
  assert.deepEqual(page.data.map((m) => [m.id, (m as unknown as { context_length: number }).context_length]), [[MODEL, 256]]);
  const ready = (await (await fetch(`${server.url}/ready`)).json()) as { model: string; modelSha256: string };
  assert.equal(ready.model, MODEL);
  assert.equal(ready.modelSha256, sha256File(`${DIR}/model.onnx`));
});

test("completions: the prompt is tokenized by the model's tokenizer.json, a seed repeats the text", async () => {
  const request = { model: MODEL, prompt: "Return the number of items", max_tokens: 12, seed: 5, temperature: 0.9 };
  const first = await client.completions.create(request);
  const again = await client.completions.create(request);
  assert.equal(first.model, MODEL);
  assert.equal(first.usage!.prompt_tokens, tokenizer.promptIds(request.prompt).length);
  assert.ok(first.usage!.completion_tokens >= 1 && first.usage!.completion_tokens <= 12);
  assert.equal(first.choices[0]!.text, again.choices[0]!.text);
});

test("chat goes through the model's chat template; streamed and whole answers agree", async () => {
  const request = { model: MODEL, messages: CHAT, max_tokens: 10, temperature: 0 };
  const { data: whole, response } = await client.chat.completions.create(request).withResponse();
  assert.equal(whole.usage!.prompt_tokens, tokenizer.chatIds(CHAT)!.length, "the template's tokens, not the plain-text form");
  assert.equal(whole.choices[0]!.message.role, "assistant");
  const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
  let text = "";
  let usage: OpenAI.CompletionUsage | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    usage ??= chunk.usage ?? undefined;
  }
  assert.equal(text, whole.choices[0]!.message.content);
  assert.deepEqual(usage, whole.usage);

  // Its trace: the GenAI span named after this model with its usage and cost, every stage, no orphans.
  const traceId = response.headers.get("x-trace-id")!;
  const spans = await eventually(() => {
    const found = readTraceFiles(server.traceDir).filter((s) => s.traceId === traceId);
    return ["POST /v1/chat/completions", `chat ${MODEL}`, "tokenize", "queue", "prefill", "decode"].every((n) => found.some((s) => s.name === n)) ? found : undefined;
  }, 10_000, `the spans of trace ${traceId}`);
  assert.deepEqual(orphanSpans(spans), []);
  const gen = spans.find((s) => s.name === `chat ${MODEL}`) as StoredSpan;
  assert.equal(gen.attributes["gen_ai.request.model"], MODEL);
  assert.equal(gen.attributes["gen_ai.usage.input_tokens"], whole.usage!.prompt_tokens);
  assert.equal(gen.attributes["gen_ai.usage.output_tokens"], whole.usage!.completion_tokens);
  assert.ok((gen.attributes["cost.eur"] as number) > 0, "the request is priced");
  assert.equal(gen.attributes["cost.identity_ok"], true);
});

test("a chat with retrieval puts the passages into its last user turn, still inside the template", async () => {
  const config = loadConfig({}, []);
  const retriever = new Bm25Retriever(loadPassages(config.rootDir, config.retrievalDirs));
  const passages = retriever.search(CHAT[0]!.content, 1);
  const expected = tokenizer.chatIds([{ role: "user", content: retriever.format(passages, CHAT[0]!.content) }])!;
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: MODEL, messages: CHAT, max_tokens: 2, retrieval: { top_k: 1 } }),
  });
  const body = (await res.json()) as { usage: { prompt_tokens: number } };
  assert.equal(res.status, 200, JSON.stringify(body));
  assert.equal(body.usage.prompt_tokens, expected.length);
  assert.ok(expected.length > tokenizer.chatIds(CHAT)!.length + 20, "the passages lengthen the prompt");
});

test("metrics and cost carry the model's name and count its tokens", async () => {
  const before = await metricsText();
  const prompt = "Tokens in, tokens out";
  const res = await client.completions.create({ model: MODEL, prompt, max_tokens: 6, seed: 1 });
  const after = await eventually(async () => {
    const body = await metricsText();
    return sample(body, `cost_per_request_eur_count{model_name="${MODEL}"}`) > sample(before, `cost_per_request_eur_count{model_name="${MODEL}"}`) ? body : undefined;
  }, 5000, "the request's cost in the metrics");
  const delta = (series: string) => sample(after, series) - sample(before, series);
  assert.equal(delta(`tokens_total{kind="prompt",model_name="${MODEL}"}`), res.usage!.prompt_tokens);
  assert.equal(delta(`tokens_total{kind="completion",model_name="${MODEL}"}`), res.usage!.completion_tokens);
  assert.equal(delta(`time_to_first_token_seconds_count{model_name="${MODEL}"}`), 1);
  assert.ok(delta(`cost_per_request_eur_sum{model_name="${MODEL}"}`) > 0);
  assert.equal(sample(after, "cost_identity_violations_total"), 0);
  assert.equal(sample(after, "kv_cache_slots_used"), 0, "every slot is free again");
  assert.doesNotMatch(after, /model_name="miniserve-tiny"/, "no series names a model that is not served");
  const logged = server.logs.find((l) => l["request_id"] === res.id && typeof l["cost_eur"] === "number");
  assert.ok(logged, "the request's log line carries its cost");
  assert.equal(logged["model_name"], MODEL);
});
