// The engine's physical limits, measured on a model session with nothing around it: prefill
// tokens/s and decode tokens/s at a batch size (KV gather + forward pass + KV append per step).
import { performance } from "node:perf_hooks";
import { KvCache, LocalModelRunner } from "../src/engine/index.ts";
import type { ModelSession } from "../src/engine/index.ts";
import { median } from "./stats.ts";

/** The request mix samples at temperature 0.8; the graph's softmax head takes its inverse. */
const MIX_INV_TEMPERATURE = 1 / 0.8;

export interface DecodeCeiling {
  readonly tokensPerSecond: number;
  readonly stepMs: number;
}

export interface PrefillCeiling {
  readonly tokensPerSecond: number;
  readonly callMs: number;
}

export async function measurePrefill(model: ModelSession, batch: number, length: number): Promise<number> {
  const n = batch * length;
  const ids = BigInt64Array.from({ length: n }, (_, i) => BigInt(32 + (i % 90)));
  const pos = BigInt64Array.from({ length: n }, (_, i) => BigInt(i % length));
  const start = performance.now();
  const past = Array.from({ length: 2 * model.config.nLayer }, () => new Float32Array(0));
  await model.forward({ batch, newLength: length, pastLength: 0, inputIds: ids, positionIds: pos, attentionMask: new Float32Array(n).fill(1), invTemperature: new Float32Array(batch).fill(MIX_INV_TEMPERATURE), past });
  return (n / (performance.now() - start)) * 1000;
}

/** Median decode step over `steps` steps of `batch` rows whose caches start at `past` tokens. */
export async function measureDecode(model: ModelSession, batch: number, past: number, steps: number): Promise<DecodeCeiling> {
  const { nLayer, nKvHead, headDim } = model.config;
  const pool = new KvCache(model.config, batch);
  const slots = Array.from({ length: batch }, (_, i) => i);
  const filled = Array.from({ length: 2 * nLayer }, () => new Float32Array(batch * nKvHead * past * headDim).fill(0.01));
  pool.append(slots, filled, past, slots.map(() => past));
  // Scratch buffers reused across steps, as the model runner does.
  const scratch = Array.from({ length: 2 * nLayer }, () => new Float32Array(batch * nKvHead * (past + steps) * headDim));
  const times: number[] = [];
  for (let s = 0; s < steps; s++) {
    const P = past + s;
    const start = performance.now();
    const buf = scratch.map((a) => a.subarray(0, batch * nKvHead * P * headDim));
    pool.gather(slots, P, buf);
    const out = await model.forward({
      batch, newLength: 1, pastLength: P,
      inputIds: new BigInt64Array(batch).fill(100n), positionIds: new BigInt64Array(batch).fill(BigInt(P)),
      attentionMask: new Float32Array(batch * (P + 1)).fill(1), invTemperature: new Float32Array(batch).fill(MIX_INV_TEMPERATURE), past: buf,
    });
    pool.append(slots, out.present, 1, slots.map(() => 1));
    times.push(performance.now() - start);
  }
  const stepMs = median(times);
  return { stepMs, tokensPerSecond: (batch / stepMs) * 1000 };
}

/** Median over `repeats` runs of measureDecode. */
export async function decodeCeiling(model: ModelSession, batch: number, past: number, repeats: number): Promise<DecodeCeiling> {
  const runs = [];
  for (let r = 0; r < repeats; r++) runs.push(await measureDecode(model, batch, past, 32));
  return { tokensPerSecond: median(runs.map((x) => x.tokensPerSecond)), stepMs: median(runs.map((x) => x.stepMs)) };
}

/**
 * Prefill tokens/s of the bare model on given prompts, `rowsPerCall` prompts per call, through the
 * same runner the server uses (grouping by length, KV append): the median of `repeats` runs, each
 * walking once through the prompts.
 */
export async function prefillCeiling(model: ModelSession, prompts: readonly (readonly number[])[], rowsPerCall: number, repeats: number): Promise<PrefillCeiling> {
  const runner = new LocalModelRunner(model, rowsPerCall);
  const runs: { tokensPerSecond: number; callMs: number }[] = [];
  for (let r = 0; r < repeats; r++) {
    let tokens = 0;
    let calls = 0;
    const start = performance.now();
    for (let i = 0; i < prompts.length; i += rowsPerCall) {
      const batch = prompts.slice(i, i + rowsPerCall);
      await runner.prefill(batch.map((tokens, slot) => ({ slot, tokens, invTemperature: MIX_INV_TEMPERATURE })));
      for (const p of batch) tokens += p.length;
      calls++;
    }
    const ms = performance.now() - start;
    runs.push({ tokensPerSecond: (tokens / ms) * 1000, callMs: ms / calls });
  }
  // The runner shares the session; closing it would release the session, so it is simply dropped.
  return { tokensPerSecond: median(runs.map((x) => x.tokensPerSecond)), callMs: median(runs.map((x) => x.callMs)) };
}

/**
 * Bare decode steps on real ragged batches (each an array of row cache lengths, as the served
 * engine ran them), through the server's own runner, so rows are grouped by length exactly as in
 * the server: Σ rows / Σ median step time over the batches. Against decodeCeiling at the same
 * batch and mean cache, this is what uneven caches alone cost the bare engine.
 */
export async function raggedDecodeCeiling(model: ModelSession, batches: readonly (readonly number[])[], stepsPerBatch: number): Promise<DecodeCeiling> {
  const sampled = batches.filter((b) => b.length > 0);
  if (sampled.length === 0) throw new Error("raggedDecodeCeiling needs at least one sampled decode batch: run the window longer");
  const runner = new LocalModelRunner(model, Math.max(...sampled.map((b) => b.length)));
  // The keys and values a row holds do not change a step's time, only how many there are. Rows
  // start half the timed steps short of their served cache, so the timed steps average it.
  const firstLength = (cache: number) => Math.min(Math.max(1, cache - Math.floor(stepsPerBatch / 2)), model.config.nCtx - stepsPerBatch - 1);
  let rows = 0;
  let ms = 0;
  for (const caches of sampled) {
    await runner.prefill(caches.map((n, slot) => ({ slot, tokens: Array.from({ length: firstLength(n) }, (_, i) => 32 + (i % 90)), invTemperature: MIX_INV_TEMPERATURE })));
    const decodeRows = caches.map((_, slot) => ({ slot, token: 100, invTemperature: MIX_INV_TEMPERATURE }));
    const times: number[] = [];
    for (let s = 0; s < stepsPerBatch; s++) {
      const start = performance.now();
      await runner.decode(decodeRows);
      times.push(performance.now() - start);
    }
    rows += caches.length;
    ms += median(times);
  }
  return { stepMs: ms / sampled.length, tokensPerSecond: (rows / ms) * 1000 };
}
