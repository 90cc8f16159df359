// Model folders that cannot be served are refused before anything runs, each with its own code and
// a message that says what to fix: missing files, an encoder-decoder, a graph without past
// key/values, a tokenizer the library cannot load, a cache that does not fit the memory allowed.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadRunner, openModel, readDecoderSignature, readModelFolder } from "../../src/engine/index.ts";
import type { ValueInfo } from "../../src/engine/index.ts";
import type { ErrorCode, MiniserveError } from "../../src/errors/codes.ts";
import { tempDir } from "../helpers/free-port.ts";

const GOOD = "model/tiny-random-llama";
const NO_PAST_GRAPH = "test/engine/fixtures/no-past/model.onnx";
const limits = { slots: 4, maxContextTokens: 0, kvCacheMib: 64 };
const tmp = tempDir("model-folder");
after(() => tmp.cleanup());

let copies = 0;
/** A copy of the good folder, changed by `edit`. */
function folder(edit: (dir: string) => void = () => {}): string {
  const dir = join(tmp.dir, `m${copies++}`);
  cpSync(GOOD, dir, { recursive: true });
  edit(dir);
  return dir;
}
const editJson = (file: string, change: (json: Record<string, unknown>) => Record<string, unknown>) =>
  writeFileSync(file, JSON.stringify(change(JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>)));
const refusedWith = (code: ErrorCode, pattern: RegExp) => (err: MiniserveError) => {
  assert.equal(err.code, code, err.message);
  assert.match(err.message, pattern);
  return true;
};

test("both layouts are recognised: miniserve-tiny's own and a Hugging Face export, folder or .onnx file", () => {
  assert.equal(readModelFolder("model", limits).format, "miniserve");
  const hf = readModelFolder(GOOD, limits);
  assert.equal(hf.format, "hf-decoder");
  assert.equal(hf.nCtx, 256);
  const nested = folder((d) => {
    mkdirSync(join(d, "onnx"));
    renameSync(join(d, "model.onnx"), join(d, "onnx", "model_quantized.onnx"));
  });
  assert.equal(readModelFolder(nested, limits).onnxFile, join(nested, "onnx", "model_quantized.onnx"), "the one graph under onnx/ is found");
  copyFileSync(join(nested, "onnx", "model_quantized.onnx"), join(nested, "onnx", "model_fp16.onnx"));
  assert.throws(() => readModelFolder(nested, limits), refusedWith("MSV_ERR_MODEL_FILE", /several ONNX graphs \(onnx\/model_fp16\.onnx, onnx\/model_quantized\.onnx\).*--model/));
  const chosen = readModelFolder(join(nested, "onnx", "model_quantized.onnx"), limits);
  assert.equal(chosen.dir, nested, "an .onnx file under onnx/ takes its configuration from the folder above");
  assert.equal(readModelFolder(GOOD, { ...limits, maxContextTokens: 100 }).nCtx, 100, "MINISERVE_MAX_CONTEXT_TOKENS caps the context");
});

