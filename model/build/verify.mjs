// Verify model/miniserve-tiny.onnx with onnxruntime-node.
//  0. graph I/O names and shapes match the contract in model-config.json
//  1. tokenizer fixtures: a JS byte-BPE encoder must reproduce the Python ids
//  2. KV-cache parity: prefill (P=0) + decode steps == one full uncached run
//  3. batching parity: 2 right-padded rows (prefill + 1 decode) == each row alone
//     (the graph returns logits at each row's last real position only, so padding must not move it)
//  3b. probs == softmax(logits * inv_temperature)
//  4. timings (intraOpNumThreads=1)
//  5. writes fixtures/reference-logits.json and build/out/samples.json
// usage: node verify.mjs [--no-write] [--config path/to/config.json]
//   --config checks another model (its "onnx"/"tokenizer" paths are relative to
//   the config file); it implies --no-write.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const modelDir = path.join(here, '..');
const require = createRequire(path.join(modelDir, '..', 'package.json'));
const ort = require('onnxruntime-node');
const ci = process.argv.indexOf('--config');
const cfgPath = ci >= 0 ? path.resolve(process.argv[ci + 1]) : path.join(modelDir, 'model-config.json');
const cfgDir = path.dirname(cfgPath);
const write = ci < 0 && !process.argv.includes('--no-write');

const cfg = JSON.parse(fs.readFileSync(cfgPath, 'utf8'));
const tokCfg = JSON.parse(fs.readFileSync(path.join(cfgDir, cfg.tokenizer), 'utf8'));
const { n_layer: L, n_head: H, n_kv_head: KV, head_dim: Dh, vocab_size: V, eot_id: EOT } = cfg;
let failures = 0;
const check = (ok, msg) => { console.log(`${ok ? 'PASS' : 'FAIL'} ${msg}`); if (!ok) failures++; };

// ---------- reference JS tokenizer ----------
const ranks = new Map(tokCfg.merges.map(([a, b], i) => [a * 4096 + b, i]));
const vocab = [];
for (let i = 0; i < 256; i++) vocab.push(Uint8Array.of(i));
for (const [a, b] of tokCfg.merges) vocab.push(Uint8Array.from([...vocab[a], ...vocab[b]]));
const utf8 = new TextEncoder();
function encode(text) {
  const out = [];
  for (const chunk of text.match(new RegExp(tokCfg.pretokenize, 'g')) ?? []) {
    let ids = Array.from(utf8.encode(chunk));
    while (ids.length >= 2) {
      let best = -1;
      for (let i = 0; i + 1 < ids.length; i++) {
        const r = ranks.get(ids[i] * 4096 + ids[i + 1]);
        if (r !== undefined && (best < 0 || r < best)) best = r;
      }
      if (best < 0) break;
      const [a, b] = tokCfg.merges[best];
      const next = [];
      for (let i = 0; i < ids.length; i++) {
        if (i + 1 < ids.length && ids[i] === a && ids[i + 1] === b) { next.push(256 + best); i++; }
        else next.push(ids[i]);
      }
      ids = next;
    }
    out.push(...ids);
  }
  return out;
}
const decode = (ids) => Buffer.concat(ids.filter((i) => i !== EOT).map((i) => Buffer.from(vocab[i]))).toString('utf8');

const cases = JSON.parse(fs.readFileSync(path.join(modelDir, 'fixtures', 'tokenizer-cases.json'), 'utf8'));
const tokOk = cases.every((c) => JSON.stringify(encode(c.text)) === JSON.stringify(c.ids) && decode(c.ids) === c.text);
check(tokOk, `tokenizer: JS encoder reproduces ${cases.length} Python fixture cases`);

