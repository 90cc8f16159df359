// Engine ceiling: what the model can do on this CPU with no HTTP, no scheduler and no observability.
// Prefill tokens/s, and decode tokens/s at batch 1, 8, 16, 32 (a decode step = KV gather + forward
// + KV append). Usage: npm run bench:engine [-- --out bench/engine-ceiling.md]
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/index.ts";
import { ModelSession } from "../src/engine/index.ts";
import { measureDecode, measurePrefill } from "./ceiling.ts";
import { modelIdentity, modelMarkdown } from "./model-identity.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({ options: { out: { type: "string" }, repeats: { type: "string", default: "5" } } });
const repeats = Number(values.repeats);
const config = loadConfig(process.env, []);
const model = await ModelSession.load(config.modelDir, { intraOpThreads: config.ortThreads });
const { nLayer, nHead, nKvHead } = model.config;

const prefill = (batch: number, length: number) => measurePrefill(model, batch, length);
const decode = (batch: number, past: number, steps: number) => measureDecode(model, batch, past, steps);

// Warm up the session (first runs allocate).
await prefill(1, 64);
await decode(4, 32, 5);

const rows: string[] = [];
const prefillRuns: Record<string, number> = {};
for (const [b, len] of [[1, 32], [1, 128], [4, 128], [1, 400]] as const) {
  const runs = [];
  for (let r = 0; r < repeats; r++) runs.push(await prefill(b, len));
  prefillRuns[`${b}x${len}`] = median(runs);
}
const decodeRuns: Record<number, { tokensPerSecond: number; stepMs: number }> = {};
for (const batch of [1, 8, 16, 32]) {
  const runs = [];
  for (let r = 0; r < repeats; r++) runs.push(await decode(batch, 96, 32));
  const tps = median(runs.map((x) => x.tokensPerSecond));
  decodeRuns[batch] = { tokensPerSecond: tps, stepMs: median(runs.map((x) => x.stepMs)) };
}

rows.push(`# Engine ceiling`, ``);
const identity = modelIdentity(config);
rows.push(`Model ${modelMarkdown(identity)}: ${nLayer} layers, d_model ${model.config.dModel}, ${nHead} query heads sharing ${nKvHead} key/value head(s), context ${model.config.nCtx}.`);
rows.push(`Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}, onnxruntime intra-op threads ${config.ortThreads}.`);
rows.push(`Each figure is the median of ${repeats} runs. Reproduce with \`npm run bench:engine\`.`, ``);
rows.push(`## Prefill`, ``, `| rows × prompt tokens | tokens/s |`, `|---|---|`);
for (const [k, v] of Object.entries(prefillRuns)) rows.push(`| ${k.replace("x", " × ")} | ${Math.round(v).toLocaleString("en")} |`);
rows.push(``, `## Decode (one token per row per step, caches holding 96–128 tokens)`, ``, `| batch | ms per step | tokens/s |`, `|---|---|---|`);
for (const [b, v] of Object.entries(decodeRuns)) rows.push(`| ${b} | ${v.stepMs.toFixed(2)} | ${Math.round(v.tokensPerSecond).toLocaleString("en")} |`);
rows.push(``, `A decode step here is the KV gather, the forward pass (its output head included: each row's`, `logits and temperature softmax) and the KV append — the physical work of one engine step — with`, `no HTTP, scheduler, sampling draw or observability around it. This machine's speed drifts by up to`, `2× over minutes, so compare figures within one run (bench/served.md measures its own ceiling`, `next to each served window).`, ``);
const md = rows.join("\n");
process.stdout.write(md);
if (values.out) writeFileSync(values.out, md);
writeFileSync("bench/engine-ceiling.json", JSON.stringify({ model: identity, prefill: prefillRuns, decode: decodeRuns, ortThreads: config.ortThreads }, null, 2) + "\n");
await model.release();
