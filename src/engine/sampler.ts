// Turns the logits of one position into the next token: greedy, temperature and nucleus (top_p) sampling.
// A seeded request always draws the same numbers, so the same seed gives the same text (lab 00 demo).

export interface SamplingParams {
  /** 0 means greedy (argmax). */
  readonly temperature: number;
  /** Nucleus sampling: keep the smallest set of tokens whose probability adds up to top_p. */
  readonly topP: number;
}

export type Random = () => number;

/** mulberry32: a small, fast, well-distributed 32-bit generator; plenty for sampling. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class Sampler {
  private readonly probs: Float64Array;
  private readonly order: Uint32Array;

  constructor(readonly vocabSize: number) {
    this.probs = new Float64Array(vocabSize);
    this.order = new Uint32Array(vocabSize);
  }

  /** Sample from logits[offset .. offset + vocabSize). */
  sample(logits: Float32Array, offset: number, params: SamplingParams, random: Random): number {
    const V = this.vocabSize;
    let best = 0;
    let max = -Infinity;
    for (let i = 0; i < V; i++) {
      const x = logits[offset + i]!;
      if (x > max) {
        max = x;
        best = i;
      }
    }
    if (params.temperature <= 0) return best;

    const probs = this.probs;
    const invT = 1 / params.temperature;
    let total = 0;
    for (let i = 0; i < V; i++) {
      const p = Math.exp((logits[offset + i]! - max) * invT);
      probs[i] = p;
      total += p;
    }
    if (params.topP >= 1) return this.draw(total * random());

    // Nucleus: sort token ids by probability, keep the head whose mass reaches top_p.
    const order = this.order;
    for (let i = 0; i < V; i++) order[i] = i;
    order.sort((a, b) => probs[b]! - probs[a]!);
    const limit = params.topP * total;
    let kept = 0;
    let mass = 0;
    while (kept < V && mass < limit) mass += probs[order[kept++]!]!;
    let target = mass * random();
    for (let k = 0; k < kept; k++) {
      target -= probs[order[k]!]!;
      if (target <= 0) return order[k]!;
    }
    return order[kept - 1]!;
  }

  private draw(target: number): number {
    const probs = this.probs;
    for (let i = 0; i < this.vocabSize; i++) {
      target -= probs[i]!;
      if (target <= 0) return i;
    }
    return this.vocabSize - 1;
  }
}
