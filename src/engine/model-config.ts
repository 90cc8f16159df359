// What the engine knows about the model it serves, whichever layout its folder uses, and the reader
// for miniserve-tiny's own model-config.json. Lab 01 reads the geometry; lab 03 prices its tokens.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { MiniserveError } from "../errors/codes.ts";
import type { KvGeometry } from "./kv-cache.ts";

/**
 * "miniserve": the shipped model's own graph (model-config.json; last-position logits and
 * probabilities, new keys/values only). "hf-decoder": Hugging Face's ONNX export of a decoder
 * with past key/values (config.json, tokenizer.json; every position's logits, past + new keys/values).
 */
export type ModelFormat = "miniserve" | "hf-decoder";

export interface ModelConfig extends KvGeometry {
  readonly format: ModelFormat;
  /** query heads; key/value heads are nKvHead (fewer with multi-query or grouped-query attention) */
  readonly nHead: number;
  readonly dModel: number;
  readonly vocabSize: number;
  /** the end-of-text id; a prompt of miniserve-tiny starts with it */
  readonly eotId: number;
  /** every id that ends a generation (end-of-text, end-of-turn); eotId is among them when it exists */
  readonly stopIds: readonly number[];
  /** the context the model was built for; nCtx may be capped below it (MINISERVE_MAX_CONTEXT_TOKENS) */
  readonly modelContext: number;
  /** bytes one cached token takes in the KV cache (all layers, keys and values) */
  readonly kvBytesPerToken: number;
  /** folder holding the model's configuration and tokenizer files */
  readonly dir: string;
  readonly onnxFile: string;
  readonly tokenizerFile: string;
  /** sha256 of the ONNX file ("" when unknown) */
  readonly sha256: string;
}

/** Read miniserve-tiny's model-config.json (the "miniserve" layout). */
export function readModelConfig(modelDir: string): ModelConfig {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(join(modelDir, "model-config.json"), "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new MiniserveError("MSV_ERR_MODEL_FILE", `cannot read ${join(modelDir, "model-config.json")}: ${(err as Error).message}. Set MINISERVE_MODEL_DIR to the folder holding the model (default: model/).`);
  }
  const num = (key: string): number => {
    const v = raw[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) {
      throw new MiniserveError("MSV_ERR_MODEL_FILE", `model-config.json: "${key}" must be a positive integer, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const nLayer = num("n_layer");
  const nKvHead = num("n_kv_head");
  const headDim = num("head_dim");
  const nCtx = num("n_ctx");
  const eotId = num("eot_id");
  return {
    format: "miniserve",
    nLayer,
    nHead: num("n_head"),
    nKvHead,
    headDim,
    nCtx,
    modelContext: nCtx,
    dModel: num("d_model"),
    vocabSize: num("vocab_size"),
    eotId,
    stopIds: [eotId],
    kvBytesPerToken: kvBytesPerToken(nLayer, nKvHead, headDim),
    dir: modelDir,
    onnxFile: join(modelDir, String(raw["onnx"] ?? "miniserve-tiny.onnx")),
    tokenizerFile: join(modelDir, String(raw["tokenizer"] ?? "tokenizer.json")),
    sha256: String(raw["sha256"] ?? ""),
  };
}

/** Keys and values of every layer for one token, stored as float32. */
export function kvBytesPerToken(nLayer: number, nKvHead: number, headDim: number): number {
  return 2 * nLayer * nKvHead * headDim * Float32Array.BYTES_PER_ELEMENT;
}

export function sha256File(path: string): string {
  return createHash("sha256").update(readFileSync(path)).digest("hex");
}
