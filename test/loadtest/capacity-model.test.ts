// The capacity prediction: Little's law for the batch, saturation where the slots run out, and a
// queue that grows only beyond it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { predict, predictedKnee, saturationRate, stepMsAt } from "../../src/loadtest/index.ts";
import type { CapacityInputs } from "../../src/loadtest/index.ts";

const inputs: CapacityInputs = {
  promptTokens: 100, outputTokens: 40, outputTokensP95: 60, kvSlots: 32, queueCapacity: 256,
  decodeSteps: [{ batch: 1, stepMs: 1 }, { batch: 32, stepMs: 4.1 }], prefillTokensPerS: 100_000, serviceFactor: 1, sloS: 1,
};

test("step time is interpolated between measured batch sizes", () => {
  assert.equal(stepMsAt(inputs.decodeSteps, 1), 1);
  assert.ok(Math.abs(stepMsAt(inputs.decodeSteps, 16.5) - 2.55) < 1e-9);
});

test("below saturation the batch is λ·W (Little's law) and nothing queues", () => {
  const p = predict(inputs, 10, 30);
  assert.equal(p.saturated, false);
  assert.equal(p.queueDepth, 0);
  assert.ok(Math.abs(p.slotsUsed - 10 * p.serviceS) < 1e-3, `${p.slotsUsed} vs ${10 * p.serviceS}`);
});

test("beyond saturation the slots are full and the queue grows with the excess rate", () => {
  const sat = saturationRate(inputs);
  assert.ok(sat > 10 && sat < 1000, `saturation at ${sat}`);
  const p = predict(inputs, sat + 5, 30);
  assert.equal(p.saturated, true);
  assert.equal(p.slotsUsed, 32);
  assert.ok(Math.abs(p.queueDepth - 150) < 1e-6);
  const knee = predictedKnee(inputs, 30);
  assert.ok(knee.rate <= Math.ceil(sat));
});
