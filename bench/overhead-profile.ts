// Where the instrumented server's extra CPU goes: the bare and the instrumented server each run the
// same load under V8's CPU profiler (--cpu-prof), and their HTTP threads' self time is summed by
// where the code lives (our modules, each package, node's core, GC), per request answered.
// Usage: npm run bench:overhead-profile [-- --rate 200 --duration 15 --out bench/overhead-profile.md]
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../src/config/index.ts";
import { Tokenizer, readModelConfig } from "../src/engine/index.ts";
import { buildRequestMix } from "../src/loadtest/request-mix.ts";
import { runLoad, startBenchServer, stopBenchServer } from "./bench-server.ts";
import { modelIdentity, modelMarkdown } from "./model-identity.ts";

const { values } = parseArgs({ options: { rate: { type: "string", default: "200" }, duration: { type: "string", default: "15" }, out: { type: "string" } } });
const rate = Number(values.rate);
const durationS = Number(values.duration);
if (!(rate > 0 && rate <= 2000) || !(durationS >= 3 && durationS <= 300)) {
  process.stderr.write("--rate 1–2000, --duration seconds 3–300\n");
  process.exit(2);
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string }; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** Where a function's code lives, coarse enough to read: a package, one of our folders, node, the VM. */
export function categoryOf(frame: { functionName: string; url: string }): string {
  const url = frame.url;
  if (url === "") {
    const f = frame.functionName;
    if (f === "(garbage collector)") return "garbage collection";
    if (f === "(idle)") return "(idle)";
    if (f === "(program)") return "V8 itself (compiling, runtime)";
    if (/^write(v|String|Buffer|Utf8String|Latin1String)?$/.test(f) || f === "writev") return "writes to sockets and files (native)";
    return "other native functions (crypto, JSON, …)";
  }
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) {
    if (pkg.startsWith("@opentelemetry/") || pkg === "@fastify/otel") return "OpenTelemetry (packages)";
    if (["fastify", "find-my-way", "avvio", "light-my-request", "fast-json-stringify", "@fastify/error", "secure-json-parse", "fast-querystring"].includes(pkg)) return "fastify";
    if (pkg === "pino" || pkg.startsWith("pino-") || pkg === "sonic-boom" || pkg === "thread-stream" || pkg === "fast-redact") return "pino";
    if (pkg === "prom-client" || pkg === "tdigest" || pkg === "bintrees") return "prom-client";
    if (pkg === "tsx" || pkg === "esbuild" || pkg === "get-tsconfig") return "tsx (module loading)";
    return `other packages (${pkg} …)`;
  }
  const src = /\/src\/([^/]+)\//.exec(url)?.[1];
  if (src) return `src/${src}`;
  if (url.startsWith("node:")) return "node core (http, streams, timers)";
  return "other";
}

/** Self time per category of one profile, in ms. */
function selfTime(profile: CpuProfile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const c = categoryOf(node.callFrame);
    out.set(c, (out.get(c) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

const config = loadConfig(process.env, []);
const tokenizer = Tokenizer.fromFile(readModelConfig(config.modelDir).tokenizerFile);
const dir = mkdtempSync(join(tmpdir(), "miniserve-profile-"));
const mixFile = join(dir, "mix.json");
writeFileSync(mixFile, JSON.stringify(buildRequestMix(tokenizer, { size: 400, seed: 34, model: config.modelName, fixedLength: true })));

const variants = { bare: { MINISERVE_OBSERVABILITY: "off" }, instrumented: { MINISERVE_OBSERVABILITY: "on", MINISERVE_TRACE_DIR: join(dir, "traces") } } as const;
const results: Record<string, { perRequest: Map<string, number>; ok: number }> = {};
for (const [name, env] of Object.entries(variants)) {
  const profDir = join(dir, `prof-${name}`);
  process.stderr.write(`${name}: ${durationS} s at ${rate} req/s under --cpu-prof…\n`);
  const server = await startBenchServer(env, ["--cpu-prof", "--cpu-prof-dir", profDir]);
  await runLoad(server.url, rate, 3, 400, mixFile); // warm-up: JIT, model caches
  const load = await runLoad(server.url, rate, durationS, 400, mixFile);
  await stopBenchServer(server.child);
  // The main (HTTP) thread's profile is the one named after the process alone: "CPU.<date>.<time>.<pid>.0.<seq>".
  const files = readdirSync(profDir).filter((f) => f.endsWith(".cpuprofile"));
  const main = files.find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f)) ?? files[0];
  if (!main) throw new Error(`no CPU profile was written for the ${name} server`);
  const totals = selfTime(JSON.parse(readFileSync(join(profDir, main), "utf8")) as CpuProfile);
  totals.delete("(idle)");
  // The profile covers warm-up and shutdown too; the load's share is what matters, so scale to it.
  results[name] = { perRequest: new Map([...totals].map(([k, ms]) => [k, ms / Math.max(1, load.ok + rate * 3)])), ok: load.ok };
}
rmSync(dir, { recursive: true, force: true });

const categories = [...new Set([...results["bare"]!.perRequest.keys(), ...results["instrumented"]!.perRequest.keys()])];
const row = (c: string) => {
  const b = results["bare"]!.perRequest.get(c) ?? 0;
  const i = results["instrumented"]!.perRequest.get(c) ?? 0;
  return { c, b, i, d: i - b };
};
const rows = categories.map(row).sort((x, y) => y.d - x.d).filter((r) => r.b >= 0.005 || r.i >= 0.005);
const sum = (f: (r: ReturnType<typeof row>) => number) => rows.reduce((a, r) => a + f(r), 0);
const f3 = (n: number) => n.toFixed(3);
const md = [
  "# Where the instrumented server's CPU goes",
  "",
  `The bare server (\`MINISERVE_OBSERVABILITY=off\`) and the instrumented one (100 % of traces to the local store, logs at info to /dev/null, all metrics, cost) each ran the fixed-length mix at ${rate} req/s for ${durationS} s after a 3 s warm-up, under V8's CPU profiler (\`--cpu-prof\`). The table sums the HTTP thread's self time by where the running code lives, per request answered (warm-up included in the count); the model worker thread runs the same engine in both and is left out. Sampling profilers attribute time approximately: read the differences that are large next to their rows.`,
  "",
  `Model ${modelMarkdown(modelIdentity(config))}. Machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}.`,
  "",
  "Reproduce: `npm run bench:overhead-profile -- " + `--rate ${rate} --duration ${durationS} --out bench/overhead-profile.md` + "`",
  "",
  "| where the code lives | bare ms/request | instrumented ms/request | difference |",
  "|---|---|---|---|",
  ...rows.map((r) => `| ${r.c} | ${f3(r.b)} | ${f3(r.i)} | ${r.d >= 0 ? "+" : ""}${f3(r.d)} |`),
  `| **HTTP thread, all** | **${f3(sum((r) => r.b))}** | **${f3(sum((r) => r.i))}** | **+${f3(sum((r) => r.d))}** |`,
  "",
];
if (values.out) writeFileSync(values.out, md.join("\n"));
process.stdout.write(md.join("\n"));
