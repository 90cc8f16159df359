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
