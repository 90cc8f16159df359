import { test } from "node:test";
import assert from "node:assert/strict";
import { CALL_COST_ROW_TOKENS, PREFILL_CALL_COST_ROW_TOKENS, planGroups } from "../../src/engine/model-runner.ts";

const cost = (lengths: number[], groups: { start: number; end: number }[]) =>
  groups.reduce((sum, g) => sum + (g.end - g.start) * lengths[g.end - 1]! + CALL_COST_ROW_TOKENS, 0);

test("rows of similar length stay in one forward pass", () => {
  assert.deepEqual(planGroups([100, 101, 105, 110]), [{ start: 0, end: 4 }]);
  assert.deepEqual(planGroups([]), []);
});

test("a few long caches are split from many short ones when that saves copying", () => {
  const lengths = [...Array(28).fill(40), 450, 460, 470, 480];
  const groups = planGroups(lengths);
  assert.deepEqual(groups, [{ start: 0, end: 28 }, { start: 28, end: 32 }]);
  assert.ok(cost(lengths, groups) < cost(lengths, [{ start: 0, end: 32 }]));
});

test("the plan covers every row once, in order, and is never worse than one group", () => {
  for (let trial = 0; trial < 50; trial++) {
    const lengths = Array.from({ length: 1 + (trial % 32) }, (_, i) => 10 + ((i * 7919 + trial * 31) % 500)).sort((a, b) => a - b);
    const groups = planGroups(lengths);
    assert.equal(groups[0]!.start, 0);
    assert.equal(groups.at(-1)!.end, lengths.length);
    groups.slice(1).forEach((g, i) => assert.equal(g.start, groups[i]!.end));
    assert.ok(cost(lengths, groups) <= cost(lengths, [{ start: 0, end: lengths.length }]));
  }
});

test("prefill rows are grouped by prompt length: a call costs about as much as twenty padded tokens", () => {
  // 8- and 200-token prompts padded together would compute 3 x 192 padding tokens; two calls cost far less.
  assert.deepEqual(planGroups([8, 9, 10, 200], PREFILL_CALL_COST_ROW_TOKENS), [{ start: 0, end: 3 }, { start: 3, end: 4 }]);
  // nearly equal prompts share one call
  assert.deepEqual(planGroups([60, 62, 64], PREFILL_CALL_COST_ROW_TOKENS), [{ start: 0, end: 3 }]);
});