// ---------- ONNX helpers ----------
const sess = await ort.InferenceSession.create(path.join(cfgDir, cfg.onnx), {
  intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
});
console.log(`inputs: ${sess.inputNames.join(', ')} | outputs: ${sess.outputNames.join(', ')}`);
const KV_NAMES = [];  // [past name, present name] in the order used below: l0 key, l0 value, l1 key, ...
for (let l = 0; l < L; l++) for (const kind of ['key', 'value']) KV_NAMES.push([`past_${kind}_${l}`, `present_${kind}_${l}`]);
check(JSON.stringify(sess.inputNames) === JSON.stringify(['input_ids', 'position_ids', 'attention_mask', 'inv_temperature', ...KV_NAMES.map((n) => n[0])])
  && JSON.stringify(sess.outputNames) === JSON.stringify(['logits', 'probs', ...KV_NAMES.map((n) => n[1])]),
  `graph I/O: input_ids, position_ids, attention_mask, inv_temperature, past_{key,value}_0..${L - 1} -> logits, probs, present_{key,value}_0..${L - 1}`);

// The cache is kept as one Float32Array per layer and kind (key/value), shape [B,KV,P,Dh].
// rows: [{ids:[...new tokens]}], past: array of 2L Float32Array or null, pastLens per row
async function run(rows, past = null, P = 0, pastLens = null, invTemperature = 1) {
  const B = rows.length, S = Math.max(...rows.map((r) => r.ids.length));
  const ids = new BigInt64Array(B * S), pos = new BigInt64Array(B * S);
  const mask = new Float32Array(B * (P + S));
  rows.forEach((r, b) => {
    for (let s = 0; s < S; s++) {
      ids[b * S + s] = BigInt(s < r.ids.length ? r.ids[s] : 0);
      pos[b * S + s] = BigInt((pastLens ? pastLens[b] : 0) + s);
      if (s < r.ids.length) mask[b * (P + S) + P + s] = 1;
    }
    for (let p = 0; p < (pastLens ? pastLens[b] : 0); p++) mask[b * (P + S) + p] = 1;
  });
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [B, S]),
    position_ids: new ort.Tensor('int64', pos, [B, S]),
    attention_mask: new ort.Tensor('float32', mask, [B, P + S]),
    inv_temperature: new ort.Tensor('float32', new Float32Array(B).fill(invTemperature), [B]),
  };
  KV_NAMES.forEach(([name], i) => { feeds[name] = new ort.Tensor('float32', past ? past[i] : new Float32Array(0), [B, KV, P, Dh]); });
  const out = await sess.run(feeds);
  for (const [, name] of KV_NAMES) {
    const d = out[name].dims;
    if (d.length !== 4 || d[0] !== B || d[1] !== KV || d[2] !== S || d[3] !== Dh) throw new Error(`${name} dims ${d}`);
  }
  if (out.logits.dims.join() !== `${B},${V}` || out.probs.dims.join() !== `${B},${V}`) throw new Error(`logits/probs dims ${out.logits.dims} ${out.probs.dims}`);
  return { logits: out.logits.data, probs: out.probs.data, present: KV_NAMES.map(([, name]) => out[name].data), B, S };
}
// logits (or probs) of row b: the graph returns them at each row's last real new position only
const rowLogits = (res, b) => res.logits.subarray(b * V, (b + 1) * V);
// Append present (2L arrays [B,KV,S,Dh]) to past (2L arrays [B,KV,P,Dh]); row b keeps its
// first pastLens[b] valid past entries followed by its newLens[b] new entries (left-aligned, zero padded).
function appendKV(past, P, pastLens, present, S, newLens, B) {
  const lens = pastLens.map((p, b) => p + newLens[b]);
  const P2 = Math.max(...lens);
  const out = present.map((pres, i) => {
    const o = new Float32Array(B * KV * P2 * Dh);
    for (let b = 0; b < B; b++) for (let h = 0; h < KV; h++) {
      const dst = (b * KV + h) * P2 * Dh;
      if (pastLens[b] > 0) o.set(past[i].subarray((b * KV + h) * P * Dh, ((b * KV + h) * P + pastLens[b]) * Dh), dst);
      const src = (b * KV + h) * S * Dh;
      o.set(pres.subarray(src, src + newLens[b] * Dh), dst + pastLens[b] * Dh);
    }
    return o;
  });
  return { past: out, P: P2, lens };
}
const argmax = (a) => { let m = 0; for (let i = 1; i < a.length; i++) if (a[i] > a[m]) m = i; return m; };
const maxAbs = (a, b) => { let m = 0; for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i])); return m; };
const top5 = (a) => Array.from(a.keys()).sort((i, j) => a[j] - a[i]).slice(0, 5).map((i) => ({ id: i, logit: +a[i].toFixed(5) }));

