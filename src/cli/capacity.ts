// `npm run capacity -- [--from 25 --to 400 --steps 6] [--step-duration 30]`: a ramp of fixed-rate
// steps that finds the knee, set against the predicted one; writes experiments/34-capacity/ (lab 03).
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { MiniserveError, isMiniserveError } from "../errors/codes.ts";
import { Tokenizer } from "../engine/tokenizer.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import { runRamp } from "../loadtest/capacity.ts";
import { predict } from "../loadtest/capacity-model.ts";
import type { CapacityInputs } from "../loadtest/capacity-model.ts";
import { writeCapacityReport } from "../loadtest/capacity-report.ts";
import { percentile } from "../loadtest/client-stats.ts";
import { buildRequestMix, describeMix } from "../loadtest/request-mix.ts";
import { baseUrl, checkReady, loopbackTarget } from "../loadtest/target.ts";
import { exitWithError } from "./cli-errors.ts";

const USAGE = `usage: npm run capacity -- [options]

  --from N            first offered rate, req/s (default 25)
  --to N              last offered rate, req/s (default 400)
  --steps N           number of steps, evenly spaced from --from to --to (default 6)
  --rates A,B,C       explicit rates instead of --from/--to/--steps
  --step-duration S   seconds per step (default 30)
  --connections N     connections in the pool (default 400)
  --slo-ms N          the p95 objective (default 1000)
  --past-knee N       steps to run after the first broken one (default 1)
  --url URL           miniserve base URL, loopback only (default http://127.0.0.1:8000);
                      when nothing answers there, miniserve is started for the ramp and stopped after
  --out DIR           where README.md, capacity.json and the charts go (default experiments/34-capacity)
  --seed N            seed of the request mix (default 34)`;

interface Args { rates: number[]; stepS: number; connections: number; sloMs: number; pastKnee: number; url: string; out: string; seed: number }

