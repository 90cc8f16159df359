// Measure ORT speed of candidate ONNX models (intraOpNumThreads=1).
// usage: node sizing.mjs out/cand-<d_model>-<n_layer>[-<n_head>].onnx ...
// (candidates come from: python3 export.py --random --d-model D --n-layer L --out out/cand-D-L.onnx)
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'package.json'));
const ort = require('onnxruntime-node');

async function feedsFor(L, H, Dh, B, S, P) {
  const n = B * S;
  const ids = new BigInt64Array(n);
  const pos = new BigInt64Array(n);
  for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) {
    ids[b * S + s] = BigInt((b * 31 + s * 7) % 1000);
    pos[b * S + s] = BigInt(P + s);
  }
  const mask = new Float32Array(B * (P + S)).fill(1);
  const past = new Float32Array(L * 2 * B * H * P * Dh);
  for (let i = 0; i < past.length; i++) past[i] = Math.sin(i) * 0.1;
  return {
    input_ids: new ort.Tensor('int64', ids, [B, S]),
    position_ids: new ort.Tensor('int64', pos, [B, S]),
    attention_mask: new ort.Tensor('float32', mask, [B, P + S]),
    past_key_values: new ort.Tensor('float32', past, [L, 2, B, H, P, Dh]),
  };
}

async function bench(sess, feeds, iters) {
  for (let i = 0; i < 5; i++) await sess.run(feeds);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) await sess.run(feeds);
  return Number(process.hrtime.bigint() - t0) / 1e6 / iters;
}

for (const file of process.argv.slice(2)) {
  // candidate file names encode d_model, n_layer, n_head: cand-<d>-<L>[-<H>].onnx
  const m = path.basename(file).match(/cand-(\d+)-(\d+)(?:-(\d+))?/);
  const d = +m[1], L = +m[2], H = m[3] ? +m[3] : 4, Dh = d / H;
  const sess = await ort.InferenceSession.create(file, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const pre = await bench(sess, await feedsFor(L, H, Dh, 1, 128, 0), 100);
  const dec = await bench(sess, await feedsFor(L, H, Dh, 32, 1, 150), 200);
  const pre32 = await bench(sess, await feedsFor(L, H, Dh, 8, 64, 0), 30);
  console.log(JSON.stringify({
    file: path.basename(file), d_model: d, n_layer: L, n_head: H,
    prefill_B1_S128_ms: +pre.toFixed(3), prefill_tok_per_s: Math.round(128 / pre * 1000),
    prefill_B8_S64_tok_per_s: Math.round(512 / pre32 * 1000),
    decode_B32_P150_ms: +dec.toFixed(3),
  }));
}
