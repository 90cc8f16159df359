// Contention: what other work on the second core does to a bare decode step. In the served benchmark
// the HTTP thread and the load generator are such neighbours (bench/served.md weighs what they cost).
// Usage: npm run bench:contention [-- --rounds 8 --out bench/contention.md]
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import { loadConfig } from "../src/config/index.ts";
import { ModelSession } from "../src/engine/index.ts";
import { decodeCeiling } from "./ceiling.ts";
import { modelIdentity, modelMarkdown } from "./model-identity.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({ options: { out: { type: "string" }, rounds: { type: "string", default: "8" } } });
const rounds = Number(values.rounds);
if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= 20)) {
  process.stderr.write("--rounds takes a whole number from 1 to 20\n");
  process.exit(2);
}

// Each neighbour runs in a worker thread in 50 ms slices until it is terminated: one only does
// arithmetic in registers, the other walks a 32 MB array (as large as this machine's last-level cache).
const NEIGHBOURS = {
  compute: `let x = 0; (function loop() { const end = Date.now() + 50; while (Date.now() < end) x = Math.sqrt(x + 1); setImmediate(loop); })();`,
  memory: `const a = new Float64Array(4e6); (function loop() { const end = Date.now() + 50; while (Date.now() < end) for (let i = 0; i < a.length; i += 8) a[i] += 1; setImmediate(loop); })();`,
} as const;
type Mode = "alone" | keyof typeof NEIGHBOURS;
const MODES: Mode[] = ["alone", "compute", "memory"];
const BATCH = 32;
const CACHE = 96;

const config = loadConfig(process.env, []);
const model = await ModelSession.load(config.modelDir, { intraOpThreads: config.ortThreads });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
await decodeCeiling(model, BATCH, CACHE - 16, 3); // warm-up

const results: Record<Mode, number[]> = { alone: [], compute: [], memory: [] };
for (let r = 1; r <= rounds; r++) {
  process.stderr.write(`round ${r}/${rounds}\n`);
  // The modes take turns inside every round, so a slow phase of the machine hits all of them.
  for (const mode of MODES) {
    const neighbour = mode === "alone" ? null : new Worker(NEIGHBOURS[mode], { eval: true });
    if (neighbour) await pause(300);
    // 32 steps from cache 80: the steps average a cache of 96 tokens, as in the served saturation run.
    results[mode].push((await decodeCeiling(model, BATCH, CACHE - 16, 15)).tokensPerSecond);
    if (neighbour) await neighbour.terminate();
    await pause(300);
  }
}
await model.release();

const alone = median(results.alone);
const cost = (m: Mode) => `${Math.max(0, (1 - median(results[m]) / alone) * 100).toFixed(0)} %`;
const label: Record<Mode, string> = { alone: "nothing else running", compute: "a thread doing arithmetic", memory: "a thread streaming a 32 MB array" };
const md = [
  `# Contention: a bare decode step next to other work`,
  ``,
  `Model ${modelMarkdown(modelIdentity(config))}, onnxruntime threads ${config.ortThreads}, on ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}. Reproduce with \`npm run bench:contention\`.`,
  `Decode steps at batch ${BATCH} with a mean cache of ${CACHE} tokens (KV gather + forward pass + KV append, 32 steps per run, median step of 15 runs), while the other core runs:`,
  ``,
  `| the other core | decode tok/s (median of ${rounds} rounds) | rounds, min–max | vs alone |`,
  `|---|---|---|---|`,
  ...MODES.map((m) => `| ${label[m]} | ${Math.round(median(results[m]))} | ${Math.round(Math.min(...results[m]))}–${Math.round(Math.max(...results[m]))} | ${((median(results[m]) / alone) * 100).toFixed(0)} % |`),
  ``,
  `A neighbour with a core of its own can still cost a decode step: the two cores share the chip's clock`,
  `and power budget, its last-level cache and its memory bus, and a decode step moves a few megabytes`,
  `of cached keys and values. Here a thread that only computed cost a decode step ${cost("compute")}, one that`,
  `streamed memory ${cost("memory")} (medians; single rounds scatter, as everything on this machine does). In`,
  `the served benchmark the HTTP thread (parsing, JSON, garbage collection) and the load generator are`,
  `such neighbours; bench/served.md sets its decode steps against the bare model on the same batches,`,
  `which shows what they cost there, and their share of the machine is one reason its figures move`,
  `from one run to the next.`,
  ``,
].join("\n");
process.stdout.write(md);
if (values.out) writeFileSync(values.out, md);
