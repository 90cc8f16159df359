// Reads what a Hugging Face ONNX decoder graph takes and returns (names, types, static dimensions)
// from onnxruntime's metadata, and refuses graphs the decoder runner cannot drive, saying why (--model DIR).
import { MiniserveError } from "../errors/codes.ts";

/** The part of onnxruntime's InferenceSession.ValueMetadata this reads. */
export interface ValueInfo {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: ReadonlyArray<number | string>;
}

export type MaskType = "int64" | "int32" | "float32";

export interface DecoderSignature {
  readonly nLayer: number;
  /** from the past inputs' static dimensions; null when the graph leaves them symbolic */
  readonly nKvHead: number | null;
  readonly headDim: number | null;
  readonly vocabSize: number | null;
  /** 2 x nLayer input names: keys of layer l at 2l, values at 2l + 1 */
  readonly past: readonly string[];
  readonly present: readonly string[];
  readonly positionIds: boolean;
  /** merged exports switch between their no-cache and with-cache branches with this input */
  readonly useCacheBranch: boolean;
  /** newer exports can return the last positions only: num_logits_to_keep or logits_to_keep */
  readonly logitsToKeep: string | null;
  readonly maskType: MaskType;
}

const PAST = /^past_key_values\.(\d+)\.(key|value)$/;
const OPTIONAL = new Set(["position_ids", "use_cache_branch", "num_logits_to_keep", "logits_to_keep"]);

function unsupported(file: string, why: string): never {
  throw new MiniserveError("MSV_ERR_MODEL_UNSUPPORTED", `${file}: ${why}`);
}

export function readDecoderSignature(inputs: readonly ValueInfo[], outputs: readonly ValueInfo[], file: string): DecoderSignature {
  const byName = new Map(inputs.map((i) => [i.name, i]));
  const outNames = new Set(outputs.map((o) => o.name));
  if (byName.has("encoder_hidden_states")) unsupported(file, "this graph is the decoder of an encoder-decoder model (it takes encoder_hidden_states); miniserve serves decoder-only language models.");
  const pastInputs = inputs.filter((i) => PAST.test(i.name));
  if (pastInputs.length === 0) {
    const other = inputs.find((i) => i.name.startsWith("past"));
    if (other !== undefined) unsupported(file, `its cache input "${other.name}" is not in the past_key_values.N.key / past_key_values.N.value layout of Hugging Face's exports.`);
    throw new MiniserveError("MSV_ERR_MODEL_NO_CACHE", `${file} takes no past key/values (inputs: ${inputs.map((i) => i.name).join(", ")}): it was exported without a KV cache, so every token would recompute the whole prompt. Export it again with \`optimum-cli export onnx --task text-generation-with-past\`.`);
  }
  const nLayer = pastInputs.length / 2;
  const past: string[] = [];
  const present: string[] = [];
  for (let l = 0; l < nLayer; l++) {
    for (const kind of ["key", "value"]) {
      if (!byName.has(`past_key_values.${l}.${kind}`)) unsupported(file, `past_key_values.${l}.${kind} is missing: the cache inputs must cover layers 0 to ${Math.ceil(nLayer) - 1}, a key and a value each.`);
      if (!outNames.has(`present.${l}.${kind}`)) unsupported(file, `it takes past_key_values.${l}.${kind} but returns no present.${l}.${kind}, so the cache could not be carried to the next step.`);
      past.push(`past_key_values.${l}.${kind}`);
      present.push(`present.${l}.${kind}`);
    }
  }
  if (!byName.has("input_ids")) unsupported(file, "it takes no input_ids.");
  const mask = byName.get("attention_mask");
  if (mask === undefined) unsupported(file, "it takes no attention_mask, so rows of different lengths cannot share a batch.");
  if (!outNames.has("logits")) unsupported(file, "it returns no logits.");
  const unknown = inputs.filter((i) => !PAST.test(i.name) && i.name !== "input_ids" && i.name !== "attention_mask" && !OPTIONAL.has(i.name));
  if (unknown.length > 0) unsupported(file, `it takes inputs the decoder runner does not know how to fill: ${unknown.map((i) => i.name).join(", ")}.`);

  const first = byName.get(past[0]!)!;
  if (first.type !== "float32") {
    unsupported(file, `its KV cache is ${first.type ?? "of an unknown type"}; miniserve keeps caches as float32. Serve the float32 export (model.onnx) or a quantized one whose cache inputs stay float32 (model_quantized.onnx, model_q4.onnx).`);
  }
  const logits = outputs.find((o) => o.name === "logits")!;
  if (logits.type !== undefined && logits.type !== "float32") unsupported(file, `its logits are ${logits.type}; serve an export with float32 logits.`);
  const shape = first.shape ?? [];
  if (shape.length !== 4) unsupported(file, `${first.name} has ${shape.length} dimensions; the runner expects [batch, kv heads, past length, head size].`);
  const maskType = mask.type;
  if (maskType !== "int64" && maskType !== "int32" && maskType !== "float32") unsupported(file, `its attention_mask is ${maskType}; expected int64.`);
  const staticDim = (v: number | string | undefined): number | null => (typeof v === "number" && v > 0 ? v : null);
  return {
    nLayer,
    nKvHead: staticDim(shape[1]),
    headDim: staticDim(shape[3]),
    vocabSize: staticDim(logits.shape?.[logits.shape.length - 1]),
    past,
    present,
    positionIds: byName.has("position_ids"),
    useCacheBranch: byName.has("use_cache_branch"),
    logitsToKeep: byName.has("num_logits_to_keep") ? "num_logits_to_keep" : byName.has("logits_to_keep") ? "logits_to_keep" : null,
    maskType,
  };
}
