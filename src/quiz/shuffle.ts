// Seedable shuffling of a question's options, so the learner cannot learn "the answer is always the first".
// The runner shuffles with a random seed; tests and `quiz --seed N` pass a fixed one for a repeatable order.

// The same small generator the sampler uses (mulberry32): one implementation for every seeded draw.
import { seededRandom } from "../engine/sampler.ts";

export { seededRandom };

/** A fresh seed for a real run; printed by the runner only on request, so a session can be replayed. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x100000000);
}

/** Fisher–Yates shuffle into a new array; the input is left untouched. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/**
 * Derives a per-question generator from one session seed and the question id, so a question's order
 * does not change when questions before it are added, removed or skipped (as in "retry the missed ones").
 */
export function questionRandom(seed: number, questionId: string): () => number {
  let h = seed >>> 0;
  for (let i = 0; i < questionId.length; i++) h = Math.imul(h ^ questionId.charCodeAt(i), 0x01000193) >>> 0;
  return seededRandom(h);
}
