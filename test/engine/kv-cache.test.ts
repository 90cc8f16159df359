import { test } from "node:test";
import assert from "node:assert/strict";
import { KvCache, SlotPool } from "../../src/engine/index.ts";

const geometry = { nLayer: 2, nKvHead: 2, headDim: 3, nCtx: 8 };
const LK = geometry.nLayer * 2;

test("acquire and release slots; a double release is refused", () => {
  const pool = new SlotPool(2);
  const a = pool.acquire();
  const b = pool.acquire();
  assert.notEqual(a, null);
  assert.notEqual(b, null);
  assert.equal(pool.acquire(), null);
  assert.equal(pool.used, 2);
  pool.release(a!);
  assert.equal(pool.used, 1);
  assert.throws(() => pool.release(a!), /released twice/);
  assert.throws(() => pool.release(7), /out of range/);
});

test("append then gather reproduces the model's per-layer layout with right padding", () => {
  const cache = new KvCache(geometry, 2);
  const [s0, s1] = [0, 1];
  const { nKvHead, headDim } = geometry;
  const S = 2;
  // present for B=2, S=2: value encodes (lk, b, h, s, d) so positions can be checked
  const present = Array.from({ length: LK }, (_, lk) => {
    const t = new Float32Array(2 * nKvHead * S * headDim);
    for (let b = 0; b < 2; b++)
      for (let h = 0; h < nKvHead; h++)
        for (let s = 0; s < S; s++)
          for (let d = 0; d < headDim; d++) t[((b * nKvHead + h) * S + s) * headDim + d] = lk * 10000 + b * 1000 + h * 100 + s * 10 + d;
    return t;
  });
  cache.append([s0, s1], present, S, [2, 1]); // row 1 has only one real token
  assert.equal(cache.length(s0), 2);
  assert.equal(cache.length(s1), 1);
  const P = 2;
  const past = Array.from({ length: LK }, () => new Float32Array(2 * nKvHead * P * headDim));
  cache.gather([s0, s1], P, past);
  const at = (lk: number, b: number, h: number, p: number, d: number) => past[lk]![((b * nKvHead + h) * P + p) * headDim + d];
  assert.equal(at(3, 0, 1, 1, 2), 3 * 10000 + 0 + 100 + 10 + 2);
  assert.equal(at(1, 1, 0, 0, 1), 1 * 10000 + 1000 + 0 + 0 + 1);
  assert.equal(at(1, 1, 0, 1, 1), 0, "padding past a row's length is left as it was (masked by the model)");
  cache.reset(s0);
  assert.equal(cache.length(s0), 0);
});

test("refuses to grow a slot past the context", () => {
  const cache = new KvCache({ ...geometry, nCtx: 1 }, 1);
  const present = Array.from({ length: LK }, () => new Float32Array(geometry.nKvHead * 2 * geometry.headDim));
  assert.throws(() => cache.append([0], present, 2, [2]), /exceed the context/);
});
