// Overhead benchmark: the same request mix against the bare server (MINISERVE_OBSERVABILITY=off)
// and the instrumented one (100 % tracing, info logs to /dev/null, metrics, cost), alternating.
// Usage: npm run bench:overhead [-- --rounds 4 --rates 10,20,30 --duration 10 --out bench/overhead.md]
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/index.ts";
import { Tokenizer, readModelConfig } from "../src/engine/index.ts";
import { buildRequestMix, describeMix } from "../src/loadtest/request-mix.ts";
import { freePort } from "../test/helpers/free-port.ts";
import { modelIdentity, modelMarkdown } from "./model-identity.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "4" },
    rates: { type: "string", default: "10,20,30" },
    duration: { type: "string", default: "10" },
    connections: { type: "string", default: "200" },
    out: { type: "string" },
  },
});
const rounds = Number(values.rounds);
const rates = values.rates.split(",").map(Number);
const durationS = Number(values.duration);
if (!(rounds >= 1 && rounds <= 20) || rates.some((r) => !(r > 0 && r <= 2000)) || !(durationS >= 2 && durationS <= 600)) {
  process.stderr.write("--rounds 1–20, --rates comma-separated 1–2000, --duration seconds 2–600\n");
  process.exit(2);
}
type Variant = "bare" | "instrumented";
interface LoadResult { requests: number; ok: number; non2xx: number; errors: number; timeouts: number; achievedRps: number; latencyMs: { p50: number; p95: number; p99: number } }
interface Sample { variant: Variant; round: number; rate: number; load: LoadResult; cpuSeconds: number; cpuPerRequestMs: number }

const config = loadConfig(process.env, []);
const tokenizer = Tokenizer.fromFile(readModelConfig(config.modelDir).tokenizerFile);
const dir = mkdtempSync(join(tmpdir(), "miniserve-overhead-"));
const mix = buildRequestMix(tokenizer, { size: 400, seed: 34, model: config.modelName, fixedLength: true });
const mixFile = join(dir, "mix.json");
writeFileSync(mixFile, JSON.stringify(mix));

/** utime + stime of a process from /proc, in seconds: all its threads (HTTP and model worker). */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks; USER_HZ is 100 on Linux
}

async function startServer(variant: Variant): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const devNull = openSync("/dev/null", "w");
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/serve.ts"], {
    env: {
      ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info",
      MINISERVE_OBSERVABILITY: variant === "bare" ? "off" : "on",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "1",
      MINISERVE_TRACE_DIR: join(dir, "traces"),
    },
    stdio: ["ignore", devNull, "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the ${variant} server exited with code ${child.exitCode}`);
    if (await fetch(`${url}/ready`).then((r) => r.ok, () => false)) return { child, url };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGKILL");
  throw new Error(`the ${variant} server was not ready within 60 s`);
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}

function runLoad(url: string, rate: number, seconds: number): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/load-child.ts", JSON.stringify({ url, rate, durationS: seconds, connections: Number(values.connections), mixFile })], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load child exited ${code}`))));
  });
}

/** Scrape /metrics as Prometheus would (plain text), timed from the client: median of 30. */
async function scrapeCost(url: string): Promise<{ medianMs: number; series: number }> {
  const times: number[] = [];
  let series = 0;
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const body = await (await fetch(`${url}/metrics`)).text();
    times.push(performance.now() - t0);
    series = body.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
  }
  return { medianMs: median(times), series };
}

const samples: Sample[] = [];
const scrapes: { medianMs: number; series: number }[] = [];
for (let round = 1; round <= rounds; round++) {
  // Alternate which variant goes first, so drift on a noisy machine hits both alike.
  const order: Variant[] = round % 2 === 1 ? ["bare", "instrumented"] : ["instrumented", "bare"];
  for (const variant of order) {
    process.stderr.write(`round ${round}/${rounds}: ${variant}…\n`);
    const { child, url } = await startServer(variant);
    await runLoad(url, rates[0]!, 3); // warm-up: JIT, model caches
    for (const rate of rates) {
      const before = cpuOf(child.pid!);
      const load = await runLoad(url, rate, durationS);
      const cpuSeconds = cpuOf(child.pid!) - before;
      samples.push({ variant, round, rate, load, cpuSeconds, cpuPerRequestMs: (cpuSeconds / Math.max(1, load.ok)) * 1000 });
    }
    if (variant === "instrumented") scrapes.push(await scrapeCost(url));
    await stopServer(child);
  }
}
rmSync(dir, { recursive: true, force: true });

