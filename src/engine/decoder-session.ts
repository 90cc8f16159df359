// Loads a Hugging Face ONNX decoder export ("text-generation-with-past") and runs one forward pass:
// new tokens and every layer's past keys/values in, logits and past + new keys/values out (--model DIR).
import { createReadStream } from "node:fs";
import { createHash } from "node:crypto";
import ort from "onnxruntime-node";
import { MiniserveError } from "../errors/codes.ts";
import { readDecoderSignature } from "./decoder-signature.ts";
import type { DecoderSignature } from "./decoder-signature.ts";
import type { ModelConfig } from "./model-config.ts";

export interface DecoderInput {
  readonly batch: number;
  /** new tokens per row (S) */
  readonly newLength: number;
  /** cached positions per row (P), padding included */
  readonly pastLength: number;
  /** [B, S] */
  readonly inputIds: BigInt64Array;
  /** [B, S]; ignored by graphs without position_ids */
  readonly positionIds: BigInt64Array;
  /** [B, P + S]: 1 for a real token, 0 for padding */
  readonly attentionMask: Uint8Array;
  /** 2 x n_layer tensors [B, H_kv, P, Dh]: keys of layer l at 2l, values at 2l + 1 */
  readonly past: readonly Float32Array[];
}

export interface DecoderOutput {
  /** [B, positionsPerRow, V] */
  readonly logits: Float32Array;
  /** S, or 1 when the graph returns the last position only (logits_to_keep) */
  readonly positionsPerRow: number;
  /** 2 x n_layer tensors [B, H_kv, P + S, Dh]: the past as given, then the new tokens */
  readonly present: Float32Array[];
}

export class DecoderSession {
  private constructor(
    readonly config: ModelConfig,
    readonly signature: DecoderSignature,
    private readonly session: ort.InferenceSession,
  ) {}

  /** Load the graph, check it against config.json, and fill in what only the graph knows. */
  static async load(model: ModelConfig, opts: { intraOpThreads: number }): Promise<DecoderSession> {
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(model.onnxFile, {
        intraOpNumThreads: opts.intraOpThreads, interOpNumThreads: 1, graphOptimizationLevel: "all", executionMode: "sequential",
      });
    } catch (err) {
      throw new MiniserveError("MSV_ERR_MODEL_FILE", `cannot load ${model.onnxFile}: ${(err as Error).message}`);
    }
    try {
      const signature = readDecoderSignature(session.inputMetadata, session.outputMetadata, model.onnxFile);
      const mismatch = (what: string, graph: number | null, config: number) => {
        if (graph !== null && graph !== config) throw new MiniserveError("MSV_ERR_MODEL_UNSUPPORTED", `${model.onnxFile} has ${graph} ${what} but ${model.dir}/config.json says ${config}: the graph and config.json come from different models.`);
      };
      mismatch("layers", signature.nLayer, model.nLayer);
      mismatch("key/value heads", signature.nKvHead, model.nKvHead);
      mismatch("as head size", signature.headDim, model.headDim);
      const sha256 = await sha256Streamed(model.onnxFile);
      return new DecoderSession({ ...model, vocabSize: signature.vocabSize ?? model.vocabSize, sha256 }, signature, session);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  async forward(input: DecoderInput): Promise<DecoderOutput> {
    const { nKvHead, headDim, vocabSize } = this.config;
    const sig = this.signature;
    const { batch: B, newLength: S, pastLength: P } = input;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", input.inputIds, [B, S]),
      attention_mask: maskTensor(sig.maskType, input.attentionMask, [B, P + S]),
    };
    if (sig.positionIds) feeds["position_ids"] = new ort.Tensor("int64", input.positionIds, [B, S]);
    // A merged export runs its with-cache branch only when there is a cache to read.
    if (sig.useCacheBranch) feeds["use_cache_branch"] = new ort.Tensor("bool", Uint8Array.of(P > 0 ? 1 : 0), [1]);
    if (sig.logitsToKeep !== null) feeds[sig.logitsToKeep] = new ort.Tensor("int64", BigInt64Array.of(1n), []);
    sig.past.forEach((name, lk) => (feeds[name] = new ort.Tensor("float32", input.past[lk]!, [B, nKvHead, P, headDim])));
    const out = await this.session.run(feeds, ["logits", ...sig.present]);
    const logits = out["logits"]!;
    const positionsPerRow = logits.dims.length === 3 ? logits.dims[1]! : 1;
    if (logits.dims[logits.dims.length - 1] !== vocabSize) throw new Error(`the graph returned logits of shape [${logits.dims.join(", ")}], expected a vocabulary of ${vocabSize}`);
    return { logits: logits.data as Float32Array, positionsPerRow, present: sig.present.map((name) => out[name]!.data as Float32Array) };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function maskTensor(type: DecoderSignature["maskType"], mask: Uint8Array, dims: number[]): ort.Tensor {
  if (type === "int64") return new ort.Tensor("int64", BigInt64Array.from(mask, (m) => BigInt(m)), dims);
  if (type === "int32") return new ort.Tensor("int32", Int32Array.from(mask), dims);
  return new ort.Tensor("float32", Float32Array.from(mask), dims);
}

/** A real model's graph can be hundreds of MB: hash it in chunks, never whole in memory. */
function sha256Streamed(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash("sha256");
    createReadStream(path).on("data", (chunk) => hash.update(chunk)).on("error", reject).on("end", () => resolve(hash.digest("hex")));
  });
}
