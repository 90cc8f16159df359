// Runs the model over KV-cache slots: prefill a batch of prompts, or advance a batch by one token.
// LocalModelRunner does it on the calling thread; model-worker.ts hosts one in a worker thread.
import { KvCache } from "./kv-cache.ts";
import type { ModelConfig, ModelSession } from "./model-session.ts";

export interface PrefillRow {
  readonly slot: number;
  readonly tokens: readonly number[];
}

export interface DecodeRow {
  readonly slot: number;
  readonly token: number;
}

/** What the scheduler needs from the model: last-position logits per row, [B x V]. */
export interface ModelRunner {
  readonly config: ModelConfig;
  prefill(rows: readonly PrefillRow[]): Promise<Float32Array>;
  decode(rows: readonly DecodeRow[]): Promise<Float32Array>;
  close(): Promise<void>;
}

export class LocalModelRunner implements ModelRunner {
  readonly config: ModelConfig;
  private readonly kv: KvCache;
  private scratch = new Float32Array(0);

  constructor(private readonly model: ModelSession, slots: number) {
    this.config = model.config;
    this.kv = new KvCache(model.config, slots);
  }

  async prefill(rows: readonly PrefillRow[]): Promise<Float32Array> {
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
    const out = await this.model.forward({ batch: B, newLength: S, pastLength: 0, inputIds, positionIds, attentionMask: mask, past: new Float32Array(0) });
    this.kv.append(rows.map((r) => r.slot), out.present, S, rows.map((r) => r.tokens.length));
    // Keep only each row's last real position: that is where its next token comes from.
    const V = this.config.vocabSize;
    const logits = new Float32Array(B * V);
    rows.forEach((row, b) => {
      const from = (b * S + row.tokens.length - 1) * V;
      logits.set(out.logits.subarray(from, from + V), b * V);
    });
    return logits;
  }

  async decode(rows: readonly DecodeRow[]): Promise<Float32Array> {
    const B = rows.length;
    const slots = rows.map((r) => r.slot);
    let P = 0;
    for (const slot of slots) P = Math.max(P, this.kv.length(slot));
    const { nLayer, nHead, headDim } = this.config;
    const pastSize = nLayer * 2 * B * nHead * P * headDim;
    if (this.scratch.length < pastSize) this.scratch = new Float32Array(pastSize);
    const past = this.scratch.subarray(0, pastSize);
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
    const out = await this.model.forward({ batch: B, newLength: 1, pastLength: P, inputIds, positionIds, attentionMask: mask, past });
    this.kv.append(slots, out.present, 1, rows.map(() => 1));
    return out.logits.slice(0, B * this.config.vocabSize);
  }

  async close(): Promise<void> {
    await this.model.release();
  }
}