export function parseCapacityArgs(argv: readonly string[]): Args | "help" {
  const usage = (why: string): never => { throw new MiniserveError("MSV_ERR_LOADTEST_USAGE", why); };
  const v: Record<string, string> = {};
  const known = ["--from", "--to", "--steps", "--rates", "--step-duration", "--connections", "--slo-ms", "--past-knee", "--url", "--out", "--seed"];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") return "help";
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!known.includes(flag)) usage(`unknown option ${arg}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === "") usage(`${flag} needs a value`);
    v[flag] = value!;
  }
  const num = (flag: string, fallback: number, min: number, max: number) => {
    const n = v[flag] === undefined ? fallback : Number(v[flag]);
    if (!Number.isFinite(n) || n < min || n > max) usage(`${flag} must be a number from ${min} to ${max} (got "${v[flag]}")`);
    return n;
  };
  let rates: number[];
  if (v["--rates"] !== undefined) {
    rates = v["--rates"].split(",").map(Number);
    if (rates.some((r) => !Number.isFinite(r) || r < 1 || r > 5000)) usage(`--rates takes comma-separated rates from 1 to 5000 (got "${v["--rates"]}")`);
  }
  else {
    const from = num("--from", 25, 1, 5000), to = num("--to", 400, from, 5000), steps = Math.round(num("--steps", 6, 1, 50));
    rates = Array.from({ length: steps }, (_, i) => Math.round(steps === 1 ? from : from + ((to - from) * i) / (steps - 1)));
  }
  const url = v["--url"] ?? "http://127.0.0.1:8000";
  loopbackTarget(url);
  return {
    rates, stepS: num("--step-duration", 30, 2, 600), connections: Math.round(num("--connections", 400, 1, 2000)),
    sloMs: num("--slo-ms", 1000, 1, 60_000), pastKnee: Math.round(num("--past-knee", 1, 0, 50)), url: baseUrl(new URL(url)),
    out: resolve(v["--out"] ?? join(REPO_ROOT, "experiments", "34-capacity")), seed: Math.round(num("--seed", 34, 0, 2 ** 31)),
  };
}

/** Use the miniserve already answering at url, or start one (npm run serve) and return it to stop later. */
async function ensureServer(url: string): Promise<ChildProcess | null> {
  try {
    await checkReady(url);
    return null;
  } catch (err) {
    if (!isMiniserveError(err) || err.code !== "MSV_ERR_LOADTEST_UNREACHABLE") throw err;
  }
  const u = new URL(url);
  process.stderr.write(`nothing answers at ${url}: starting miniserve (npm run serve) on port ${u.port || 80}…\n`);
  const child = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "src/cli/serve.ts")], {
    cwd: REPO_ROOT, env: { ...process.env, HOST: u.hostname.replace(/^\[|\]$/g, ""), PORT: u.port || "80", LOG_LEVEL: "warn" }, stdio: ["ignore", "ignore", "inherit"],
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`miniserve exited with code ${child.exitCode} while starting`);
    if (await checkReady(url, 1000).then(() => true, () => false)) return child;
    await new Promise((r) => setTimeout(r, 500));
  }
  child.kill("SIGTERM");
  throw new Error("miniserve did not become ready within 90 s");
}

/** Decode step times and prefill speed of the bare model, as bench:engine measured them. */
function engineCeiling(): Pick<CapacityInputs, "decodeSteps" | "prefillTokensPerS"> {
  const file = join(REPO_ROOT, "bench", "engine-ceiling.json");
  if (!existsSync(file)) throw new Error("bench/engine-ceiling.json is missing: run `npm run bench:engine` first");
  const j = JSON.parse(readFileSync(file, "utf8")) as { prefill: Record<string, number>; decode: Record<string, { stepMs: number }> };
  const decodeSteps = Object.entries(j.decode).map(([b, d]) => ({ batch: Number(b), stepMs: d.stepMs })).filter((d) => d.batch > 0 && d.stepMs > 0);
  const prefill = j.prefill["1x128"] ?? Math.max(...Object.values(j.prefill));
  return { decodeSteps, prefillTokensPerS: prefill };
}

async function main(argv: readonly string[]): Promise<void> {
  let parsed: Args | "help";
  try {
    parsed = parseCapacityArgs(argv);
  } catch (err) {
    process.stderr.write(`${USAGE}\n\n`);
    exitWithError(err, 2);
  }
  if (parsed === "help") return void process.stdout.write(`${USAGE}\n`);
  const a = parsed;
  const ceiling = engineCeiling();
  const child = await ensureServer(a.url);
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  try {
    const ready = await checkReady(a.url);
    const mix = buildRequestMix(Tokenizer.fromFile(join(REPO_ROOT, "model", "tokenizer.json")), { size: 400, seed: a.seed, model: ready.model, fixedLength: true });
    const info = describeMix(mix);
    const live = process.stderr.isTTY === true;
    const steps = await runRamp({
      url: a.url, rates: a.rates, stepS: a.stepS, connections: a.connections, mix, sloMs: a.sloMs, stepsPastKnee: a.pastKnee, signal: controller.signal,
      // A line rewritten in place twice a second suits a terminal; in a log it would pile up into one long line.
      onProgress: live ? (rate, p) => process.stderr.write(`\r${rate} req/s: ${Math.floor(p.elapsedS)}/${p.durationS} s, ${p.completed} answered, ${p.errors} errors, p95 ${p.p95Ms ?? "–"} ms   `) : undefined,
      onStep: (s) => process.stderr.write(`${live ? "\r" : ""}${s.offeredRps} req/s → ${s.achievedRps.toFixed(1)} answered/s, p95 ${s.latencyMs.p95} ms, ${s.errors} errors, queue max ${s.queueDepthMax}, KV max ${s.kvSlotsMax}${s.breaksSlo ? "  (SLO broken)" : ""}\n`),
    });
    if (steps.length === 0) throw new Error("no step ran");
    const first = steps[0]!;
    const measuredPrompt = first.achievedRps > 0 ? first.promptTokensPerS / first.achievedRps : 0;
    const base: CapacityInputs = {
      ...ceiling, kvSlots: ready.slotsTotal, queueCapacity: ready.queueCapacity, sloS: a.sloMs / 1000, serviceFactor: 1,
      // Retrieved passages lengthen the prompt the engine sees: take it from the lightest step when measured.
      promptTokens: measuredPrompt > 0 ? measuredPrompt : info.meanPromptTokens,
      outputTokens: info.meanMaxTokens, outputTokensP95: percentile(mix.map((e) => e.maxTokens), 95),
    };
    const bare = predict(base, first.offeredRps, a.stepS).p95S * 1000;
    const serviceFactor = first.latencyMs.p95 !== null && bare > 0 ? Math.max(1, first.latencyMs.p95 / bare) : 1;
    mkdirSync(a.out, { recursive: true });
    writeCapacityReport(a.out, {
      generatedAt: new Date().toISOString(), command: `npm run capacity -- ${argv.join(" ")}`.trim(), stepS: a.stepS, connections: a.connections, sloMs: a.sloMs,
      model: { name: ready.model, sha256: ready.modelSha256 ?? "" },
      mixLine: `Mix: ${info.requests} requests (seed ${a.seed}, every reply generated to max_tokens), mean prompt ${info.meanPromptTokens.toFixed(1)} tokens before retrieval, mean max_tokens ${info.meanMaxTokens.toFixed(1)}, ${(info.streamShare * 100).toFixed(0)} % streamed, ${(info.retrievalShare * 100).toFixed(0)} % with retrieval.`,
      inputs: { ...base, serviceFactor }, steps,
    });
    process.stdout.write(`report: ${join(a.out, "README.md")}\n`);
  } finally {
    if (child) {
      child.kill("SIGTERM");
      await new Promise((r) => { child.once("exit", r); setTimeout(r, 15_000).unref(); });
    }
  }
}

main(process.argv.slice(2)).catch((err) => exitWithError(err));
