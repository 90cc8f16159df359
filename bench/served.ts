// Served benchmark: the documented request mix at increasing fixed rates against a real miniserve,
// then a saturation run, set against the engine ceiling measured in the same run.
// Usage: npm run bench:served [-- --rates 50,100,150,200,250 --duration 20 --rounds 20 --out bench/served.md]
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/index.ts";
import { ModelSession } from "../src/engine/index.ts";
import { buildRequestMix, describeMix } from "../src/loadtest/request-mix.ts";
import { startMiniserve } from "../src/server/index.ts";
import { formatChat } from "../src/server/validate-request.ts";
import { decodeCeiling, prefillCeiling, raggedDecodeCeiling } from "./ceiling.ts";
import type { DecodeCeiling, PrefillCeiling } from "./ceiling.ts";
import { DECODE_SAMPLE_EVERY, DECODE_SAMPLES_MAX, ServerProbe } from "./server-probe.ts";
import type { ProbeWindow } from "./server-probe.ts";
import { modelIdentity, modelMarkdown } from "./model-identity.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  options: {
    rates: { type: "string", default: "50,100,150,200,250" },
    duration: { type: "string", default: "20" },
    connections: { type: "string", default: "400" },
    rounds: { type: "string", default: "20" },
    out: { type: "string" },
  },
});
const rates = values.rates.split(",").map(Number);
const durationS = Number(values.duration);
const connections = Number(values.connections);
const rounds = Number(values.rounds);
if (rates.some((r) => !Number.isFinite(r) || r <= 0 || r > 2000) || !(durationS > 0 && durationS <= 600) || !(Number.isInteger(rounds) && rounds >= 1 && rounds <= 40)) {
  process.stderr.write("--rates takes comma-separated numbers from 1 to 2000, --duration seconds from 1 to 600, --rounds a whole number from 1 to 40\n");
  process.exit(2);
}

interface ClientResult {
  cpuSeconds: number;
  requests: number; ok: number; non2xx: number; errors: number; timeouts: number;
  achievedRps: number; latencyMs: { p50: number; p95: number; p99: number; max: number };
}

function runLoad(url: string, rate: number, seconds: number, conns: number, mixFile: string): Promise<ClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/load-child.ts", JSON.stringify({ url, rate, durationS: seconds, connections: conns, mixFile })], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as ClientResult) : reject(new Error(`load child exited ${code}`))));
  });
}

const config = loadConfig({ ...process.env, PORT: "0", LOG_LEVEL: process.env.LOG_LEVEL ?? "warn" }, []);
const server = await startMiniserve(config);
const probe = new ServerProbe(server.engine);
const dir = mkdtempSync(join(tmpdir(), "miniserve-bench-"));
const mix = buildRequestMix(server.engine.tokenizer, { size: 400, seed: 34, model: config.modelName, fixedLength: true });
const mixFile = join(dir, "mix.json");
writeFileSync(mixFile, JSON.stringify(mix));
const saturation = buildRequestMix(server.engine.tokenizer, { size: 64, seed: 7, model: config.modelName, fixedLength: true })
  .map((e) => ({ ...e, body: { ...e.body, max_tokens: 64, stream: false, retrieval: undefined } }));
const saturationFile = join(dir, "saturation.json");
// The token ids the engine prefills for each saturation request (miniserve-tiny: end-of-text, then the prompt text).
const saturationPrompts = saturation.map((e) => {
  const b = e.body as { prompt?: string; messages?: { role: "user"; content: string }[] };
  return server.engine.tokenizer.promptIds(b.messages ? formatChat(b.messages) : b.prompt!);
});
writeFileSync(saturationFile, JSON.stringify(saturation));

// The bare model, timed on this thread while the server is idle: the ceiling each load is set against.
// This machine's speed swings by ±30 % from one second to the next, so every timing is a median of
// many short runs, taken right after the load it is compared with. For about a second after a load
// ends the process is still closing connections and collecting garbage; timings wait that out.
const SETTLE_MS = 2000;
const settle = () => new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
const CEILING_REPEATS = 40;
const session = await ModelSession.load(config.modelDir, { intraOpThreads: config.ortThreads });
/**
 * The bare model's decode rate at a window's mean batch and at the cache its rows had on average.
 * A step's time grows about linearly with its batch, so a fractional mean batch (4.3 rows) is
 * timed at the whole batches on either side and the step time interpolated between them.
 */
