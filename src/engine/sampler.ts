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

  /**
   * Sample from logits[offset .. offset + vocabSize). `modelProbs`, when given, holds the same
   * row's softmax(logits / temperature) at the same offset: the model computes it in its graph,
   * far faster than the exp pass below, which remains for callers without it.
   */
  sample(logits: Float32Array, offset: number, params: SamplingParams, random: Random, modelProbs?: Float32Array): number {
    const V = this.vocabSize;
    if (params.temperature <= 0) return argmax(logits, offset, V);

    const probs = this.probs;
    let total = 0;
    if (modelProbs !== undefined) {
      // The model's probabilities already sum to 1 (to float32 rounding): one pass, stopping early.
      if (params.topP >= 1) return drawFrom(modelProbs, offset, V, 1, random());
      for (let i = 0; i < V; i++) total += probs[i] = modelProbs[offset + i]!;
    } else {
      const max = logits[offset + argmax(logits, offset, V)]!;
      const invT = 1 / params.temperature;
      for (let i = 0; i < V; i++) total += probs[i] = Math.exp((logits[offset + i]! - max) * invT);
      if (params.topP >= 1) return drawFrom(probs, 0, V, total, random());
    }

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
}

function argmax(values: Float32Array, offset: number, length: number): number {
  let best = 0;
  let max = -Infinity;
  for (let i = 0; i < length; i++) {
    const x = values[offset + i]!;
    if (x > max) {
      max = x;
      best = i;
    }
  }
  return best;
}

/** Draw index i with probability weights[i] / total, u uniform in [0, 1). */
function drawFrom(weights: Float32Array | Float64Array, offset: number, length: number, total: number, u: number): number {
  let target = total * u;
  let last = 0;
  for (let i = 0; i < length; i++) {
    const w = weights[offset + i]!;
    if (w > 0) last = i;
    target -= w;
    if (target <= 0 && w > 0) return i;
  }
  // Rounding left a sliver of mass unspent: the last token with any weight takes it.
  return last;
}
