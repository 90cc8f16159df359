// Option shuffling: deterministic for a seed, a true permutation, and actually varied across seeds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { questionRandom, seededRandom, shuffled } from "../../src/quiz/index.ts";

test("the same seed gives the same order; the input is not modified", () => {
  const items = ["a", "b", "c", "d", "e"];
  const one = shuffled(items, seededRandom(42));
  const two = shuffled(items, seededRandom(42));
  assert.deepEqual(one, two);
  assert.deepEqual([...one].sort(), items);
  assert.deepEqual(items, ["a", "b", "c", "d", "e"]);
});

test("different seeds give different orders, and every position is reachable", () => {
  const firsts = new Set<string>();
  const orders = new Set<string>();
  for (let seed = 0; seed < 200; seed++) {
    const order = shuffled(["a", "b", "c", "d"], questionRandom(seed, "some-question"));
    firsts.add(order[0]!);
    orders.add(order.join(""));
  }
  assert.equal(firsts.size, 4);
  assert.ok(orders.size >= 20, `only ${orders.size} of 24 orders seen`);
});

test("a question's order depends on the seed and its id only", () => {
  const a = shuffled([1, 2, 3, 4], questionRandom(7, "q-one"));
  const b = shuffled([1, 2, 3, 4], questionRandom(7, "q-one"));
  assert.deepEqual(a, b);
  const values = [questionRandom(7, "q-one")(), questionRandom(7, "q-two")()];
  assert.notEqual(values[0], values[1]);
});
