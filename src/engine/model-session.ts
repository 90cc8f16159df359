// Loads miniserve-tiny's ONNX graph and runs one forward pass over a batch with its past KV cache.
// The engine calls it for prefill (past length 0) and for each decode step; see docs/miniserve-map.md.
import ort from "onnxruntime-node";
import { MiniserveError } from "../errors/codes.ts";
import { readModelConfig } from "./model-config.ts";
import type { ModelConfig } from "./model-config.ts";

export interface ForwardInput {
  readonly batch: number;
  /** new tokens per row (S), rows padded to this length */
  readonly newLength: number;
  /** cached tokens per row (P), rows padded to this length */
  readonly pastLength: number;
  readonly inputIds: BigInt64Array;
  readonly positionIds: BigInt64Array;
  readonly attentionMask: Float32Array;
  /** [B]: 1 / temperature per row, for the probs output (any positive value for greedy rows) */
  readonly invTemperature: Float32Array;
  /** 2 x n_layer tensors, [B, H_kv, P, Dh] each: keys of layer l at 2l, values at 2l + 1 */
  readonly past: readonly Float32Array[];
}

export interface ForwardOutput {
  /** [B, V]: next-token logits at each row's last real new position (the graph computes no others) */
  readonly logits: Float32Array;
  /** [B, V]: softmax(logits x invTemperature), computed in the graph with vectorised kernels */
  readonly probs: Float32Array;
  /** 2 x n_layer tensors, [B, H_kv, S, Dh] each: keys and values of the new tokens only */
  readonly present: Float32Array[];
}

export class ModelSession {
  private constructor(
    readonly config: ModelConfig,
    private readonly session: ort.InferenceSession,
  ) {}

  /** `config`: the folder's description when the caller already read it (with its context cap). */
  static async load(modelDir: string, opts: { intraOpThreads: number; config?: ModelConfig }): Promise<ModelSession> {
    const config = opts.config ?? readModelConfig(modelDir);
    let session: ort.InferenceSession;
    try {
      session = await ort.InferenceSession.create(config.onnxFile, {
        intraOpNumThreads: opts.intraOpThreads,
        interOpNumThreads: 1,
        graphOptimizationLevel: "all",
        executionMode: "sequential",
      });
    } catch (err) {
      throw new MiniserveError("MSV_ERR_MODEL_FILE", `cannot load ${config.onnxFile}: ${(err as Error).message}`);
    }
    return new ModelSession(config, session);
  }

  async forward(input: ForwardInput): Promise<ForwardOutput> {
    const { nLayer, nKvHead, headDim } = this.config;
    const { batch: B, newLength: S, pastLength: P } = input;
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor("int64", input.inputIds, [B, S]),
      position_ids: new ort.Tensor("int64", input.positionIds, [B, S]),
      attention_mask: new ort.Tensor("float32", input.attentionMask, [B, P + S]),
      inv_temperature: new ort.Tensor("float32", input.invTemperature, [B]),
    };
    for (let l = 0; l < nLayer; l++) {
      feeds[`past_key_${l}`] = new ort.Tensor("float32", input.past[2 * l]!, [B, nKvHead, P, headDim]);
      feeds[`past_value_${l}`] = new ort.Tensor("float32", input.past[2 * l + 1]!, [B, nKvHead, P, headDim]);
    }
    const out = await this.session.run(feeds);
    const present: Float32Array[] = [];
    for (let l = 0; l < nLayer; l++) {
      present.push(out[`present_key_${l}`]!.data as Float32Array, out[`present_value_${l}`]!.data as Float32Array);
    }
    return { logits: out["logits"]!.data as Float32Array, probs: out["probs"]!.data as Float32Array, present };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