// ---------- 2. cached vs uncached ----------
const prompt = encode('Return the number of');
{
  let res = await run([{ ids: prompt }]);
  const cachedLogits = [rowLogits(res, 0).slice()];
  let kv = appendKV(null, 0, [0], res.present, res.S, [prompt.length], 1);
  const seq = [...prompt];
  const refSteps = [];
  for (let step = 0; step < 8; step++) {
    const next = argmax(cachedLogits[cachedLogits.length - 1]);
    seq.push(next);
    res = await run([{ ids: [next] }], kv.past, kv.P, kv.lens);
    cachedLogits.push(rowLogits(res, 0).slice());
    kv = appendKV(kv.past, kv.P, kv.lens, res.present, 1, [1], 1);
  }
  // each cached step against an uncached run over the same prefix
  let worst = 0;
  for (let i = 0; i < cachedLogits.length; i++) {
    const full = await run([{ ids: seq.slice(0, prompt.length + i) }]);
    worst = Math.max(worst, maxAbs(cachedLogits[i], rowLogits(full, 0)));
  }
  check(worst < 1e-3, `KV cache: prefill(P=0)+8 decode steps vs uncached runs, max|dlogit|=${worst.toExponential(2)}`);
  const ref = {
    text: 'Return the number of', prompt_ids: prompt,
    prefill_top5: top5(cachedLogits[0]),
    decode_1: { input_id: seq[prompt.length], position: prompt.length, top5: top5(cachedLogits[1]) },
    note: 'top-5 logits at the last position after prefill (P=0), then after one decode step feeding the greedy token; compare with tolerance ~1e-3',
  };
  if (write) fs.writeFileSync(path.join(modelDir, 'fixtures', 'reference-logits.json'), JSON.stringify(ref, null, 1) + '\n');
  console.log(`greedy continuation: ${JSON.stringify(decode(seq))}`);
}

// ---------- 3. batch of two right-padded prompts ----------
{
  const a = encode('The file is opened in binary mode and'), b = encode('Raise an error');
  const solo = [];
  for (const p of [a, b]) {
    const r = await run([{ ids: p }]);
    const last = rowLogits(r, 0).slice();
    const kv = appendKV(null, 0, [0], r.present, r.S, [p.length], 1);
    const d = await run([{ ids: [argmax(last)] }], kv.past, kv.P, kv.lens);
    solo.push({ last, dec: rowLogits(d, 0).slice(), next: argmax(last) });
  }
  const r = await run([{ ids: a }, { ids: b }]);
  const d1 = maxAbs(rowLogits(r, 0), solo[0].last);
  const d2 = maxAbs(rowLogits(r, 1), solo[1].last);
  let nanFree = true; for (const x of r.logits) if (!Number.isFinite(x)) nanFree = false;
  check(Math.max(d1, d2) < 1e-3 && nanFree, `batch prefill: 2 right-padded rows (S=${a.length},${b.length}) vs alone, max|dlogit|=${Math.max(d1, d2).toExponential(2)}, finite=${nanFree}`);
  // decode one step for both rows with a ragged (padded) past
  const kv = appendKV(null, 0, [0, 0], r.present, r.S, [a.length, b.length], 2);
  const d = await run([{ ids: [solo[0].next] }, { ids: [solo[1].next] }], kv.past, kv.P, kv.lens);
  const e = Math.max(maxAbs(rowLogits(d, 0), solo[0].dec), maxAbs(rowLogits(d, 1), solo[1].dec));
  check(e < 1e-3, `batch decode: ragged past (p=${kv.lens}) vs alone, max|dlogit|=${e.toExponential(2)}`);
}

