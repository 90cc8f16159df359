// Measure ONNX Runtime speed of miniserve model files (intraOpNumThreads=1).
// usage: node sizing.mjs [--decode-p 150,300] model.onnx ...
// Architecture numbers come from a sibling config (<name>-config.json, or
// model-config.json whose "onnx" names the file); without one, the file name
// cand-<d_model>-<n_layer>[-<n_head>[-<n_kv_head>]].onnx is used.
// Both graph contracts are understood: per-layer past_key_{l}/past_value_{l}
// [B,KV,P,Dh] (current) and the earlier single past_key_values [L,2,B,H,P,Dh].
// Feeds are built once per shape, so the figures are graph time only.
// (candidates: python3 export.py --random --d-model D --n-layer L --n-kv-head K --out out/cand-D-L-4-K.onnx)
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(path.join(here, '..', '..', 'package.json'));
const ort = require('onnxruntime-node');

const args = process.argv.slice(2);
let decodeP = [150, 300];
const di = args.indexOf('--decode-p');
if (di >= 0) { decodeP = args[di + 1].split(',').map(Number); args.splice(di, 2); }

function archOf(file) {
  const dir = path.dirname(file), base = path.basename(file, '.onnx');
  const candidates = [path.join(dir, `${base}-config.json`), path.join(dir, 'model-config.json')];
  for (const c of candidates) {
    if (!fs.existsSync(c)) continue;
    const j = JSON.parse(fs.readFileSync(c, 'utf8'));
    if (c.endsWith('model-config.json') && j.onnx !== path.basename(file)) continue;
    return { d: j.d_model, L: j.n_layer, H: j.n_head, KV: j.n_kv_head ?? j.n_head, Dh: j.head_dim };
  }
  const m = base.match(/cand-(\d+)-(\d+)(?:-(\d+))?(?:-(\d+))?/);
  if (!m) throw new Error(`no config for ${file}`);
  const d = +m[1], L = +m[2], H = m[3] ? +m[3] : 4, KV = m[4] ? +m[4] : H;
  return { d, L, H, KV, Dh: d / H };
}

function feedsFor(sess, { L, H, KV, Dh }, B, S, P) {
  const ids = new BigInt64Array(B * S), pos = new BigInt64Array(B * S);
  for (let b = 0; b < B; b++) for (let s = 0; s < S; s++) {
    ids[b * S + s] = BigInt((b * 31 + s * 7) % 1000);
    pos[b * S + s] = BigInt(P + s);
  }
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [B, S]),
    position_ids: new ort.Tensor('int64', pos, [B, S]),
    attention_mask: new ort.Tensor('float32', new Float32Array(B * (P + S)).fill(1), [B, P + S]),
  };
  const filled = (n) => { const a = new Float32Array(n); for (let i = 0; i < n; i++) a[i] = Math.sin(i) * 0.1; return a; };
  if (sess.inputNames.includes('past_key_values')) {
    feeds.past_key_values = new ort.Tensor('float32', filled(L * 2 * B * H * P * Dh), [L, 2, B, H, P, Dh]);
  } else {
    for (let l = 0; l < L; l++) for (const kind of ['key', 'value']) {
      feeds[`past_${kind}_${l}`] = new ort.Tensor('float32', filled(B * KV * P * Dh), [B, KV, P, Dh]);
    }
  }
  return feeds;
}

async function bench(sess, feeds, iters) {
  for (let i = 0; i < 5; i++) await sess.run(feeds);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iters; i++) await sess.run(feeds);
  return Number(process.hrtime.bigint() - t0) / 1e6 / iters;
}

for (const file of args) {
  const a = archOf(file);
  const sess = await ort.InferenceSession.create(file, {
    intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all',
  });
  const pre = await bench(sess, feedsFor(sess, a, 1, 128, 0), 100);
  const pre8 = await bench(sess, feedsFor(sess, a, 8, 64, 0), 30);
  const row = {
    file: path.basename(file), d_model: a.d, n_layer: a.L, n_head: a.H, n_kv_head: a.KV,
    kv_floats_per_token: a.L * 2 * a.KV * a.Dh,
    prefill_B1_S128_ms: +pre.toFixed(3), prefill_tok_per_s: Math.round(128 / pre * 1000),
    prefill_B8_S64_tok_per_s: Math.round(512 / pre8 * 1000),
  };
  for (const P of decodeP) row[`decode_B32_P${P}_ms`] = +(await bench(sess, feedsFor(sess, a, 32, 1, P), 200)).toFixed(3);
  console.log(JSON.stringify(row));
}
