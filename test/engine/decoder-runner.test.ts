// The runner for Hugging Face decoder exports, on model/tiny-random-llama: PyTorch's logits after
// prefill and cached decode steps, alone and in left-padded batches whose rows join and leave; an
// unchanged batch's cache fed back without a copy; no padding for a graph without position_ids.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { DecoderRunner, DecoderSession, loadRunner, readModelFolder } from "../../src/engine/index.ts";
import type { DecoderInput, DecoderOutput, ModelRunner, StepOutput } from "../../src/engine/index.ts";

const dir = "model/tiny-random-llama";
const limits = { slots: 4, maxContextTokens: 0, kvCacheMib: 64 };
interface Top { id: number; logit: number }
interface Case { prompt_ids: number[]; continuation: number[]; steps: { top5: Top[] }[] }
const ref = JSON.parse(readFileSync(`${dir}/fixtures/reference.json`, "utf8")) as { sha256: string; cases: Case[] };

function top5(out: StepOutput, b: number, V: number): Top[] {
  const row = out.rows[b]!;
  return [...row.logits.subarray(row.offset, row.offset + V)].map((logit, id) => ({ id, logit })).sort((x, y) => y.logit - x.logit).slice(0, 5);
}

/** The worst |Δlogit| against the reference, failing on any different top-5 id. */
function compare(got: Top[], want: Top[], what: string): number {
  assert.deepEqual(got.map((t) => t.id), want.map((t) => t.id), `${what}: top-5 ids`);
  return Math.max(...got.map((t, i) => Math.abs(t.logit - want[i]!.logit)));
}

async function withRunner(fn: (runner: ModelRunner) => Promise<void>): Promise<void> {
  const runner = await loadRunner({ modelDir: dir, intraOpThreads: 1, prefillTokenBudget: 512, ...limits });
  try {
    await fn(runner);
  } finally {
    await runner.close();
  }
}

test("the folder's numbers come from config.json and the graph", async () => {
  await withRunner(async (runner) => {
    const c = runner.config;
    assert.equal(c.format, "hf-decoder");
    assert.deepEqual([c.nLayer, c.nHead, c.nKvHead, c.headDim, c.nCtx, c.vocabSize], [2, 4, 2, 16, 256, 1026]);
    assert.deepEqual(c.stopIds, [1025, 1023], "config.json's eos, then generation_config.json's list");
    assert.equal(c.kvBytesPerToken, 2 * 2 * 2 * 16 * 4);
    assert.equal(c.sha256, ref.sha256, "the graph the reference logits came from");
    assert.ok(readFileSync(`${dir}/MODEL_CARD.md`, "utf8").includes(c.sha256), "the model card states the graph's sha256");
  });
});

test("each prompt alone: prefill and cached decode steps give PyTorch's uncached logits", async () => {
  await withRunner(async (runner) => {
    let worst = 0;
    for (const c of ref.cases) {
      let out = await runner.prefill([{ slot: 0, tokens: c.prompt_ids }]);
      worst = Math.max(worst, compare(top5(out, 0, 1026), c.steps[0]!.top5, "prefill"));
      for (const [n, token] of c.continuation.entries()) {
        out = await runner.decode([{ slot: 0, token }]);
        worst = Math.max(worst, compare(top5(out, 0, 1026), c.steps[n + 1]!.top5, `decode ${n}`));
      }
    }
    assert.ok(worst < 1e-3, `max |Δlogit| ${worst}`);
  });
});

