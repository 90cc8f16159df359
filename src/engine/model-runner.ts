// Runs the model over KV-cache slots: prefill a batch of prompts, or advance a batch by one token.
// LocalModelRunner runs miniserve-tiny's graph (decoder-runner.ts runs Hugging Face exports);
// model-worker.ts hosts one in a worker thread.
import { KvCache } from "./kv-cache.ts";
import type { ModelConfig } from "./model-config.ts";
import type { ModelSession } from "./model-session.ts";

export interface PrefillRow {
  readonly slot: number;
  readonly tokens: readonly number[];
  /** 1 / temperature for this row's probs (default 1; greedy rows read the logits) */
  readonly invTemperature?: number;
}

export interface DecodeRow {
  readonly slot: number;
  readonly token: number;
  readonly invTemperature?: number;
}

/** Where one row's next-token logits and probabilities sit: V values from `offset` in each array. */
export interface RowOutput {
  readonly logits: Float32Array;
  /** softmax at the row's temperature, when the graph computes it (the sampler computes it otherwise) */
  readonly probs?: Float32Array | undefined;
  readonly offset: number;
}

/**
 * One step's output. A step may run as several forward passes (rows grouped by length), so each
 * row points into the output of its own pass instead of being copied into one [B x V] array.
 */
export interface StepOutput {
  /** one entry per row, in the order the rows were given */
  readonly rows: readonly RowOutput[];
  /** row-tokens the forward calls computed, padding included (a decode step computes one per row) */
  readonly paddedTokens: number;
}

/** What the scheduler needs from the model. */
export interface ModelRunner {
  readonly config: ModelConfig;
  prefill(rows: readonly PrefillRow[]): Promise<StepOutput>;
  decode(rows: readonly DecodeRow[]): Promise<StepOutput>;
  /** The slot's request ended: its cached keys and values may go. */
  release(slot: number): void;
  close(): Promise<void>;
}

export class LocalModelRunner implements ModelRunner {
  readonly config: ModelConfig;
  private readonly kv: KvCache;
  /** one reusable past buffer per (layer, k|v); grown, never shrunk */
  private scratch: Float32Array[];

  constructor(private readonly model: ModelSession, slots: number) {
    this.config = model.config;
    this.kv = new KvCache(model.config, slots);
    this.scratch = Array.from({ length: 2 * model.config.nLayer }, () => new Float32Array(0));
  }

  /**
   * Prefill every row's prompt. A forward pass pads its rows to the longest prompt in it, so rows
   * are split into groups of similar length when the padding saved outweighs an extra call.
   */
  async prefill(rows: readonly PrefillRow[]): Promise<StepOutput> {
    return runGrouped(rows, (r) => r.tokens.length, PREFILL_CALL_COST_ROW_TOKENS, (group) => this.prefillGroup(group));
  }

  private async prefillGroup(rows: readonly PrefillRow[]): Promise<StepOutput> {
    const B = rows.length;
    let S = 0;
    for (const r of rows) S = Math.max(S, r.tokens.length);
    const inputIds = new BigInt64Array(B * S);
    const positionIds = new BigInt64Array(B * S);
    const mask = new Float32Array(B * S);
    rows.forEach((row, b) => {
      this.kv.reset(row.slot);
      row.tokens.forEach((id, i) => {
        inputIds[b * S + i] = BigInt(id);
        positionIds[b * S + i] = BigInt(i);
        mask[b * S + i] = 1;
      });
    });
    const empty = this.scratch.map(() => new Float32Array(0));
    // The graph reads each row's last real position from the mask and returns that position only.
    const out = await this.model.forward({ batch: B, newLength: S, pastLength: 0, inputIds, positionIds, attentionMask: mask, invTemperature: invTemperatures(rows), past: empty });
    this.kv.append(rows.map((r) => r.slot), out.present, S, rows.map((r) => r.tokens.length));
    return { rows: rowOutputs(out.logits, out.probs, B, this.config.vocabSize), paddedTokens: B * S };
  }

  /**
   * One decode step for every row. Each forward pass pads all its rows to the longest cache in it
   * (its attention runs over the padding too), so rows are split into groups of similar length when
   * the padding saved outweighs the fixed cost of an extra call.
   */
  async decode(rows: readonly DecodeRow[]): Promise<StepOutput> {
    return runGrouped(rows, (r) => this.kv.length(r.slot), CALL_COST_ROW_TOKENS, (group) => this.decodeGroup(group));
  }

