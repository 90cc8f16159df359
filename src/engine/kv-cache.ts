// KV-cache memory and the slot pool. A slot holds the keys and values of one running request;
// SlotPool hands slots out (kv_cache_slots_used in lab 01), KvCache stores their contents.

export interface KvGeometry {
  readonly nLayer: number;
  /** key/value heads: 1 for multi-query attention (all query heads share one) */
  readonly nKvHead: number;
  readonly headDim: number;
  readonly nCtx: number;
}

/** Which slots are free. Lives with the scheduler; the memory itself lives with the model. */
export class SlotPool {
  private readonly free: number[];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`KV pool size must be a positive integer, got ${size}`);
    // Pop from the end: slot 0 is handed out first, which keeps the pictures in the labs readable.
    this.free = Array.from({ length: size }, (_, i) => size - 1 - i);
  }

  get used(): number {
    return this.size - this.free.length;
  }

  get available(): number {
    return this.free.length;
  }

  /** Take a free slot, or null when every slot is held. */
  acquire(): number | null {
    return this.free.pop() ?? null;
  }

  release(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= this.size || this.free.includes(slot)) {
      throw new Error(`KV slot ${slot} released twice or out of range`);
    }
    this.free.push(slot);
  }
}

/**
 * Slot memory layout is [layer][k|v][kv head][position][dim], so the cached rows of one
 * (layer, k|v, head) are contiguous and a batch can be gathered with one copy per block.
 * The model takes and returns one tensor per layer and k|v ("lk" below: 2 * layer + k|v).
 */
export class KvCache {
  private readonly slots: Float32Array[];
  private readonly lengths: Int32Array;
  private readonly blockStride: number;

  constructor(readonly geometry: KvGeometry, readonly size: number) {
    const { nLayer, nKvHead, headDim, nCtx } = geometry;
    this.blockStride = nCtx * headDim;
    this.slots = Array.from({ length: size }, () => new Float32Array(nLayer * 2 * nKvHead * this.blockStride));
    this.lengths = new Int32Array(size);
  }

  /** Tokens cached in a slot. */
  length(slot: number): number {
    return this.lengths[slot]!;
  }

  /** Forget a slot's contents (a new request takes it over). */
  reset(slot: number): void {
    this.lengths[slot] = 0;
  }

  /**
   * Copy the cached keys/values of `slots` into `out[lk]`, each laid out as the model's
   * past_key_{l} / past_value_{l} input [B, H_kv, P, Dh]. Positions past a row's length keep
   * whatever finite values `out` held: the attention mask hides them, and skipping a clear
   * saves a full pass over the buffers on every decode step.
   */
  gather(slots: readonly number[], pastLength: number, out: readonly Float32Array[]): void {
    const { nLayer, nKvHead, headDim } = this.geometry;
    const batch = slots.length;
    for (let b = 0; b < batch; b++) {
      const slot = slots[b]!;
      const src = this.slots[slot]!;
      const rows = this.lengths[slot]! * headDim;
      if (rows === 0) continue;
      for (let lk = 0; lk < nLayer * 2; lk++) {
        const dst = out[lk]!;
        for (let h = 0; h < nKvHead; h++) {
          const from = (lk * nKvHead + h) * this.blockStride;
          dst.set(src.subarray(from, from + rows), ((b * nKvHead + h) * pastLength) * headDim);
        }
      }
    }
  }

  /**
   * Append the new keys/values the model returned (present_key_{l} / present_value_{l}, each
   * [B, H_kv, S, Dh]) to each slot: row b contributes its first `counts[b]` positions.
   */
  append(slots: readonly number[], present: readonly Float32Array[], newLength: number, counts: readonly number[]): void {
    const { nLayer, nKvHead, headDim, nCtx } = this.geometry;
    const batch = slots.length;
    for (let b = 0; b < batch; b++) {
      const slot = slots[b]!;
      const count = counts[b]!;
      const at = this.lengths[slot]!;
      if (at + count > nCtx) throw new RangeError(`KV slot ${slot} would exceed the context of ${nCtx} tokens`);
      const dst = this.slots[slot]!;
      for (let lk = 0; lk < nLayer * 2; lk++) {
        const src = present[lk]!;
        for (let h = 0; h < nKvHead; h++) {
          const from = ((b * nKvHead + h) * newLength) * headDim;
          dst.set(src.subarray(from, from + count * headDim), (lk * nKvHead + h) * this.blockStride + at * headDim);
        }
      }
      this.lengths[slot] = at + count;
    }
  }
}
