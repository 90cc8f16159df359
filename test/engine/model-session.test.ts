// The shipped model: its sha256 matches the model card and config, and the TypeScript runner
// reproduces the logits the build recorded (prefill, then one cached decode step).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { LocalModelRunner, ModelSession, readModelConfig, sha256File } from "../../src/engine/index.ts";
import type { StepOutput } from "../../src/engine/index.ts";

const dir = "model";
const V = readModelConfig(dir).vocabSize;

test("the model file is the one the config and the model card name (sha256), and at most 10 MB", () => {
  const config = readModelConfig(dir);
  const actual = sha256File(config.onnxFile);
  assert.equal(actual, config.sha256);
  assert.ok(readFileSync("model/MODEL_CARD.md", "utf8").includes(actual), "MODEL_CARD.md states the sha256");
  assert.ok(statSync(config.onnxFile).size <= 10 * 1024 * 1024);
});

interface Top { id: number; logit: number }
const ref = JSON.parse(readFileSync("model/fixtures/reference-logits.json", "utf8")) as {
  prompt_ids: number[];
  prefill_top5: Top[];
  decode_1: { input_id: number; position: number; top5: Top[] };
};

/** Row b's V logits (or probabilities): each row points into the output of its own forward pass. */
function rowOf(out: StepOutput, b: number, which: "logits" | "probs" = "logits"): Float32Array {
  const row = out.rows[b]!;
  return row[which]!.subarray(row.offset, row.offset + V);
}

function top5(logits: Float32Array): Top[] {
  return [...logits].map((logit, id) => ({ id, logit })).sort((a, b) => b.logit - a.logit).slice(0, 5);
}

test("prefill and a cached decode step reproduce the build's reference logits", async () => {
  const session = await ModelSession.load(dir, { intraOpThreads: 1 });
  const runner = new LocalModelRunner(session, 2);
  try {
    const afterPrefill = top5(rowOf(await runner.prefill([{ slot: 1, tokens: ref.prompt_ids }]), 0));
    assert.deepEqual(afterPrefill.map((t) => t.id), ref.prefill_top5.map((t) => t.id));
    afterPrefill.forEach((t, i) => assert.ok(Math.abs(t.logit - ref.prefill_top5[i]!.logit) < 1e-3));
    assert.equal(ref.decode_1.position, ref.prompt_ids.length);
    const afterDecode = top5(rowOf(await runner.decode([{ slot: 1, token: ref.decode_1.input_id }]), 0));
    assert.deepEqual(afterDecode.map((t) => t.id), ref.decode_1.top5.map((t) => t.id));
    afterDecode.forEach((t, i) => assert.ok(Math.abs(t.logit - ref.decode_1.top5[i]!.logit) < 1e-3));
  } finally {
    await runner.close();
  }
});

test("a row's logits do not depend on the other rows of its batch (padding is masked)", async () => {
  const session = await ModelSession.load(dir, { intraOpThreads: 1 });
  const runner = new LocalModelRunner(session, 3);
  try {
    const alone = rowOf(await runner.prefill([{ slot: 0, tokens: ref.prompt_ids }]), 0);
    const row = rowOf(await runner.prefill([{ slot: 1, tokens: [1023, 300, 301, 302, 303, 304, 305, 306, 307] }, { slot: 2, tokens: ref.prompt_ids }]), 1);
    let maxDiff = 0;
    for (let i = 0; i < V; i++) maxDiff = Math.max(maxDiff, Math.abs(row[i]! - alone[i]!));
    assert.ok(maxDiff < 1e-3, `max diff ${maxDiff}`);
    // and one decode step with caches of different lengths
    const d1 = rowOf(await runner.decode([{ slot: 0, token: 261 }]), 0);
    const d2 = rowOf(await runner.decode([{ slot: 1, token: 261 }, { slot: 2, token: 261 }]), 1);
    let maxDecode = 0;
    for (let i = 0; i < V; i++) maxDecode = Math.max(maxDecode, Math.abs(d2[i]! - d1[i]!));
    assert.ok(maxDecode < 1e-3, `max decode diff ${maxDecode}`);
  } finally {
    await runner.close();
  }
});

test("the model returns each row's probabilities at that row's temperature", async () => {
  const session = await ModelSession.load(dir, { intraOpThreads: 1 });
  const runner = new LocalModelRunner(session, 2);
  try {
    // Two rows of different lengths and temperatures, the longer first: the runner runs them as two
    // passes, shortest first, and each row must still get its own logits at its own temperature.
    const long = Array.from({ length: 60 }, (_, i) => 300 + i);
    const out = await runner.prefill([{ slot: 1, tokens: long, invTemperature: 1 / 1.3 }, { slot: 0, tokens: ref.prompt_ids, invTemperature: 1 / 0.7 }]);
    const alone = rowOf(await runner.prefill([{ slot: 0, tokens: ref.prompt_ids }]), 0);
    assert.deepEqual(top5(rowOf(out, 1)).map((t) => t.id), top5(alone).map((t) => t.id), "row 1 holds the short prompt's logits");
    [1.3, 0.7].forEach((T, b) => {
      const logits = rowOf(out, b);
      const probs = rowOf(out, b, "probs");
      const max = Math.max(...logits);
      const e = Array.from(logits, (x) => Math.exp((x - max) / T));
      const z = e.reduce((s, x) => s + x, 0);
      let worst = 0;
      e.forEach((x, i) => (worst = Math.max(worst, Math.abs(x / z - probs[i]!))));
      assert.ok(worst < 1e-5, `row ${b}: max |dp| ${worst}`);
    });
    assert.equal(out.paddedTokens, 4 + 60, "prompts of 4 and 60 tokens are cheaper in two calls than one padded to 60");
  } finally {
    await runner.close();
  }
});