async function ceilingFor(w: ProbeWindow, repeats: number): Promise<DecodeCeiling> {
  const batch = Math.max(1, w.meanDecodeBatch);
  // 32 steps from cache - 16: the timed steps average the cache length the rows had when served.
  const past = Math.max(17, Math.round(w.meanDecodeRowCache)) - 16;
  const low = await decodeCeiling(session, Math.floor(batch), past, repeats);
  if (Number.isInteger(batch)) return low;
  const high = await decodeCeiling(session, Math.ceil(batch), past, repeats);
  const stepMs = low.stepMs + (high.stepMs - low.stepMs) * (batch - Math.floor(batch));
  return { stepMs, tokensPerSecond: (batch / stepMs) * 1000 };
}

process.stderr.write(`warming up…\n`);
await runLoad(server.url, 30, 3, 50, mixFile);
probe.take();

const steps: { rate: number; client: ClientResult; server: ProbeWindow; ceiling: DecodeCeiling }[] = [];
/** CPU used by this process (server main thread + model worker), as a fraction of one core. */
const serverCpu: number[] = [];
for (const rate of rates) {
  process.stderr.write(`rate ${rate}/s for ${durationS}s…\n`);
  probe.take();
  const cpuBefore = process.cpuUsage();
  const client = await runLoad(server.url, rate, durationS, connections, mixFile);
  const window = probe.take();
  const cpu = process.cpuUsage(cpuBefore);
  serverCpu.push((cpu.user + cpu.system) / 1e6 / window.seconds);
  await server.engine.whenIdle();
  await settle();
  steps.push({ rate, client, server: window, ceiling: await ceilingFor(window, CEILING_REPEATS / 2) });
}

// Saturation, in rounds: closed-loop windows that keep every slot busy, each followed by timings of
// the bare model at the batch size and cache length the window decoded at, and of the bare model
// prefilling the same prompts as many at a time as the window did. The headline compares the
// median window with the median timing; many short windows keep that median steady.
const satSeconds = Math.max(4, Math.round(durationS / 4));
// The saturation mix's cache lengths are known before the first round from a short closed-loop warm-up.
probe.take();
await runLoad(server.url, 0, 3, 96, saturationFile);
const warm = probe.take();
await server.engine.whenIdle();
await settle();
interface Timing { decode: DecodeCeiling; ragged: DecodeCeiling; prefill: PrefillCeiling }
/** Decode steps timed on each sampled ragged batch of a window. */
const RAGGED_STEPS = 16;
const rowsPerPrefill = (w: ProbeWindow) => Math.max(1, Math.round(w.prefillRows / Math.max(1, w.prefillSteps)));
const timeCeiling = async (w: ProbeWindow): Promise<Timing> => ({
  decode: await ceilingFor(w, CEILING_REPEATS),
  ragged: await raggedDecodeCeiling(session, w.decodeBatchSamples, RAGGED_STEPS),
  prefill: await prefillCeiling(session, saturationPrompts, rowsPerPrefill(w), CEILING_REPEATS / 4),
});
let nextBefore = await timeCeiling(warm);
interface SatRound { client: ClientResult; server: ProbeWindow; batch: number; cache: number; before: Timing; after: Timing; servedTps: number }
const satRounds: SatRound[] = [];
for (let r = 1; r <= rounds; r++) {
  process.stderr.write(`saturation window ${r}/${rounds} (closed loop, 96 connections, 64 tokens each) for ${satSeconds}s…\n`);
  probe.take();
  const client = await runLoad(server.url, 0, satSeconds, 96, saturationFile);
  const window = probe.take();
  await server.engine.whenIdle();
  const before = nextBefore;
  await settle();
  const after = await timeCeiling(window);
  nextBefore = after;
  // Over the time the engine had work: the load generator's own start-up is not the server's.
  const servedTps = window.activeSeconds > 0 ? window.decodeTokens / window.activeSeconds : 0;
  satRounds.push({
    client, server: window, batch: Math.max(1, Math.round(window.meanDecodeBatch)), cache: Math.max(17, Math.round(window.meanDecodeRowCache)),
    before, after, servedTps,
  });
}
await server.close();
await session.release();
const mean = (a: number, b: number) => (a + b) / 2;
// Each window against the mean of the timings on either side of it; the headline, medians against medians.
const roundCeiling = (r: SatRound) => mean(r.before.decode.tokensPerSecond, r.after.decode.tokensPerSecond);
const roundPrefillCeiling = (r: SatRound) => mean(r.before.prefill.tokensPerSecond, r.after.prefill.tokensPerSecond);
const ratio = (r: SatRound) => r.servedTps / roundCeiling(r);
const phaseRatio = (r: SatRound) => r.server.decodeStepTokensPerSecond / roundCeiling(r);
const roundRagged = (r: SatRound) => mean(r.before.ragged.tokensPerSecond, r.after.ragged.tokensPerSecond);
const raggedRatio = (r: SatRound) => r.server.decodeStepTokensPerSecond / roundRagged(r);
/**
 * The most any server could deliver on a round's work, as a share of the decode ceiling: decode
 * steps at the ceiling and prefill at the bare model's speed, with nothing at all in between.
 */
