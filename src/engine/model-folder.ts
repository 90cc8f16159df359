// Reads a model folder before anything is loaded: which layout it uses (miniserve-tiny's own or a
// Hugging Face ONNX decoder export), where its files are, and whether its KV cache fits the memory
// configured for it; each refusal is a coded error that says what to fix (docs/errors.md, README walkthrough).
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { MiniserveError } from "../errors/codes.ts";
import { readHfArchitecture } from "./hf-config.ts";
import { kvBytesPerToken, readModelConfig } from "./model-config.ts";
import type { ModelConfig } from "./model-config.ts";

export interface ModelLimits {
  /** KV slots the engine keeps: each may hold a whole context */
  readonly slots: number;
  /** cap on the context served; 0 serves the model's own */
  readonly maxContextTokens: number;
  /** memory the KV cache may take at full context in every slot, in MiB */
  readonly kvCacheMib: number;
}

/** Where an export puts its graph, most specific first (optimum, then Transformers.js's onnx/ folder). */
const GRAPH_CANDIDATES = ["model.onnx", "onnx/model.onnx", "decoder_model_merged.onnx", "onnx/decoder_model_merged.onnx", "decoder_with_past_model.onnx", "onnx/decoder_with_past_model.onnx"];

/** The folder holding a model's configuration: `path` itself, or, for an .onnx file, its folder or that folder's parent. */
export function modelRoot(path: string): { dir: string; onnxFile: string | null } {
  const abs = resolve(path);
  if (!abs.endsWith(".onnx")) return { dir: abs, onnxFile: null };
  const here = dirname(abs);
  const configured = (d: string) => existsSync(join(d, "config.json")) || existsSync(join(d, "model-config.json"));
  return { dir: !configured(here) && configured(dirname(here)) ? dirname(here) : here, onnxFile: abs };
}

export function readModelFolder(path: string, limits: ModelLimits): ModelConfig {
  if (!existsSync(path)) {
    throw new MiniserveError("MSV_ERR_MODEL_FILE", `${resolve(path)} does not exist. Point --model (MINISERVE_MODEL_DIR) at a model folder: model/ (miniserve-tiny) or a Hugging Face ONNX export holding config.json, tokenizer.json and model.onnx.`);
  }
  const { dir, onnxFile } = modelRoot(path);
  let model: ModelConfig;
  if (existsSync(join(dir, "model-config.json"))) {
    const own = readModelConfig(dir);
    model = onnxFile === null ? own : { ...own, onnxFile, sha256: "" };
  } else if (existsSync(join(dir, "config.json"))) {
    model = readHfFolder(dir, onnxFile);
  } else {
    throw new MiniserveError("MSV_ERR_MODEL_FILE", `${dir} has neither model-config.json (miniserve-tiny's layout) nor config.json (a Hugging Face export). Point --model at the folder that holds them.`);
  }
  if (!existsSync(model.onnxFile) || !statSync(model.onnxFile).isFile()) throw new MiniserveError("MSV_ERR_MODEL_FILE", `the model graph ${model.onnxFile} is missing.`);
  return withinLimits(model, limits);
}

function readHfFolder(dir: string, onnxFile: string | null): ModelConfig {
  const arch = readHfArchitecture(dir);
  const tokenizerFile = join(dir, "tokenizer.json");
  if (!existsSync(tokenizerFile)) {
    if (existsSync(join(dir, "tokenizer.model"))) {
      throw new MiniserveError("MSV_ERR_MODEL_TOKENIZER", `${dir} has only a SentencePiece tokenizer.model, no tokenizer.json. Write one with transformers: AutoTokenizer.from_pretrained("${dir}").save_pretrained("${dir}").`);
    }
    throw new MiniserveError("MSV_ERR_MODEL_FILE", `${dir} has no tokenizer.json; copy it from the model's repository next to config.json.`);
  }
  const eotId = arch.eosIds[0] ?? -1;
  return {
    format: "hf-decoder",
    nLayer: arch.nLayer,
    nHead: arch.nHead,
    nKvHead: arch.nKvHead,
    headDim: arch.headDim,
    nCtx: arch.nCtx,
    modelContext: arch.nCtx,
    dModel: arch.dModel,
    vocabSize: arch.vocabSize,
    eotId,
    stopIds: arch.eosIds,
    kvBytesPerToken: kvBytesPerToken(arch.nLayer, arch.nKvHead, arch.headDim),
    dir,
    onnxFile: onnxFile ?? findGraph(dir),
    tokenizerFile,
    sha256: "",
  };
}

function findGraph(dir: string): string {
  for (const candidate of GRAPH_CANDIDATES) if (existsSync(join(dir, candidate))) return join(dir, candidate);
  const found = [dir, join(dir, "onnx")].flatMap((d) => (existsSync(d) ? readdirSync(d).filter((f) => f.endsWith(".onnx")).map((f) => join(d, f)) : []));
  if (found.length === 1) return found[0]!;
  if (found.length === 0) {
    throw new MiniserveError("MSV_ERR_MODEL_FILE", `${dir} holds no .onnx graph. Export the model with \`optimum-cli export onnx --task text-generation-with-past --model <hub id> ${basename(dir)}\`.`);
  }
  throw new MiniserveError("MSV_ERR_MODEL_FILE", `${dir} holds several ONNX graphs (${found.map((f) => f.slice(dir.length + 1)).join(", ")}); pass the one to serve, e.g. --model ${found[0]}.`);
}

const MIB = 1024 * 1024;

/** Cap the context, then refuse a KV cache that would not fit the configured memory at full context. */
function withinLimits(model: ModelConfig, limits: ModelLimits): ModelConfig {
  const nCtx = limits.maxContextTokens > 0 ? Math.min(model.modelContext, limits.maxContextTokens) : model.modelContext;
  const need = limits.slots * nCtx * model.kvBytesPerToken;
  const budget = limits.kvCacheMib * MIB;
  if (need > budget) {
    const contextFits = Math.floor(budget / (limits.slots * model.kvBytesPerToken));
    const slotsFit = Math.floor(budget / (nCtx * model.kvBytesPerToken));
    const options = [
      contextFits >= 16 ? `cap the context with MINISERVE_MAX_CONTEXT_TOKENS=${contextFits}` : null,
      slotsFit >= 1 ? `keep fewer slots with MINISERVE_KV_SLOTS=${slotsFit}` : null,
      `raise MINISERVE_KV_CACHE_MIB to ${Math.ceil(need / MIB)}`,
    ].filter((o) => o !== null);
    throw new MiniserveError(
      "MSV_ERR_MODEL_MEMORY",
      `The KV cache of ${basename(model.dir)} would need ${Math.ceil(need / MIB)} MiB: ${limits.slots} slots x ${nCtx} tokens of context x ${model.kvBytesPerToken} bytes per token, above MINISERVE_KV_CACHE_MIB=${limits.kvCacheMib}. Either ${options.join(", or ")}.`,
    );
  }
  return { ...model, nCtx };
}