test("rows of different lengths share left-padded passes, and keep their caches as rows leave and join", async () => {
  await withRunner(async (runner) => {
    const [a, b, c] = ref.cases as [Case, Case, Case];
    const check = (out: StepOutput, rows: [Case, number][], what: string) =>
      rows.forEach(([k, step], i) => (worst = Math.max(worst, compare(top5(out, i, 1026), k.steps[step]!.top5, `${what}, row ${i}`))));
    let worst = 0;
    // a (7 tokens) and b (2 tokens) are prefilled in one left-padded pass and decode together; then
    // b leaves and c (40 tokens) takes its place: a batch of the same size with other rows.
    check(await runner.prefill([{ slot: 0, tokens: a.prompt_ids }, { slot: 3, tokens: b.prompt_ids }]), [[a, 0], [b, 0]], "padded prefill");
    check(await runner.decode([{ slot: 0, token: a.continuation[0]! }, { slot: 3, token: b.continuation[0]! }]), [[a, 1], [b, 1]], "decode 1");
    runner.release(3);
    check(await runner.prefill([{ slot: 2, tokens: c.prompt_ids }]), [[c, 0]], "c's prefill");
    check(await runner.decode([{ slot: 0, token: a.continuation[1]! }, { slot: 2, token: c.continuation[0]! }]), [[a, 2], [c, 1]], "decode 2, c in b's place");
    runner.release(2);
    check(await runner.decode([{ slot: 0, token: a.continuation[2]! }]), [[a, 3]], "decode 3, c left");
    assert.ok(worst < 1e-3, `max |Δlogit| ${worst}`);
    await assert.rejects(runner.decode([{ slot: 3, token: 5 }]), /KV slot 3 has no cache/, "a released slot's cache is gone");
  });
});

/** A real session whose forward passes are recorded. */
async function recordingSession(positionIds: boolean): Promise<{ session: DecoderSession; calls: { input: DecoderInput; output: DecoderOutput }[] }> {
  const session = await DecoderSession.load(readModelFolder(dir, limits), { intraOpThreads: 1 });
  const calls: { input: DecoderInput; output: DecoderOutput }[] = [];
  const forward = session.forward.bind(session);
  session.forward = async (input) => {
    const output = await forward(input);
    calls.push({ input, output });
    return output;
  };
  if (positionIds) return { session, calls };
  // What the runner sees of a graph that numbers positions itself (the real graph still gets them).
  const view = { config: session.config, signature: { ...session.signature, positionIds: false }, forward: session.forward, release: () => session.release() };
  return { session: view as unknown as DecoderSession, calls };
}

test("while a batch keeps its rows, each step's present tensors are the next step's past, uncopied", async () => {
  const { session, calls } = await recordingSession(true);
  const runner = new DecoderRunner(session);
  try {
    await runner.prefill([{ slot: 0, tokens: [300, 301, 302] }, { slot: 1, tokens: [400, 401, 402, 403, 404] }]);
    await runner.decode([{ slot: 0, token: 10 }, { slot: 1, token: 11 }]);
    await runner.decode([{ slot: 0, token: 12 }, { slot: 1, token: 13 }]);
    const [prefill, step1, step2] = calls as [(typeof calls)[0], (typeof calls)[0], (typeof calls)[0]];
    assert.equal(prefill.input.newLength, 5, "one left-padded prefill pass");
    assert.equal(step1.input.past[0], prefill.output.present[0], "the prefill's output is the first decode's past");
    assert.equal(step2.input.past[3], step1.output.present[3], "and each step's output the next one's past");
    assert.deepEqual([...step2.input.attentionMask], [0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], "the shorter row's padding stays masked");
    assert.deepEqual([...step2.input.positionIds], [4n, 6n], "positions count real tokens only");
    await runner.decode([{ slot: 1, token: 14 }]); // row 0 left: gathered into a new, tighter tensor
    assert.notEqual(calls[3]!.input.past[0], step2.output.present[0]);
    assert.equal(calls[3]!.input.pastLength, 7);
  } finally {
    await runner.close();
  }
});

test("a graph without position_ids runs only rows of equal length together, never padded", async () => {
  const { session, calls } = await recordingSession(false);
  const runner = new DecoderRunner(session);
  try {
    const out = await runner.prefill([{ slot: 0, tokens: [1, 2, 3] }, { slot: 1, tokens: [4, 5, 6, 7, 8, 9] }, { slot: 2, tokens: [7, 8, 9] }]);
    assert.deepEqual(calls.map((c) => [c.input.batch, c.input.newLength]), [[2, 3], [1, 6]], "two passes: the two 3-token prompts, then the 6-token one");
    assert.equal(out.paddedTokens, 12, "no padding computed");
    assert.ok(calls.every((c) => c.input.attentionMask.every((m) => m === 1)), "no masked position anywhere");
  } finally {
    await runner.close();
  }
});