  private async decodeGroup(rows: readonly DecodeRow[]): Promise<StepOutput> {
    const B = rows.length;
    const slots = rows.map((r) => r.slot);
    let P = 0;
    for (const slot of slots) P = Math.max(P, this.kv.length(slot));
    const { nKvHead, headDim } = this.config;
    const pastSize = B * nKvHead * P * headDim;
    const past = this.scratch.map((buffer, lk) => {
      if (buffer.length < pastSize) this.scratch[lk] = buffer = new Float32Array(pastSize);
      return buffer.subarray(0, pastSize);
    });
    this.kv.gather(slots, P, past);
    const inputIds = new BigInt64Array(B);
    const positionIds = new BigInt64Array(B);
    const mask = new Float32Array(B * (P + 1));
    rows.forEach((row, b) => {
      const len = this.kv.length(row.slot);
      inputIds[b] = BigInt(row.token);
      positionIds[b] = BigInt(len);
      mask.fill(1, b * (P + 1), b * (P + 1) + len);
      mask[b * (P + 1) + P] = 1;
    });
    const out = await this.model.forward({ batch: B, newLength: 1, pastLength: P, inputIds, positionIds, attentionMask: mask, invTemperature: invTemperatures(rows), past });
    this.kv.append(slots, out.present, 1, rows.map(() => 1));
    return { rows: rowOutputs(out.logits, out.probs, B, this.config.vocabSize), paddedTokens: B };
  }

  /** Nothing to free: the slot's memory is preallocated and a new prefill resets it. */
  release(): void {}

  async close(): Promise<void> {
    await this.model.release();
  }
}

/** Sort rows by `length`, run each planned group, and hand each row its own pass's output. */
export async function runGrouped<R>(rows: readonly R[], length: (row: R) => number, callCost: number, run: (group: R[]) => Promise<StepOutput>): Promise<StepOutput> {
  const order = rows.map((_, i) => i).sort((a, b) => length(rows[a]!) - length(rows[b]!));
  const groups = planGroups(order.map((i) => length(rows[i]!)), callCost);
  if (groups.length === 1) {
    // One pass over the rows as given: no reordering, so the outputs are already in row order.
    return run(rows.slice());
  }
  const out: RowOutput[] = new Array(rows.length);
  let paddedTokens = 0;
  for (const group of groups) {
    const members = order.slice(group.start, group.end);
    const pass = await run(members.map((i) => rows[i]!));
    paddedTokens += pass.paddedTokens;
    members.forEach((rowIndex, k) => (out[rowIndex] = pass.rows[k]!));
  }
  return { rows: out, paddedTokens };
}

function rowOutputs(logits: Float32Array, probs: Float32Array, batch: number, vocabSize: number): RowOutput[] {
  return Array.from({ length: batch }, (_, b) => ({ logits, probs, offset: b * vocabSize }));
}

function invTemperatures(rows: readonly { readonly invTemperature?: number }[]): Float32Array {
  return Float32Array.from(rows, (r) => r.invTemperature ?? 1);
}

/**
 * What one extra decode call costs, in units of "one row padded by one cached token". On this model
 * a call costs ~0.15 ms by itself and a padded row-token a few hundredths of a microsecond; timed on
 * real ragged batches, 2048 did as well as anything from 1024 to 3500 and better than never splitting.
 */
export const CALL_COST_ROW_TOKENS = 2048;

/**
 * The same for prefill, in prompt tokens: a prefill token costs ~8 µs of compute, so the ~0.15 ms
 * a call costs by itself is worth about twenty padded tokens.
 */
export const PREFILL_CALL_COST_ROW_TOKENS = 24;

/**
 * Split rows sorted by length into contiguous groups minimising
 * sum(rows x longest) + callCost per group (dynamic programming, O(B^2)).
 */
export function planGroups(sortedLengths: readonly number[], callCost: number = CALL_COST_ROW_TOKENS): { start: number; end: number }[] {
  const n = sortedLengths.length;
  const best = new Float64Array(n + 1).fill(Infinity);
  const cut = new Int32Array(n + 1);
  best[0] = 0;
  for (let end = 1; end <= n; end++) {
    const longest = Math.max(1, sortedLengths[end - 1]!);
    for (let start = 0; start < end; start++) {
      const cost = best[start]! + (end - start) * longest + callCost;
      if (cost < best[end]!) {
        best[end] = cost;
        cut[end] = start;
      }
    }
  }
  const groups: { start: number; end: number }[] = [];
  for (let end = n; end > 0; end = cut[end]!) groups.unshift({ start: cut[end]!, end });
  return groups;
}
