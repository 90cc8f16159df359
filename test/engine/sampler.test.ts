import { test } from "node:test";
import assert from "node:assert/strict";
import { Sampler, seededRandom } from "../../src/engine/index.ts";

const V = 8;
const logits = Float32Array.from([0.1, 2.5, 0.3, 2.4, -1, 0, 1, 0.2]);

test("temperature 0 is greedy", () => {
  const s = new Sampler(V);
  assert.equal(s.sample(logits, 0, { temperature: 0, topP: 1 }, seededRandom(1)), 1);
});

test("the same seed draws the same tokens; another seed differs", () => {
  const s = new Sampler(V);
  const draw = (seed: number) => {
    const rnd = seededRandom(seed);
    return Array.from({ length: 50 }, () => s.sample(logits, 0, { temperature: 1, topP: 1 }, rnd));
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
});

test("top_p keeps only the nucleus", () => {
  const s = new Sampler(V);
  const rnd = seededRandom(3);
  const seen = new Set<number>();
  for (let i = 0; i < 500; i++) seen.add(s.sample(logits, 0, { temperature: 1, topP: 0.5 }, rnd));
  // tokens 1 and 3 hold most of the mass; with top_p 0.5 nothing else may appear
  assert.ok([...seen].every((t) => t === 1 || t === 3), `saw ${[...seen]}`);
});

test("reads logits at an offset (rows of a batch)", () => {
  const s = new Sampler(V);
  const two = new Float32Array(2 * V);
  two.set(logits, V);
  assert.equal(s.sample(two, V, { temperature: 0, topP: 1 }, seededRandom(1)), 1);
});

/** softmax(logits / T) in float32, as the model graph returns it. */
function modelProbs(T: number): Float32Array {
  const max = Math.max(...logits);
  const e = Array.from(logits, (x) => Math.exp((x - max) / T));
  const z = e.reduce((a, b) => a + b, 0);
  return Float32Array.from(e, (x) => x / z);
}

test("probabilities from the model draw the same tokens as the sampler's own softmax", () => {
  const s = new Sampler(V);
  for (const params of [{ temperature: 0.8, topP: 1 }, { temperature: 1.5, topP: 0.9 }]) {
    const probs = new Float32Array(2 * V);
    probs.set(modelProbs(params.temperature), V); // second row of a batch
    const batchLogits = new Float32Array(2 * V);
    batchLogits.set(logits, V);
    const a = seededRandom(9), b = seededRandom(9);
    let same = 0;
    const counts = new Array<number>(V).fill(0);
    for (let i = 0; i < 5000; i++) {
      const fromModel = s.sample(batchLogits, V, params, a, probs);
      if (fromModel === s.sample(batchLogits, V, params, b)) same++;
      counts[fromModel]!++;
    }
    // identical except where float32 rounding moves a boundary by ~1e-7
    assert.ok(same >= 4995, `${same} of 5000 identical at ${JSON.stringify(params)}`);
    const p = modelProbs(params.temperature);
    if (params.topP >= 1) counts.forEach((c, i) => assert.ok(Math.abs(c / 5000 - p[i]!) < 0.03, `token ${i}: ${c / 5000} vs ${p[i]}`));
  }
});

test("greedy ignores the probabilities and reads the logits", () => {
  const s = new Sampler(V);
  const flat = new Float32Array(V).fill(1 / V);
  assert.equal(s.sample(logits, 0, { temperature: 0, topP: 1 }, seededRandom(1), flat), 1);
});