test("a missing folder, configuration, graph or tokenizer is MSV_ERR_MODEL_FILE and names the file", () => {
  assert.throws(() => readModelFolder(join(tmp.dir, "nowhere"), limits), refusedWith("MSV_ERR_MODEL_FILE", /does not exist.*--model/));
  assert.throws(() => readModelFolder(folder((d) => rmSync(join(d, "config.json"))), limits), refusedWith("MSV_ERR_MODEL_FILE", /neither model-config\.json .* nor config\.json/));
  assert.throws(() => readModelFolder(folder((d) => editJson(join(d, "config.json"), ({ num_hidden_layers: _, ...rest }) => rest)), limits),
    refusedWith("MSV_ERR_MODEL_FILE", /config\.json names no nLayer \(looked for num_hidden_layers/));
  assert.throws(() => readModelFolder(folder((d) => rmSync(join(d, "model.onnx"))), limits), refusedWith("MSV_ERR_MODEL_FILE", /holds no \.onnx graph.*text-generation-with-past/));
  assert.throws(() => readModelFolder(folder((d) => rmSync(join(d, "tokenizer.json"))), limits), refusedWith("MSV_ERR_MODEL_FILE", /no tokenizer\.json/));
});

test("an encoder-decoder is MSV_ERR_MODEL_UNSUPPORTED, from its config or from its graph", () => {
  const t5 = folder((d) => editJson(join(d, "config.json"), (c) => ({ ...c, model_type: "t5", is_encoder_decoder: true })));
  assert.throws(() => readModelFolder(t5, limits), refusedWith("MSV_ERR_MODEL_UNSUPPORTED", /encoder-decoder model \(model_type "t5"\).*decoder-only/));
  const decoderOfSeq2seq: ValueInfo[] = [
    { name: "input_ids", isTensor: true, type: "int64", shape: ["b", "s"] },
    { name: "encoder_hidden_states", isTensor: true, type: "float32", shape: ["b", "e", 512] },
  ];
  assert.throws(() => readDecoderSignature(decoderOfSeq2seq, [], "decoder_model.onnx"), refusedWith("MSV_ERR_MODEL_UNSUPPORTED", /encoder_hidden_states/));
});

test("a graph exported without past key/values is MSV_ERR_MODEL_NO_CACHE, reported across the worker thread", async () => {
  const noPast = folder((d) => copyFileSync(NO_PAST_GRAPH, join(d, "model.onnx")));
  await assert.rejects(loadRunner({ modelDir: noPast, intraOpThreads: 1, prefillTokenBudget: 512, ...limits }), refusedWith("MSV_ERR_MODEL_NO_CACHE", /takes no past key\/values.*--task text-generation-with-past/));
  await assert.rejects(openModel({ modelDir: noPast, intraOpThreads: 1, prefillTokenBudget: 512, ...limits }), refusedWith("MSV_ERR_MODEL_NO_CACHE", /inputs: input_ids, attention_mask/));
});

test("graphs the runner cannot drive are MSV_ERR_MODEL_UNSUPPORTED, saying what is wrong", async () => {
  const mismatched = folder((d) => editJson(join(d, "config.json"), (c) => ({ ...c, num_key_value_heads: 4 })));
  await assert.rejects(loadRunner({ modelDir: mismatched, intraOpThreads: 1, prefillTokenBudget: 512, ...limits }), refusedWith("MSV_ERR_MODEL_UNSUPPORTED", /has 2 key\/value heads but .*config\.json says 4/));
  const input = (name: string, type = "int64", shape: (number | string)[] = ["b", "s"]): ValueInfo => ({ name, isTensor: true, type, shape });
  const kv = (type: string) => [input("past_key_values.0.key", type, ["b", 2, "p", 16]), input("past_key_values.0.value", type, ["b", 2, "p", 16])];
  const outs = [input("logits", "float32"), input("present.0.key", "float32"), input("present.0.value", "float32")];
  assert.throws(() => readDecoderSignature([input("input_ids"), input("attention_mask"), ...kv("float16")], outs, "model_fp16.onnx"), refusedWith("MSV_ERR_MODEL_UNSUPPORTED", /KV cache is float16.*model\.onnx/));
  assert.throws(() => readDecoderSignature([input("input_ids"), input("attention_mask"), input("inputs_embeds", "float32"), ...kv("float32")], outs, "g.onnx"), refusedWith("MSV_ERR_MODEL_UNSUPPORTED", /does not know how to fill: inputs_embeds/));
  assert.throws(() => readDecoderSignature([input("input_ids"), input("attention_mask"), input("past_key_0", "float32")], outs, "g.onnx"), refusedWith("MSV_ERR_MODEL_UNSUPPORTED", /"past_key_0" is not in the past_key_values\.N\.key/));
  assert.throws(() => readDecoderSignature([input("input_ids"), input("attention_mask"), ...kv("float32")], [input("logits", "float32")], "g.onnx"), refusedWith("MSV_ERR_MODEL_UNSUPPORTED", /returns no present\.0\.key/));
});

test("a tokenizer the library cannot load is MSV_ERR_MODEL_TOKENIZER, with the way to write a tokenizer.json", async () => {
  const sentencePiece = folder((d) => {
    rmSync(join(d, "tokenizer.json"));
    writeFileSync(join(d, "tokenizer.model"), "not read");
  });
  assert.throws(() => readModelFolder(sentencePiece, limits), refusedWith("MSV_ERR_MODEL_TOKENIZER", /only a SentencePiece tokenizer\.model.*save_pretrained/));
  const unknownPart = folder((d) => editJson(join(d, "tokenizer.json"), (t) => ({ ...t, pre_tokenizer: { type: "UnicodeScripts" } })));
  await assert.rejects(openModel({ modelDir: unknownPart, intraOpThreads: 1, prefillTokenBudget: 512, ...limits }), refusedWith("MSV_ERR_MODEL_TOKENIZER", /UnicodeScripts/));
});

test("a context whose KV cache would not fit MINISERVE_KV_CACHE_MIB is MSV_ERR_MODEL_MEMORY, with settings that fit", () => {
  // 32 slots x 256 tokens x 512 bytes = 4 MiB against 1 MiB: 64 tokens or 8 slots would fit.
  assert.throws(() => readModelFolder(GOOD, { slots: 32, maxContextTokens: 0, kvCacheMib: 1 }),
    refusedWith("MSV_ERR_MODEL_MEMORY", /would need 4 MiB: 32 slots x 256 tokens of context x 512 bytes per token, above MINISERVE_KV_CACHE_MIB=1\. Either cap the context with MINISERVE_MAX_CONTEXT_TOKENS=64, or keep fewer slots with MINISERVE_KV_SLOTS=8, or raise MINISERVE_KV_CACHE_MIB to 4\./));
  assert.equal(readModelFolder(GOOD, { slots: 32, maxContextTokens: 64, kvCacheMib: 1 }).nCtx, 64, "the proposed cap fits");
  // SmolLM2-135M's numbers (read from its config.json): 30 layers x 3 KV heads x 64, 8,192 tokens.
  const smol = folder((d) => editJson(join(d, "config.json"), (c) => ({ ...c, num_hidden_layers: 30, hidden_size: 576, num_attention_heads: 9, num_key_value_heads: 3, head_dim: 64, max_position_embeddings: 8192 })));
  assert.throws(() => readModelFolder(smol, { slots: 32, maxContextTokens: 0, kvCacheMib: 2048 }), refusedWith("MSV_ERR_MODEL_MEMORY", /11520 MiB: 32 slots x 8192 tokens of context x 46080 bytes per token.*MINISERVE_MAX_CONTEXT_TOKENS=1456/));
});

test("`npm run serve -- --model` with a bad folder prints the coded error and exits 1, without a stack trace", () => {
  const noPast = folder((d) => copyFileSync(NO_PAST_GRAPH, join(d, "model.onnx")));
  const run = spawnSync(process.execPath, ["--import", "tsx", "src/cli/serve.ts", "--model", noPast, "--port", "0"], { encoding: "utf8", timeout: 60_000, env: { ...process.env, LOG_LEVEL: "silent", OTEL_SDK_DISABLED: "true" } });
  assert.equal(run.status, 1, run.stderr);
  assert.match(run.stderr, /^error MSV_ERR_MODEL_NO_CACHE: .*takes no past key\/values/m);
  assert.match(run.stderr, /docs\/errors\.md#msv_err_model_no_cache/);
  assert.doesNotMatch(run.stderr, /^\s+at /m, "no stack trace");
});