const bound = (r: SatRound, decodeTps = roundCeiling(r), prefillTps = roundPrefillCeiling(r)) => {
  const decodeS = r.server.decodeTokens / decodeTps;
  return decodeS / (decodeS + r.server.prefillTokens / prefillTps);
};
const timings = [satRounds[0]!.before, ...satRounds.map((r) => r.after)];
const medianCeiling = median(timings.map((c) => c.decode.tokensPerSecond));
const medianPrefillCeiling = median(timings.map((c) => c.prefill.tokensPerSecond));
const medianRagged = median(timings.map((c) => c.ragged.tokensPerSecond));
// Ragged against equal rows, each pair timed back to back: what uneven caches alone cost the bare engine.
const raggedShare = median(timings.map((c) => c.ragged.tokensPerSecond / c.decode.tokensPerSecond));
const pct = (x: number) => `${(x * 100).toFixed(0)} %`;
const range = (f: (r: SatRound) => number) => `${pct(Math.min(...satRounds.map(f)))}–${pct(Math.max(...satRounds.map(f)))}`;
/** Medians over the windows. */
const sat = {
  served: median(satRounds.map((r) => r.servedTps)),
  phase: median(satRounds.map((r) => r.server.decodeStepTokensPerSecond)),
  batch: median(satRounds.map((r) => r.batch)),
  cache: median(satRounds.map((r) => r.cache)),
  bound: median(satRounds.map((r) => bound(r, medianCeiling, medianPrefillCeiling))),
  phaseRange: range(phaseRatio),
  raggedRange: range(raggedRatio),
  wallRange: range(ratio),
};

/** What the served steps against the bare model on the same batches say about serving's own cost. */
function servingCost(served: number): string {
  if (served >= 0.95) return "Within this machine's noise, serving itself (the HTTP thread and the load generator on the same two cores, the engine's own garbage) costs a decode step nothing measurable: the gap to the ceiling is the ragged batches.";
  return `The remaining ${((1 - served) * 100).toFixed(0)} points are what serving itself costs a decode step: the HTTP thread and the load generator on the same two cores, the engine's own garbage.`;
}

