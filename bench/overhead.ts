// Overhead benchmark, measured where observing can cost something: at and beyond the knee. The bare
// server (MINISERVE_OBSERVABILITY=off) against the instrumented one at 100 %, 10 % and 0 % of traces
// kept: each variant's knee on a ladder of offered rates, its throughput when saturated (closed loop),
// and its CPU per request there and at a rate below the knee. Variants take turns within each round.
// Usage: npm run bench:overhead [-- --rounds 3 --rates 200,250,300,350,400,450 --duration 8 --out bench/overhead.md]
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/index.ts";
import { Tokenizer, readModelConfig } from "../src/engine/index.ts";
import { buildRequestMix, describeMix } from "../src/loadtest/request-mix.ts";
import { cpuOf, runLoad, startBenchServer, stopBenchServer } from "./bench-server.ts";
import type { LoadResult } from "./bench-server.ts";
import { modelIdentity, modelMarkdown } from "./model-identity.ts";
import { median } from "./stats.ts";

const { values } = parseArgs({
  options: {
    rounds: { type: "string", default: "3" },
    rates: { type: "string", default: "200,250,300,350,400,450" },
    duration: { type: "string", default: "8" },
    "saturation-connections": { type: "string", default: "256" },
    out: { type: "string" },
  },
});
const rounds = Number(values.rounds);
const rates = values.rates.split(",").map(Number).sort((a, b) => a - b);
const durationS = Number(values.duration);
const satConnections = Number(values["saturation-connections"]);
if (!(rounds >= 1 && rounds <= 20) || rates.some((r) => !(r > 0 && r <= 2000)) || !(durationS >= 2 && durationS <= 600) || !(satConnections >= 1 && satConnections <= 1000)) {
  process.stderr.write("--rounds 1–20, --rates comma-separated 1–2000, --duration seconds 2–600, --saturation-connections 1–1000\n");
  process.exit(2);
}

