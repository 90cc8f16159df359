// Runs a Hugging Face ONNX decoder export over the engine's KV slots, behind the ModelRunner the engine
// core drives for miniserve-tiny: each slot's cache stays where the pass that last produced it put it.
// Labs 01-03 observe its steps like miniserve-tiny's when --model serves such a folder.
import type { DecoderOutput, DecoderSession } from "./decoder-session.ts";
import type { ModelConfig } from "./model-config.ts";
import { runGrouped } from "./model-runner.ts";
import type { DecodeRow, ModelRunner, PrefillRow, RowOutput, StepOutput } from "./model-runner.ts";

/** The present tensors one forward pass returned: 2 x n_layer arrays of [batch, H_kv, width, Dh]. */
interface PassCache {
  readonly tensors: readonly Float32Array[];
  readonly batch: number;
  readonly width: number;
}

/** One slot's cache: row `row` of a pass, its `length` real positions at the right end of `width`. */
interface SlotCache {
  readonly pass: PassCache;
  readonly row: number;
  readonly length: number;
}

/**
 * What one extra decode call costs, in units of "one row padded by one cached token", for graphs of
 * this layout. A call's fixed cost is a pass over every weight (plus onnxruntime's own overhead); a
 * padded row-token costs its keys and values, which such a graph concatenates, expands for grouped
 * heads and returns in full every step. Timed as bare forward passes, one onnxruntime thread, medians
 * of interleaved runs on the shared 2-core build machine: tiny-random-llama 0.28 ms a call against
 * 0.28 µs a row-token; a random model with SmolLM2-135M's shape (model/build/tiny_llama.py --shape
 * smollm2-135m) 45 ms against 0.05 ms. Both put the break-even near 1,000 row-tokens, and
 * on ragged batches of 8 rows (caches of 40 to 800 tokens) grouping at 1,024 ran 1.3-1.9x faster
 * than one padded call or one call per length, and as fast as one call on even batches.
 */
export const DECODER_CALL_COST_ROW_TOKENS = 1024;

/**
 * The same for prefill, in padded prompt tokens, which go through every weight like real ones:
 * prompts of 16 and 64 tokens put a call's fixed cost at about 30 tokens' work on the tiny model
 * and 14 on the SmolLM2-135M-shaped one.
 */
export const DECODER_PREFILL_CALL_COST_ROW_TOKENS = 16;

/**
 * Rows of different lengths share a pass by padding on the left: each row's real positions end at
 * the same column, masked padding before them, and position_ids carry each row's true positions. So
 *  - the last position of the output is every row's last real one (logits come for every position);
 *  - a decode step's present tensors are, row for row, the next step's past: while the batch keeps
 *    its rows, the runner feeds them back as they are, without copying a byte. It gathers the rows
 *    into new tensors only when the batch changes (a request joins or leaves);
 *  - rows are still split into groups when the padding would cost more than an extra call
 *    (planGroups, with the measured costs above).
 * A graph without position_ids numbers new tokens from the past's length, which padding would shift:
 * its rows run in groups of equal length only (call cost 0), never padded.
 */
export class DecoderRunner implements ModelRunner {
  readonly config: ModelConfig;
  private readonly caches = new Map<number, SlotCache>();
  private readonly decodeCallCost: number;
  private readonly prefillCallCost: number;
  private readonly padId: bigint;

  constructor(private readonly model: DecoderSession) {
    this.config = model.config;
    const padded = model.signature.positionIds;
    this.decodeCallCost = padded ? DECODER_CALL_COST_ROW_TOKENS : 0;
    this.prefillCallCost = padded ? DECODER_PREFILL_CALL_COST_ROW_TOKENS : 0;
    // Padding positions are masked out; any id in the vocabulary will do.
    this.padId = BigInt(Math.max(0, this.config.eotId));
  }

  get callCosts(): { readonly prefill: number; readonly decode: number } {
    return { prefill: this.prefillCallCost, decode: this.decodeCallCost };
  }

  async prefill(rows: readonly PrefillRow[]): Promise<StepOutput> {
    return runGrouped(rows, (r) => r.tokens.length, this.prefillCallCost, (group) => this.prefillGroup(group));
  }

