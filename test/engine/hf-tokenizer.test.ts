// Hugging Face tokenizers through @huggingface/tokenizers and chat templates through @huggingface/jinja:
// parity with miniserve-tiny's own tokenizer, the ChatML template, streaming text that never splits
// a character, and a template that refuses a conversation answering 400.
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync, cpSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HfTokenizer, Tokenizer, readModelFolder } from "../../src/engine/index.ts";
import { MiniserveError } from "../../src/errors/codes.ts";

const dir = "model/tiny-random-llama";
const limits = { slots: 1, maxContextTokens: 0, kvCacheMib: 64 };
const hf = HfTokenizer.load(readModelFolder(dir, limits));
const own = Tokenizer.fromFile("model/tokenizer.json");

test("the standard tokenizer.json gives miniserve-tiny's ids on every parity case, and round-trips", () => {
  const cases = JSON.parse(readFileSync("model/fixtures/tokenizer-cases.json", "utf8")) as { text: string; ids: number[] }[];
  assert.ok(cases.length >= 10);
  for (const c of cases) {
    assert.deepEqual(hf.encode(c.text), c.ids, JSON.stringify(c.text));
    assert.equal(hf.decode(c.ids), c.text, JSON.stringify(c.text));
  }
  // Beyond the fixtures: JavaScript's whitespace set, spelled out in the standard file's regex.
  for (const text of ["naïve café — 東京", "emoji 🦊🚀 👩‍👩‍👧", "  tabs\tand\n\nnewlines   \r\n", "a\u00a0b\u2028c\ufeffd\u001ce"]) {
    assert.deepEqual(hf.encode(text), own.encode(text), JSON.stringify(text));
  }
});

test("a completion prompt gets what the tokenizer's post-processor adds; an empty one still starts somewhere", () => {
  assert.deepEqual(hf.promptIds("Return the number of"), own.encode("Return the number of"), "this tokenizer adds no BOS");
  assert.deepEqual(hf.promptIds(""), [1025], "an empty prompt starts from the end-of-sequence token");
});

test("a chat goes through the model's ChatML template, as apply_chat_template renders it", () => {
  const ids = hf.chatIds([{ role: "user", content: "Hi" }])!;
  const text = "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n";
  assert.equal(hf.decode(ids), text.replace(/<\|im_(start|end)\|>/g, ""), "special tokens are skipped when decoding");
  assert.deepEqual(ids.filter((id) => id >= 1024), [1024, 1025, 1024, 1025, 1024], "the template's special tokens are single ids");
  assert.equal(ids[0], 1024);
  const withSystem = hf.chatIds([{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }])!;
  assert.match(hf.decode(withSystem), /^system\nBe brief\.\nuser\nHi\nassistant\n$/, "a given system turn replaces the default");
  assert.deepEqual(hf.chatIds([{ role: "developer", content: "Be brief." }, { role: "user", content: "Hi" }]), withSystem, "OpenAI's developer role is the template's system role");
  assert.equal(own.chatIds(), null, "miniserve-tiny has no template: chats stay plain text");
});

test("streamed text holds back a character whose bytes span tokens, and adds up to the whole", () => {
  const ids = hf.encode("é🦊 and 東京");
  const bytes = [...Buffer.from("é🦊", "utf8")]; // byte tokens 0-255 are the raw bytes
  const stream = hf.streamDecoder();
  const pieces = bytes.map((b) => stream.push(b));
  assert.equal(pieces[0], "", "the first byte of é alone is not a character");
  assert.equal(pieces.join(""), "é🦊");
  const whole = hf.streamDecoder();
  assert.equal(ids.map((id) => whole.push(id)).join("") + whole.flush(), "é🦊 and 東京");
});

test("a tokenizer.json with a part the library does not implement, or a template that does not parse, is refused with a code", () => {
  const tmp = mkdtempSync(join(tmpdir(), "hf-tok-"));
  try {
    cpSync(dir, tmp, { recursive: true });
    // UnicodeScripts is a pre-tokenizer of the Rust library that the JavaScript one does not implement.
    const json = JSON.parse(readFileSync(join(tmp, "tokenizer.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(tmp, "tokenizer.json"), JSON.stringify({ ...json, pre_tokenizer: { type: "UnicodeScripts" } }));
    assert.throws(() => HfTokenizer.load(readModelFolder(tmp, limits)), (err: MiniserveError) => err.code === "MSV_ERR_MODEL_TOKENIZER" && /UnicodeScripts/.test(err.message));
    cpSync(join(dir, "tokenizer.json"), join(tmp, "tokenizer.json"));
    const config = JSON.parse(readFileSync(join(tmp, "tokenizer_config.json"), "utf8")) as Record<string, unknown>;
    writeFileSync(join(tmp, "tokenizer_config.json"), JSON.stringify({ ...config, chat_template: "{% for m in messages %}{{ m.content }" }));
    assert.throws(() => HfTokenizer.load(readModelFolder(tmp, limits)), (err: MiniserveError) => err.code === "MSV_ERR_MODEL_TOKENIZER" && /chat template/.test(err.message));
    writeFileSync(join(tmp, "tokenizer_config.json"), JSON.stringify({ ...config, chat_template: "{% if messages[0]['role'] != 'user' %}{{ raise_exception('Conversations must start with a user turn') }}{% endif %}{{ messages[0]['content'] }}" }));
    const strict = HfTokenizer.load(readModelFolder(tmp, limits));
    assert.throws(() => strict.chatIds([{ role: "assistant", content: "Hello" }]),
      (err: MiniserveError) => err.code === "MSV_ERR_INVALID_FIELD" && err.statusCode === 400 && err.param === "messages" && /must start with a user turn/.test(err.message));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
