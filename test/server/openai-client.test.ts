// The official `openai` npm client against miniserve: completions, chat, streaming, usage, models, and
// the fields current clients send (developer role, content parts, max_completion_tokens).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import type { Miniserve } from "../../src/server/index.ts";
import { testServer } from "../helpers/miniserve.ts";

let server: Miniserve;
let client: OpenAI;
before(async () => {
  server = await testServer();
  client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: "not-needed", maxRetries: 0 });
});
after(() => server.close());

test("models.list names the served model", async () => {
  const page = await client.models.list();
  assert.deepEqual(page.data.map((m) => m.id), ["miniserve-tiny"]);
});

test("completions.create returns text, finish_reason and usage", async () => {
  const res = await client.completions.create({ model: "miniserve-tiny", prompt: "Return the number of", max_tokens: 8, seed: 7 });
  assert.equal(res.object, "text_completion");
  assert.equal(res.choices.length, 1);
  assert.ok(["stop", "length"].includes(res.choices[0]!.finish_reason));
  assert.ok(res.usage!.prompt_tokens > 0);
  assert.ok(res.usage!.completion_tokens <= 8);
  assert.equal(res.usage!.total_tokens, res.usage!.prompt_tokens + res.usage!.completion_tokens);
});

test("chat.completions.create answers as the assistant", async () => {
  const res = await client.chat.completions.create({
    model: "miniserve-tiny",
    messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "What is a queue?" }],
    max_tokens: 8,
    temperature: 0.7,
  });
  assert.equal(res.object, "chat.completion");
  assert.equal(res.choices[0]!.message.role, "assistant");
  assert.equal(typeof res.choices[0]!.message.content, "string");
});

test("streaming chat: role chunk, content deltas, finish_reason, usage; text equals the non-streamed one", async () => {
  const request = { model: "miniserve-tiny", messages: [{ role: "user" as const, content: "Tell me about the queue" }], max_tokens: 16, seed: 99, temperature: 0.8 };
  const stream = await client.chat.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
  let text = "";
  let finish: string | null = null;
  let usage: OpenAI.CompletionUsage | undefined;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (choice?.delta.content) text += choice.delta.content;
    if (choice?.finish_reason) finish = choice.finish_reason;
  }
  assert.ok(chunks >= 3);
  assert.ok(finish === "stop" || finish === "length");
  assert.ok(usage && usage.completion_tokens > 0);
  const whole = await client.chat.completions.create(request);
  assert.equal(text, whole.choices[0]!.message.content);
});

test("streaming completions deliver the same text as a non-streamed call with the same seed", async () => {
  const request = { model: "miniserve-tiny", prompt: "The scheduler", max_tokens: 12, seed: 5 };
  const stream = await client.completions.create({ ...request, stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.text ?? "";
  const whole = await client.completions.create(request);
  assert.equal(text, whole.choices[0]!.text);
});

test("the client surfaces miniserve's error body", async () => {
  await assert.rejects(
    client.completions.create({ model: "miniserve-tiny", prompt: "x", max_tokens: 100_000 }),
    (err: InstanceType<typeof OpenAI.APIError>) => err.status === 400 && /max_tokens/.test(err.message),
  );
});

test("modern chat requests: the developer role, content as text parts and max_completion_tokens", async () => {
  const request = {
    model: "miniserve-tiny",
    messages: [
      { role: "developer" as const, content: "You are terse." },
      { role: "user" as const, content: [{ type: "text" as const, text: "What is" }, { type: "text" as const, text: "a queue?" }] },
    ],
    max_completion_tokens: 5,
    ignore_eos: true,
    seed: 11,
  };
  const res = await client.chat.completions.create(request as OpenAI.ChatCompletionCreateParamsNonStreaming);
  assert.equal(res.choices[0]!.finish_reason, "length");
  assert.equal(res.usage!.completion_tokens, 5, "max_completion_tokens bounds the output");
  // The same conversation written the old way gives the same prompt, so the same text and usage.
  const classic = await client.chat.completions.create({
    model: "miniserve-tiny", seed: 11, max_tokens: 5, ignore_eos: true,
    messages: [{ role: "system", content: "You are terse." }, { role: "user", content: "What is\na queue?" }],
  } as OpenAI.ChatCompletionCreateParamsNonStreaming);
  assert.equal(res.choices[0]!.message.content, classic.choices[0]!.message.content);
  assert.equal(res.usage!.prompt_tokens, classic.usage!.prompt_tokens);
  // max_completion_tokens wins over the deprecated max_tokens when a client sends both.
  const both = await client.chat.completions.create({ ...request, max_tokens: 2 } as OpenAI.ChatCompletionCreateParamsNonStreaming);
  assert.equal(both.usage!.completion_tokens, 5);
  const stream = await client.chat.completions.create({ ...request, stream: true } as OpenAI.ChatCompletionCreateParamsStreaming);
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  assert.equal(text, res.choices[0]!.message.content);
});

test("an image part is refused with a 400 that names it; the client surfaces code and param", async () => {
  await assert.rejects(
    client.chat.completions.create({
      model: "miniserve-tiny",
      messages: [{ role: "user", content: [{ type: "text", text: "What is this?" }, { type: "image_url", image_url: { url: "https://example.com/a.png" } }] }],
      max_completion_tokens: 4,
    }),
    (err: InstanceType<typeof OpenAI.APIError>) =>
      err.status === 400 && err.code === "MSV_ERR_INVALID_FIELD" && err.param === "messages[0].content[1].type" && /reads text only/.test(err.message),
  );
});