  async decode(rows: readonly DecodeRow[]): Promise<StepOutput> {
    return runGrouped(rows, (r) => this.cacheOf(r.slot).length, this.decodeCallCost, (group) => this.decodeGroup(group));
  }

  release(slot: number): void {
    this.caches.delete(slot);
  }

  async close(): Promise<void> {
    this.caches.clear();
    await this.model.release();
  }

  private async prefillGroup(rows: readonly PrefillRow[]): Promise<StepOutput> {
    const B = rows.length;
    let S = 0;
    for (const r of rows) S = Math.max(S, r.tokens.length);
    const inputIds = new BigInt64Array(B * S).fill(this.padId);
    const positionIds = new BigInt64Array(B * S);
    const mask = new Uint8Array(B * S);
    rows.forEach((row, b) => {
      const start = b * S + S - row.tokens.length;
      row.tokens.forEach((id, i) => {
        inputIds[start + i] = BigInt(id);
        positionIds[start + i] = BigInt(i);
      });
      mask.fill(1, start, (b + 1) * S);
    });
    const past = Array.from({ length: 2 * this.config.nLayer }, () => new Float32Array(0));
    const out = await this.model.forward({ batch: B, newLength: S, pastLength: 0, inputIds, positionIds, attentionMask: mask, past });
    const pass: PassCache = { tensors: out.present, batch: B, width: S };
    rows.forEach((row, b) => this.caches.set(row.slot, { pass, row: b, length: row.tokens.length }));
    return { rows: lastPositions(out, B, this.config.vocabSize), paddedTokens: B * S };
  }

  private async decodeGroup(rows: readonly DecodeRow[]): Promise<StepOutput> {
    const B = rows.length;
    const caches = rows.map((r) => this.cacheOf(r.slot));
    let P = 0;
    for (const c of caches) P = Math.max(P, c.length);
    const past = this.pastOf(caches, P);
    const inputIds = BigInt64Array.from(rows, (r) => BigInt(r.token));
    const positionIds = BigInt64Array.from(caches, (c) => BigInt(c.length));
    const mask = new Uint8Array(B * (P + 1));
    caches.forEach((c, b) => mask.fill(1, b * (P + 1) + P - c.length, (b + 1) * (P + 1)));
    const out = await this.model.forward({ batch: B, newLength: 1, pastLength: P, inputIds, positionIds, attentionMask: mask, past });
    const pass: PassCache = { tensors: out.present, batch: B, width: P + 1 };
    rows.forEach((row, b) => this.caches.set(row.slot, { pass, row: b, length: caches[b]!.length + 1 }));
    return { rows: lastPositions(out, B, this.config.vocabSize), paddedTokens: B };
  }

  /** The batch's past: the last pass's present tensors when this batch is that pass, row for row; else gathered. */
  private pastOf(caches: readonly SlotCache[], P: number): readonly Float32Array[] {
    const last = caches[0]!.pass;
    if (last.batch === caches.length && last.width === P && caches.every((c, b) => c.pass === last && c.row === b)) return last.tensors;
    const { nLayer, nKvHead: H, headDim: D } = this.config;
    const B = caches.length;
    // Fresh zeroed arrays: the padding the mask hides holds zeros, never stale values.
    const out = Array.from({ length: 2 * nLayer }, () => new Float32Array(B * H * P * D));
    caches.forEach(({ pass, row, length }, b) => {
      for (let lk = 0; lk < 2 * nLayer; lk++) {
        const from = pass.tensors[lk]!;
        const to = out[lk]!;
        for (let h = 0; h < H; h++) {
          const src = ((row * H + h) * pass.width + pass.width - length) * D;
          to.set(from.subarray(src, src + length * D), ((b * H + h) * P + P - length) * D);
        }
      }
    });
    return out;
  }

  private cacheOf(slot: number): SlotCache {
    const cache = this.caches.get(slot);
    if (cache === undefined) throw new Error(`KV slot ${slot} has no cache: it was never prefilled, or was released`);
    return cache;
  }
}

/** Row b's next-token logits: the last position the graph returned for it (left padding puts every row's last real token there). */
function lastPositions(out: DecoderOutput, batch: number, vocabSize: number): RowOutput[] {
  const n = out.positionsPerRow;
  return Array.from({ length: batch }, (_, b) => ({ logits: out.logits, offset: (b * n + n - 1) * vocabSize }));
}
