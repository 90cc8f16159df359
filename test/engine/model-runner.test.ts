import { test } from "node:test";
import assert from "node:assert/strict";
import { CALL_COST_ROW_TOKENS, planDecodeGroups } from "../../src/engine/model-runner.ts";

const cost = (lengths: number[], groups: { start: number; end: number }[]) =>
  groups.reduce((sum, g) => sum + (g.end - g.start) * lengths[g.end - 1]! + CALL_COST_ROW_TOKENS, 0);

test("rows of similar length stay in one forward pass", () => {
  assert.deepEqual(planDecodeGroups([100, 101, 105, 110]), [{ start: 0, end: 4 }]);
  assert.deepEqual(planDecodeGroups([]), []);
});

test("a few long caches are split from many short ones when that saves copying", () => {
  const lengths = [...Array(28).fill(40), 450, 460, 470, 480];
  const groups = planDecodeGroups(lengths);
  assert.deepEqual(groups, [{ start: 0, end: 28 }, { start: 28, end: 32 }]);
  assert.ok(cost(lengths, groups) < cost(lengths, [{ start: 0, end: 32 }]));
});

test("the plan covers every row once, in order, and is never worse than one group", () => {
  for (let trial = 0; trial < 50; trial++) {
    const lengths = Array.from({ length: 1 + (trial % 32) }, (_, i) => 10 + ((i * 7919 + trial * 31) % 500)).sort((a, b) => a - b);
    const groups = planDecodeGroups(lengths);
    assert.equal(groups[0]!.start, 0);
    assert.equal(groups.at(-1)!.end, lengths.length);
    groups.slice(1).forEach((g, i) => assert.equal(g.start, groups[i]!.end));
    assert.ok(cost(lengths, groups) <= cost(lengths, [{ start: 0, end: lengths.length }]));
  }
});