const VARIANTS = [
  { name: "bare", label: "bare (observability off)", env: { MINISERVE_OBSERVABILITY: "off" } },
  { name: "traced-100", label: "instrumented, 100 % of traces", env: { MINISERVE_OBSERVABILITY: "on" } },
  { name: "traced-10", label: "instrumented, 10 % of traces (head sampling)", env: { MINISERVE_OBSERVABILITY: "on", MINISERVE_TRACE_POLICY: "head", OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" } },
  { name: "traced-0", label: "instrumented, no traces kept (head sampling at 0)", env: { MINISERVE_OBSERVABILITY: "on", MINISERVE_TRACE_POLICY: "head", OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0" } },
] as const;
type VariantName = (typeof VARIANTS)[number]["name"];

interface Window { load: LoadResult; cpuPerRequestMs: number }
interface Round { knee: number; ladder: Map<number, Window>; saturation: Window }

const config = loadConfig(process.env, []);
const tokenizer = Tokenizer.fromFile(readModelConfig(config.modelDir).tokenizerFile);
const dir = mkdtempSync(join(tmpdir(), "miniserve-overhead-"));
const mix = buildRequestMix(tokenizer, { size: 400, seed: 34, model: config.modelName, fixedLength: true });
const mixFile = join(dir, "mix.json");
writeFileSync(mixFile, JSON.stringify(mix));

/** A rate was carried: ≥ 98 % of it answered OK, p95 under 1 s, no errors. */
const carried = (rate: number, l: LoadResult): boolean => l.errors === 0 && l.non2xx === 0 && l.achievedRps >= 0.98 * rate && l.latencyMs.p95 < 1000;

async function measure(pid: number, url: string, rate: number, connections: number): Promise<Window> {
  const before = cpuOf(pid);
  const load = await runLoad(url, rate, durationS, connections, mixFile);
  return { load, cpuPerRequestMs: ((cpuOf(pid) - before) / Math.max(1, load.ok)) * 1000 };
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

const results = new Map<VariantName, Round[]>(VARIANTS.map((v) => [v.name, []]));
const scrapes: { medianMs: number; series: number }[] = [];
for (let round = 1; round <= rounds; round++) {
  // Rotate the order every round, so drift on a noisy machine falls on every variant alike.
  const order = VARIANTS.map((_, i) => VARIANTS[(i + round - 1) % VARIANTS.length]!);
  for (const v of order) {
    process.stderr.write(`round ${round}/${rounds}: ${v.name}…\n`);
    const { child, url } = await startBenchServer({ ...v.env, MINISERVE_TRACE_DIR: join(dir, `traces-${v.name}`) });
    await runLoad(url, rates[0]!, 3, 400, mixFile); // warm-up: JIT, model caches
    const ladder = new Map<number, Window>();
    let knee = 0;
    let misses = 0;
    for (const rate of rates) {
      const w = await measure(child.pid!, url, rate, 400);
      ladder.set(rate, w);
      if (carried(rate, w.load)) knee = rate;
      else if (++misses >= 2) break; // two rates missed: the knee is behind us
    }
    const saturation = await measure(child.pid!, url, 0, satConnections);
    results.get(v.name)!.push({ knee, ladder, saturation });
    if (v.name === "traced-100") scrapes.push(await scrapeCost(url));
    await stopBenchServer(child);
  }
}
rmSync(dir, { recursive: true, force: true });

const bare = results.get("bare")!;
/** Median over rounds of a per-round ratio variant/bare: paired within a round, so drift cancels. */
const pairedRatio = (name: VariantName, f: (r: Round) => number | undefined): number =>
  median(results.get(name)!.map((r, i) => (f(r) ?? Number.NaN) / (f(bare[i]!) ?? Number.NaN)).filter(Number.isFinite));
const med = (name: VariantName, f: (r: Round) => number | undefined) => median(results.get(name)!.map(f).filter((x): x is number => x !== undefined && Number.isFinite(x)));
const low = rates[0]!;
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : "–");
const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : "–");
const pct = (ratio: number) => (Number.isFinite(ratio) ? `${ratio >= 1 ? "+" : "−"}${Math.abs((ratio - 1) * 100).toFixed(1)} %` : "–");

const table = VARIANTS.map((v) => {
  const knees = results.get(v.name)!.map((r) => r.knee);
  const sat = med(v.name, (r) => r.saturation.load.achievedRps);
  const satCpu = med(v.name, (r) => r.saturation.cpuPerRequestMs);
  const lowCpu = med(v.name, (r) => r.ladder.get(low)?.cpuPerRequestMs);
  const lowP95 = med(v.name, (r) => r.ladder.get(low)?.load.latencyMs.p95);
  const ratio = v.name === "bare" ? "1" : f3(pairedRatio(v.name, (r) => r.saturation.load.achievedRps));
  const cpuRatio = v.name === "bare" ? "–" : pct(pairedRatio(v.name, (r) => r.saturation.cpuPerRequestMs));
  const lowRatio = v.name === "bare" ? "–" : pct(pairedRatio(v.name, (r) => r.ladder.get(low)?.cpuPerRequestMs));
  return `| ${v.label} | **${median(knees)}** (${knees.join(", ")}) | ${f2(sat)} | **${ratio}** | ${f2(satCpu)} | **${cpuRatio}** | ${f2(lowCpu)} | ${lowRatio} | ${Math.round(lowP95)} |`;
});
const ladderRows = VARIANTS.flatMap((v) => rates.map((rate) => {
  const ws = results.get(v.name)!.map((r) => r.ladder.get(rate)).filter((w): w is Window => w !== undefined);
  if (ws.length === 0) return null;
  const ok = ws.filter((w) => carried(rate, w.load)).length;
  return `| ${v.name} | ${rate} | ${f2(median(ws.map((w) => w.load.achievedRps)))} | ${Math.round(median(ws.map((w) => w.load.latencyMs.p95)))} | ${f2(median(ws.map((w) => w.cpuPerRequestMs)))} | ${ok}/${ws.length} |`;
}).filter((r): r is string => r !== null));

const info = describeMix(mix);
const t100 = pairedRatio("traced-100", (r) => r.saturation.load.achievedRps);
const c100 = pairedRatio("traced-100", (r) => r.saturation.cpuPerRequestMs);
const md = [
  "# Observability overhead",
  "",
  `The bare server (\`MINISERVE_OBSERVABILITY=off\`) against the same server instrumented — all metrics, per-request cost, JSON logs at info to /dev/null, and traces to the local JSONL store at 100 % (the default tail policy, ratio 1), 10 % or 0 % (head sampling) — each a separate \`src/cli/serve.ts\` process, the load generator (\`bench/load-child.ts\`) a third. ${rounds} rounds; within a round the four variants take turns in an order that rotates every round. Each variant climbs a ladder of offered rates (${durationS} s each, stopping after two missed rates) and then runs saturated: a closed loop of ${satConnections} connections for ${durationS} s. Ratios are paired within a round (variant ÷ bare of the same round), then the median over rounds.`,
  "",
  `Model ${modelMarkdown(modelIdentity(config))}. Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}; ${config.kvSlots} KV slots, onnxruntime threads ${config.ortThreads}. Mix: ${info.requests} fixed-length requests (seed 34), mean prompt ${info.meanPromptTokens.toFixed(1)} tokens, mean max_tokens ${info.meanMaxTokens.toFixed(1)}, ${Math.round(info.streamShare * 100)} % streamed, ${Math.round(info.retrievalShare * 100)} % with retrieval.`,
  "",
  "Reproduce: `npm run bench:overhead -- " + `--rounds ${rounds} --rates ${rates.join(",")} --duration ${durationS} --out bench/overhead.md` + "`",
  "",
  "## Knee, saturation and CPU per request (medians over rounds)",
  "",
  `| variant | knee req/s (each round) | saturated req/s | saturated ÷ bare | CPU ms/req saturated | vs bare | CPU ms/req at ${low} req/s | vs bare | p95 ms at ${low} req/s |`,
  "|---|---|---|---|---|---|---|---|---|",
  ...table,
  "",
  `The knee is the highest offered rate answered at ≥ 98 % with p95 < 1 s and no errors (0: the lowest rate already missed). CPU is utime + stime of the server process from \`/proc/<pid>/stat\` (HTTP thread and model worker together) over the window, divided by the requests answered 2xx. ${low} req/s is below every knee, so its CPU per request compares equal work.`,
  "",
  "## Summary",
  "",
  `- With 100 % of traces kept, saturated throughput is **${f3(t100)}** of bare (goal ≥ 0.98) and CPU per request **${pct(c100)}** (goal ≤ +5 %).`,
  `- \`/metrics\` scrape after the load (100 % variant): median **${f2(median(scrapes.map((s) => s.medianMs)))} ms** client-side, plain text, at **${Math.max(...scrapes.map((s) => s.series))} series**.`,
  `- Knees: bare ${median(bare.map((r) => r.knee))} req/s, 100 % traces ${median(results.get("traced-100")!.map((r) => r.knee))}, 10 % ${median(results.get("traced-10")!.map((r) => r.knee))}, 0 % ${median(results.get("traced-0")!.map((r) => r.knee))} (the ladder's step is ${rates.length > 1 ? rates[1]! - rates[0]! : "–"} req/s; a difference smaller than a step does not show).`,
  "",
  "## Every rate of the ladder (medians over the rounds that reached it)",
  "",
  "| variant | offered req/s | answered req/s | p95 ms | CPU ms/req | rounds carried |",
  "|---|---|---|---|---|---|",
  ...ladderRows,
  "",
  "The machine is shared and noisy: read the paired ratios and medians, not single runs.",
  "",
];
if (values.out) writeFileSync(values.out, md.join("\n"));
process.stdout.write(md.join("\n"));