// ---------- 3b. the sampling head ----------
{
  let worst = 0, sumErr = 0;
  for (const invT of [1, 1.25, 5]) {
    const r = await run([{ ids: prompt }], null, 0, null, invT);
    const lg = rowLogits(r, 0);
    const m = Math.max(...lg);
    const e = Array.from(lg, (x) => Math.exp((x - m) * invT));
    const z = e.reduce((s, x) => s + x, 0);
    worst = Math.max(worst, maxAbs(r.probs, e.map((x) => x / z)));
    sumErr = Math.max(sumErr, Math.abs(r.probs.reduce((s, x) => s + x, 0) - 1));
  }
  check(worst < 1e-5 && sumErr < 1e-4, `probs: softmax(logits * inv_temperature) at 1/T = 1, 1.25, 5, max|dp|=${worst.toExponential(2)}, max|sum-1|=${sumErr.toExponential(2)}`);
}

// ---------- 4. timings ----------
async function timeIt(B, S, P, iters) {
  const rows = Array.from({ length: B }, (_, b) => ({ ids: Array.from({ length: S }, (_, s) => (b * 31 + s * 7) % 1000) }));
  const past = KV_NAMES.map(() => new Float32Array(B * KV * P * Dh).map((_, i) => Math.sin(i) * 0.1));
  const lens = Array(B).fill(P);
  for (let i = 0; i < 5; i++) await run(rows, past, P, lens);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) await run(rows, past, P, lens);
  return Number(process.hrtime.bigint() - t0) / 1e6 / iters;
}
const tPre = await timeIt(1, 128, 0, 100);
const tDec = await timeIt(32, 1, 150, 200);
const tDec300 = await timeIt(32, 1, 300, 200);
const tDec1 = await timeIt(1, 1, 150, 300);
const timings = {
  prefill_B1_S128_P0_ms: +tPre.toFixed(3), prefill_tokens_per_s: Math.round(128000 / tPre),
  decode_B32_S1_P150_ms: +tDec.toFixed(3), decode_B32_S1_P300_ms: +tDec300.toFixed(3),
  decode_B1_S1_P150_ms: +tDec1.toFixed(3),
};
console.log(`timings (intraOpNumThreads=1, incl. JS feed building): ${JSON.stringify(timings)}`);

// ---------- 5. samples ----------
let seed = 42;
const rand = () => { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 4294967296; };
async function generate(text, maxNew, temperature) {
  const ids = encode(text);
  let res = await run([{ ids }]);
  let logits = rowLogits(res, 0).slice();
  let kv = appendKV(null, 0, [0], res.present, res.S, [ids.length], 1);
  const out = [];
  for (let i = 0; i < maxNew; i++) {
    let next;
    if (temperature === 0) next = argmax(logits);
    else {
      const k = Array.from(logits.keys()).sort((x, y) => logits[y] - logits[x]).slice(0, 40);
      const w = k.map((j) => Math.exp((logits[j] - logits[k[0]]) / temperature));
      let u = rand() * w.reduce((s, x) => s + x, 0);
      next = k[k.length - 1];
      for (let j = 0; j < k.length; j++) { u -= w[j]; if (u <= 0) { next = k[j]; break; } }
    }
    if (next === EOT) { out.push(EOT); break; }
    out.push(next);
    res = await run([{ ids: [next] }], kv.past, kv.P, kv.lens);
    logits = rowLogits(res, 0).slice();
    kv = appendKV(kv.past, kv.P, kv.lens, res.present, 1, [1], 1);
  }
  return decode(out) + (out[out.length - 1] === EOT ? '<|endoftext|>' : '');
}
const prompts = ['Return the number of', 'This module provides', 'If the file does not exist,', 'The default value is'];
const samples = [];
for (const p of prompts) {
  const greedy = await generate(p, 40, 0);
  const sampled = await generate(p, 40, 0.8);
  samples.push({ prompt: p, greedy, sampled_t0_8_top40: sampled });
  console.log(`\n> ${p}\n  greedy : ${JSON.stringify(greedy)}\n  sampled: ${JSON.stringify(sampled)}`);
}
if (write) {
  fs.mkdirSync(path.join(here, 'out'), { recursive: true });
  fs.writeFileSync(path.join(here, 'out', 'samples.json'), JSON.stringify({ timings, samples }, null, 1) + '\n');
}
console.log(failures ? `\n${failures} check(s) FAILED` : '\nall checks passed');
process.exit(failures ? 1 : 0);
