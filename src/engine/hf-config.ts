// Reads a Hugging Face model's config.json (and generation_config.json): layers, heads, KV heads,
// head size, context and end-of-sequence ids, under the names the common architectures use (--model DIR).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { MiniserveError } from "../errors/codes.ts";

export interface HfArchitecture {
  readonly modelType: string;
  readonly nLayer: number;
  readonly nHead: number;
  readonly nKvHead: number;
  readonly headDim: number;
  readonly dModel: number;
  readonly nCtx: number;
  readonly vocabSize: number;
  readonly bosId: number | null;
  /** config.json's and generation_config.json's end-of-sequence ids, deduplicated */
  readonly eosIds: readonly number[];
}

/** Architectures whose config.json uses other names: the first name present wins. */
const NAMES = {
  nLayer: ["num_hidden_layers", "n_layer", "num_layers"],
  nHead: ["num_attention_heads", "n_head", "num_heads"],
  nKvHead: ["num_key_value_heads", "n_head_kv", "num_kv_heads", "multi_query_group_num"],
  dModel: ["hidden_size", "n_embd", "d_model"],
  nCtx: ["max_position_embeddings", "n_positions", "n_ctx", "seq_length", "max_sequence_length"],
  vocabSize: ["vocab_size", "padded_vocab_size"],
} as const;

const ENCODER_DECODER_TYPES = new Set(["t5", "mt5", "umt5", "bart", "mbart", "marian", "pegasus", "m2m_100", "blenderbot", "led", "whisper", "encoder-decoder", "vision-encoder-decoder"]);

export function readJson(path: string, what: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (err) {
    throw new MiniserveError("MSV_ERR_MODEL_FILE", `cannot read ${what} (${path}): ${(err as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new MiniserveError("MSV_ERR_MODEL_FILE", `${path} must hold a JSON object.`);
  return raw as Record<string, unknown>;
}

function ids(v: unknown): number[] {
  const list = Array.isArray(v) ? v : [v];
  return list.filter((x): x is number => typeof x === "number" && Number.isInteger(x) && x >= 0);
}

export function readHfArchitecture(dir: string): HfArchitecture {
  const file = join(dir, "config.json");
  const top = readJson(file, "the model's config.json");
  const modelType = String(top["model_type"] ?? "unknown");
  if (top["is_encoder_decoder"] === true || ENCODER_DECODER_TYPES.has(modelType) || existsSync(join(dir, "encoder_model.onnx")) || existsSync(join(dir, "onnx", "encoder_model.onnx"))) {
    throw new MiniserveError("MSV_ERR_MODEL_UNSUPPORTED", `${dir} holds an encoder-decoder model (model_type "${modelType}"); miniserve serves decoder-only language models. Export one with \`optimum-cli export onnx --task text-generation-with-past\`.`);
  }
  // Multimodal configs keep the language model's numbers under text_config.
  const raw = typeof top["text_config"] === "object" && top["text_config"] !== null ? { ...top, ...(top["text_config"] as Record<string, unknown>) } : top;
  const pick = (names: readonly string[]): number | null => {
    for (const name of names) {
      const v = raw[name];
      if (v === undefined || v === null) continue;
      if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new MiniserveError("MSV_ERR_MODEL_FILE", `${file}: "${name}" must be a positive integer, got ${JSON.stringify(v)}.`);
      return v;
    }
    return null;
  };
  const need = (key: keyof typeof NAMES): number => {
    const v = pick(NAMES[key]);
    if (v === null) throw new MiniserveError("MSV_ERR_MODEL_FILE", `${file} names no ${key === "nCtx" ? "context length" : key} (looked for ${NAMES[key].join(", ")}).`);
    return v;
  };
  const nHead = need("nHead");
  const dModel = need("dModel");
  const nKvHead = pick(NAMES.nKvHead) ?? (raw["multi_query"] === true ? 1 : nHead);
  const headDim = pick(["head_dim"]) ?? dModel / nHead;
  if (!Number.isInteger(headDim)) throw new MiniserveError("MSV_ERR_MODEL_FILE", `${file}: hidden size ${dModel} is not a multiple of ${nHead} heads and no head_dim is given.`);
  const generation = existsSync(join(dir, "generation_config.json")) ? readJson(join(dir, "generation_config.json"), "generation_config.json") : {};
  const bos = ids(raw["bos_token_id"] ?? generation["bos_token_id"]);
  return {
    modelType,
    nLayer: need("nLayer"),
    nHead,
    nKvHead,
    headDim,
    dModel,
    nCtx: need("nCtx"),
    vocabSize: need("vocabSize"),
    bosId: bos[0] ?? null,
    eosIds: [...new Set([...ids(raw["eos_token_id"]), ...ids(generation["eos_token_id"])])],
  };
}
