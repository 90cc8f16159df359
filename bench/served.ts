// Served benchmark: the documented request mix at increasing fixed rates against a real miniserve,
// then a saturation run, set against the engine ceiling measured in the same run.
// Usage: npm run bench:served [-- --rates 50,100,150,200 --duration 20 --out bench/served.md]
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/index.ts";
import { ModelSession } from "../src/engine/index.ts";
import { buildRequestMix, describeMix } from "../src/loadtest/request-mix.ts";
import { startMiniserve } from "../src/server/index.ts";
import { decodeCeiling } from "./ceiling.ts";
import { ServerProbe } from "./server-probe.ts";
import type { ProbeWindow } from "./server-probe.ts";

const { values } = parseArgs({
  options: {
    rates: { type: "string", default: "50,100,150,200,250" },
    duration: { type: "string", default: "20" },
    connections: { type: "string", default: "400" },
    out: { type: "string" },
  },
});
const rates = values.rates.split(",").map(Number);
const durationS = Number(values.duration);
const connections = Number(values.connections);
if (rates.some((r) => !Number.isFinite(r) || r <= 0 || r > 2000) || !(durationS > 0 && durationS <= 600)) {
  process.stderr.write("--rates takes comma-separated numbers from 1 to 2000, --duration seconds from 1 to 600\n");
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
writeFileSync(saturationFile, JSON.stringify(saturation));

process.stderr.write(`warming up…\n`);
await runLoad(server.url, 30, 3, 50, mixFile);
probe.take();

const steps: { rate: number; client: ClientResult; server: ProbeWindow }[] = [];
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
  steps.push({ rate, client, server: window });
  await server.engine.whenIdle();
}

process.stderr.write(`saturation (closed loop, 96 connections, 64 tokens each) for ${durationS}s…\n`);
probe.take();
const satClient = await runLoad(server.url, 0, durationS, 96, saturationFile);
const satServer = probe.take();
await server.engine.whenIdle();
const satBatch = Math.max(1, Math.round(satServer.meanDecodeBatch));
const servedDecodeTps = satServer.decodeTokens / satServer.seconds;
await server.close();
// The ceiling: the same model on this thread with nothing else running, right after the load.
const session = await ModelSession.load(config.modelDir, { intraOpThreads: config.ortThreads });
// Twice: at the cache lengths of the engine-ceiling benchmark (96–128 tokens), and at the longest
// cache the saturation run's decode steps actually padded to (their cost grows with it).
const ceiling = await decodeCeiling(session, satBatch, 96, 5);
const satCache = Math.round(satServer.meanDecodeLongestCache);
const ceilingAtCache = await decodeCeiling(session, satBatch, Math.max(1, satCache - 16), 5);
await session.release();

const mixInfo = describeMix(mix);
const pass = steps.filter((s) => s.client.errors === 0 && s.client.non2xx === 0 && s.client.timeouts === 0 && s.client.latencyMs.p95 < 1000);
const best = pass.at(-1);
const lines = [
  `# Served benchmark`,
  ``,
  `miniserve (\`${config.modelName}\`, ${config.kvSlots} KV slots, onnxruntime threads ${config.ortThreads}, log level ${config.logLevel}) on ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}.`,
  `The load generator (autocannon, ${connections} connections, fixed overall rate) runs as a separate process on the same 2 cores.`,
  `Reproduce with \`npm run bench:served\`.`,
  ``,
  `## The request mix`,
  ``,
  `${mixInfo.requests} requests from \`src/loadtest/request-mix.ts\` (seed 34), cycled: prompts of 8–200 tokens (40 % 8–32, 40 % 33–96, 20 % 97–200; mean ${mixInfo.meanPromptTokens.toFixed(0)}), \`max_tokens\` 8–64 (mean ${mixInfo.meanMaxTokens.toFixed(1)}) generated in full (\`ignore_eos\`), ${(mixInfo.retrievalShare * 100).toFixed(0)} % with retrieval (\`top_k\` 2), ${(mixInfo.streamShare * 100).toFixed(0)} % streamed, ${(mixInfo.chatShare * 100).toFixed(0)} % chat.`,
  ``,
  `## Fixed rates`,
  ``,
  `| offered req/s | achieved req/s | errors | p50 ms | p95 ms | p99 ms | decode tok/s | prefill tok/s | mean decode batch | decode step ms | prefill step ms | prefill padding | engine busy | server CPU | load generator CPU |`,
  `|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|`,
  ...steps.map(({ rate, client: c, server: s }, i) =>
    `| ${rate} | ${c.achievedRps.toFixed(1)} | ${c.errors + c.non2xx + c.timeouts} | ${c.latencyMs.p50.toFixed(0)} | ${c.latencyMs.p95.toFixed(0)} | ${c.latencyMs.p99.toFixed(0)} | ${Math.round(s.decodeTokens / s.seconds)} | ${Math.round(s.prefillTokens / s.seconds)} | ${s.meanDecodeBatch.toFixed(1)} | ${s.meanDecodeStepMs.toFixed(2)} | ${s.meanPrefillStepMs.toFixed(2)} | ${s.prefillPaddingRatio.toFixed(2)}× | ${(s.busyFraction * 100).toFixed(0)} % | ${(serverCpu[i]! * 100).toFixed(0)} % | ${((c.cpuSeconds / durationS) * 100).toFixed(0)} % |`),
  ``,
  best
    ? `**Highest rate with 0 errors and p95 < 1 s: ${best.rate} req/s** (p95 ${best.client.latencyMs.p95.toFixed(0)} ms).`
    : `**No tested rate met 0 errors and p95 < 1 s.**`,
  ``,
  `## Saturation against the engine ceiling`,
  ``,
  `Closed loop, 96 connections, short prompts, 64 tokens each: the engine always has work.`,
  ``,
  `| served decode tok/s | mean decode batch | ceiling at batch ${satBatch}, caches 96–128 (tok/s) | served / ceiling | ceiling at batch ${satBatch}, caches ~${satCache} as served (tok/s) | served / that ceiling | p95 ms |`,
  `|---|---|---|---|---|---|---|`,
  `| ${Math.round(servedDecodeTps)} | ${satServer.meanDecodeBatch.toFixed(1)} | ${Math.round(ceiling.tokensPerSecond)} | ${((servedDecodeTps / ceiling.tokensPerSecond) * 100).toFixed(0)} % | ${Math.round(ceilingAtCache.tokensPerSecond)} | ${((servedDecodeTps / ceilingAtCache.tokensPerSecond) * 100).toFixed(0)} % | ${satClient.latencyMs.p95.toFixed(0)} |`,
  ``,
  `The ceiling is measured in the same run with the same model (KV gather + forward + KV append, no`,
  `HTTP, no sampling), once at the engine-ceiling benchmark's cache lengths and once at the mean longest`,
  `cache the saturation run's decode steps padded to (${satCache} tokens: a step's cost grows with it).`,
  `The served figure also pays for what the ceiling leaves out: sampling every row on the engine core`,
  `thread, the prefill of each newcomer between decode steps, and the HTTP thread and the load generator`,
  `sharing the two cores.`,
  ``,
];
const md = lines.join("\n");
process.stdout.write(md);
if (values.out) writeFileSync(values.out, md);
writeFileSync(values.out ? values.out.replace(/\.md$/, ".json") : join(dir, "served.json"), JSON.stringify({ config: { kvSlots: config.kvSlots, ortThreads: config.ortThreads }, mix: mixInfo, steps, saturation: { client: satClient, server: satServer, ceiling, ceilingAtCache, servedDecodeTps } }, null, 2) + "\n");