const mixInfo = describeMix(mix);
const pass = steps.filter((s) => s.client.errors === 0 && s.client.non2xx === 0 && s.client.timeouts === 0 && s.client.latencyMs.p95 < 1000);
const best = pass.at(-1);
const lines = [
  `# Served benchmark`,
  ``,
  `miniserve (model ${modelMarkdown(modelIdentity(config))}, ${config.kvSlots} KV slots, onnxruntime threads ${config.ortThreads}, log level ${config.logLevel}) on ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}.`,
  `The load generator (autocannon, ${connections} connections, fixed overall rate) runs as a separate process on the same 2 cores.`,
  `Reproduce with \`npm run bench:served\`.`,
  ``,
  `The engine ceiling each load is set against is the bare model, timed on this thread right after the load with the server idle for ${SETTLE_MS / 1000} s: decode steps (KV gather + forward pass + KV append) at the load's mean decode batch and at the cache length its decoded rows had on average, 32 steps per run, the median step of each run, the median of the runs. This machine's speed swings by ±30 % from one second to the next, so every timing is a median of many short runs.`,
  ``,
  `## The request mix`,
  ``,
  `${mixInfo.requests} requests from \`src/loadtest/request-mix.ts\` (seed 34), cycled: prompts of 8–200 tokens (40 % 8–32, 40 % 33–96, 20 % 97–200; mean ${mixInfo.meanPromptTokens.toFixed(0)}), \`max_tokens\` 8–64 (mean ${mixInfo.meanMaxTokens.toFixed(1)}) generated in full (\`ignore_eos\`), ${(mixInfo.retrievalShare * 100).toFixed(0)} % with retrieval (\`top_k\` 2), ${(mixInfo.streamShare * 100).toFixed(0)} % streamed, ${(mixInfo.chatShare * 100).toFixed(0)} % chat.`,
  ``,
  `## Fixed rates`,
  ``,
  `| offered req/s | achieved req/s | errors | p50 ms | p95 ms | p99 ms | decode tok/s | prefill tok/s | mean decode batch | mean row cache | decode step ms | decode-step tok/s | ceiling tok/s | decode steps / ceiling | prefill step ms | prefill padding | engine busy | server CPU | load generator CPU |`,
  `|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`,
  ...steps.map(({ rate, client: c, server: s, ceiling }, i) =>
    `| ${rate} | ${c.achievedRps.toFixed(1)} | ${c.errors + c.non2xx + c.timeouts} | ${c.latencyMs.p50.toFixed(0)} | ${c.latencyMs.p95.toFixed(0)} | ${c.latencyMs.p99.toFixed(0)} | ${Math.round(s.decodeTokens / s.seconds)} | ${Math.round(s.prefillTokens / s.seconds)} | ${s.meanDecodeBatch.toFixed(1)} | ${Math.round(s.meanDecodeRowCache)} | ${s.meanDecodeStepMs.toFixed(2)} | ${Math.round(s.decodeStepTokensPerSecond)} | ${Math.round(ceiling.tokensPerSecond)} | ${pct(s.decodeStepTokensPerSecond / ceiling.tokensPerSecond)} | ${s.meanPrefillStepMs.toFixed(2)} | ${s.prefillPaddingRatio.toFixed(2)}× | ${(s.busyFraction * 100).toFixed(0)} % | ${(serverCpu[i]! * 100).toFixed(0)} % | ${((c.cpuSeconds / durationS) * 100).toFixed(0)} % |`),
  ``,
  best
    ? `**Highest rate with 0 errors and p95 < 1 s: ${best.rate} req/s** (p95 ${best.client.latencyMs.p95.toFixed(0)} ms).`
    : `**No tested rate met 0 errors and p95 < 1 s.**`,
  ``,
  `Below saturation the decode tokens per wall-clock second follow the offered load, not the engine, so`,
  `the comparison with the engine at the same batch size is made per decode step: "decode-step tok/s"`,
  `is the decode tokens over the time spent inside decode steps, and the ceiling is the bare model at`,
  `the window's mean decode batch and mean row cache, timed right after it (median of ${CEILING_REPEATS / 2} runs at each`,
  `whole batch either side of the mean, the step time interpolated between them).`,
  ``,
  `## Saturation against the engine ceiling`,
  ``,
  `Closed loop, 96 connections, the prompts of a 64-entry mix of the same kind (seed 7, 8–200 tokens, no retrieval), 64 tokens each, not streamed: the engine always has work and every KV slot is busy.`,
  `${rounds} windows of ${satSeconds} s. Before the first window and after each one the bare model is timed three times: decode at the window's batch and cache on rows of equal length (median of ${CEILING_REPEATS} runs at each whole batch either side of the mean), decode on the window's own ragged batches (${RAGGED_STEPS} steps each, the median step of each batch), and prefill of the same ${saturationPrompts.length} prompts, as many per call as the window prefilled (through the server's own model runner; median of ${CEILING_REPEATS / 4} runs). Each window is set against the timings on either side of it; the headline sets the median window against the median timing.`,
  ``,
  `| window | mean decode batch | mean row cache (padded to) | decode ceiling before · after (tok/s) | decode-step tok/s | **decode steps / ceiling** | bare on its own batches before · after (tok/s) | decode steps / bare on its own batches | served decode tok/s, wall clock | wall clock / ceiling | zero-overhead bound | engine time: decode · prefill · rest | prefill ceiling tok/s (prompts per call) | p95 ms |`,
  `|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`,
  ...satRounds.map((r, i) =>
    `| ${i + 1} | ${r.server.meanDecodeBatch.toFixed(1)} | ${r.cache} (${Math.round(r.server.meanDecodeLongestCache)}) | ${Math.round(r.before.decode.tokensPerSecond)} · ${Math.round(r.after.decode.tokensPerSecond)} | ${Math.round(r.server.decodeStepTokensPerSecond)} | **${pct(phaseRatio(r))}** | ${Math.round(r.before.ragged.tokensPerSecond)} · ${Math.round(r.after.ragged.tokensPerSecond)} | ${pct(raggedRatio(r))} | ${Math.round(r.servedTps)} | ${pct(ratio(r))} | ${pct(bound(r))} | ${pct(r.server.decodeFraction)} · ${pct(r.server.prefillFraction)} · ${pct(Math.max(0, 1 - r.server.decodeFraction - r.server.prefillFraction))} | ${Math.round(roundPrefillCeiling(r))} (${rowsPerPrefill(r.server)}) | ${r.client.latencyMs.p95.toFixed(0)} |`),
  ``,
  `**Served decode throughput at the same batch size: ${pct(sat.phase / medianCeiling)} of the engine ceiling.** Inside its decode steps the median window decoded ${Math.round(sat.phase)} tok/s at batch ${sat.batch} and a mean cache of ${sat.cache} tokens; the bare model, on rows of that batch and cache, did ${Math.round(medianCeiling)} tok/s (median timing; single windows against the timings on either side: ${sat.phaseRange}).`,
  ``,
  `**Where the gap comes from.** The bare model, run through the server's own runner on the very batches the windows decoded (every ${DECODE_SAMPLE_EVERY}th decode step, up to ${DECODE_SAMPLES_MAX} a window, each row at the cache it had), does ${Math.round(medianRagged)} tok/s: uneven caches alone hold the bare engine at ${pct(raggedShare)} of the equal-row ceiling (median of the pairs timed back to back). Against the bare model on their own batches the served decode steps ran at ${pct(sat.phase / medianRagged)} (single windows: ${sat.raggedRange}). ${servingCost(sat.phase / medianRagged)}`,
  ``,
  `**Over wall-clock time: ${pct(sat.served / medianCeiling)} of the decode ceiling** (median window ${Math.round(sat.served)} decode tok/s; single windows ${sat.wallRange}). The wall clock also holds the prefill the mix asks for, and its prompts are about as long as its answers: a server with no overhead at all — decode steps at the ceiling, prefill at the bare model's ${Math.round(medianPrefillCeiling)} tok/s, nothing in between — would reach ${pct(sat.bound)} on the same work (median window). The served engine delivers ${pct(sat.served / medianCeiling / sat.bound)} of that bound.`,
  ``,
  `How to read it. The ceiling does nothing but decode steps on rows of equal length. The served engine`,
  `also prefills every newcomer ("prefill" share of its time), runs each decode step on rows whose caches`,
  `differ in length (so a step pads its rows or splits into several passes: "padded to" is the longest`,
  `cache of a step, on average), and between steps samples every row, schedules, and posts the step to`,
  `the HTTP thread ("rest"). "Decode steps / ceiling" holds what ragged batches and a busy machine cost a`,
  `decode step; the bare model on each window's own batches tells the two apart (a figure above 100 %`,
  `there is this machine drifting between a window and the timings next to it). The wall-clock ratio is`,
  `the decode-step ratio times the decode share of the time, and the zero-overhead bound shows how much`,
  `of the gap is the mix's own prefill work. The HTTP thread and the load generator run on the same two`,
  `cores as the engine; what such a neighbour costs a bare decode step is measured`,
  `in bench/contention.md.`,
  ``,
];
const md = lines.join("\n");
// The sampled batches are thousands of numbers a window; the timings made from them are kept.
const omitBatchSamples = (key: string, value: unknown) => (key === "decodeBatchSamples" ? undefined : value);
process.stdout.write(md);
if (values.out) writeFileSync(values.out, md);
writeFileSync(values.out ? values.out.replace(/\.md$/, ".json") : join(dir, "served.json"), JSON.stringify({ model: modelIdentity(config), config: { kvSlots: config.kvSlots, ortThreads: config.ortThreads }, mix: mixInfo, steps, saturation: satRounds }, omitBatchSamples, 2) + "\n");