const pick = (variant: Variant, rate: number) => samples.filter((s) => s.variant === variant && s.rate === rate);
const med = (xs: Sample[], f: (s: Sample) => number) => median(xs.map(f));
/** The highest offered rate a variant sustained in a round: every request 2xx and p95 under 1 s. */
const sustained = (variant: Variant, round: number): number =>
  Math.max(0, ...samples.filter((s) => s.variant === variant && s.round === round && s.load.ok === s.load.requests && s.load.errors === 0 && s.load.latencyMs.p95 < 1000).map((s) => s.rate));
const sustainedBare = median(Array.from({ length: rounds }, (_, i) => sustained("bare", i + 1)));
const sustainedInst = median(Array.from({ length: rounds }, (_, i) => sustained("instrumented", i + 1)));
const f2 = (n: number) => n.toFixed(2);
const f3 = (n: number) => n.toFixed(3);

const rows = rates.map((rate) => {
  const b = pick("bare", rate);
  const i = pick("instrumented", rate);
  const bRps = med(b, (s) => s.load.achievedRps);
  const iRps = med(i, (s) => s.load.achievedRps);
  const bCpu = med(b, (s) => s.cpuPerRequestMs);
  const iCpu = med(i, (s) => s.cpuPerRequestMs);
  return `| ${rate} | ${f2(bRps)} | ${f2(iRps)} | **${f3(iRps / bRps)}** | ${Math.round(med(b, (s) => s.load.latencyMs.p95))} | ${Math.round(med(i, (s) => s.load.latencyMs.p95))} | ${f2(bCpu)} | ${f2(iCpu)} | ${f3(iCpu / bCpu)} |`;
});
const info = describeMix(mix);
const scrapeMs = median(scrapes.map((s) => s.medianMs));
const series = Math.max(...scrapes.map((s) => s.series));
const md = [
  "# Observability overhead",
  "",
  `Bare miniserve (\`MINISERVE_OBSERVABILITY=off\`) against the same server instrumented (100 % of traces kept and exported to the local JSONL store, JSON logs at info to /dev/null, all metrics, per-request cost), each a separate \`src/cli/serve.ts\` process, the load generator (\`bench/load-child.ts\`) a third process. ${rounds} rounds, bare and instrumented alternating (the order flips every round), ${durationS} s per rate, medians over rounds.`,
  "",
  `Model ${modelMarkdown(modelIdentity(config))}. Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${config.kvSlots} KV slots, onnxruntime threads ${config.ortThreads}. Mix: ${info.requests} fixed-length requests (seed 34), mean prompt ${info.meanPromptTokens.toFixed(1)} tokens, mean max_tokens ${info.meanMaxTokens.toFixed(1)}, ${Math.round(info.streamShare * 100)} % streamed, ${Math.round(info.retrievalShare * 100)} % with retrieval.`,
  "",
  "Reproduce: `npm run bench:overhead -- " + `--rounds ${rounds} --rates ${rates.join(",")} --duration ${durationS} --out bench/overhead.md` + "`",
  "",
  "## Throughput and CPU at each offered rate (medians over rounds)",
  "",
  "| offered req/s | bare req/s | instrumented req/s | throughput ratio | bare p95 ms | instr. p95 ms | bare CPU ms/req | instr. CPU ms/req | CPU ratio |",
  "|---|---|---|---|---|---|---|---|---|",
  ...rows,
  "",
  "CPU is utime + stime of the server process from `/proc/<pid>/stat` (HTTP thread and model worker together) over the load window, divided by the requests answered 2xx.",
  "",
  "## Summary",
  "",
  `- Highest offered rate sustained with p95 < 1 s and no errors (median over rounds): bare **${sustainedBare} req/s**, instrumented **${sustainedInst} req/s** → ratio **${sustainedBare > 0 ? f3(sustainedInst / sustainedBare) : "n/a"}** (goal ≥ 0.97).`,
  `- Throughput ratio at the highest offered rate (${rates.at(-1)} req/s): **${f3(med(pick("instrumented", rates.at(-1)!), (s) => s.load.achievedRps) / med(pick("bare", rates.at(-1)!), (s) => s.load.achievedRps))}**.`,
  `- CPU per request at the highest rate: bare ${f2(med(pick("bare", rates.at(-1)!), (s) => s.cpuPerRequestMs))} ms, instrumented ${f2(med(pick("instrumented", rates.at(-1)!), (s) => s.cpuPerRequestMs))} ms.`,
  `- \`/metrics\` scrape after the load: median **${f2(scrapeMs)} ms** (goal ≤ 5 ms, client-side, plain text) at **${series} series** (goal ≤ 300).`,
  "",
  "The machine is shared and noisy: read the ratios and medians, not single runs.",
  "",
];
if (values.out) writeFileSync(values.out, md.join("\n"));
process.stdout.write(md.join("\n"));
