// `npm run loadtest -- --rate 100 --duration 300 …`: the request mix at a fixed rate against a
// running miniserve, with a progress bar; writes experiments/34-load-test/<run-id>/ (lab 03).
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import cliProgress from "cli-progress";
import { MiniserveError } from "../errors/codes.ts";
import { DEFAULT_OUT_DIR, recordLoadTest } from "../loadtest/record.ts";
import type { RecordOptions } from "../loadtest/record.ts";
import { loopbackTarget } from "../loadtest/target.ts";
import { exitWithError } from "./cli-errors.ts";

export const LOADTEST_USAGE = `usage: npm run loadtest -- --rate N --duration S [options]

  --rate N               requests per second over all connections, 1–5000 (0 = closed loop)
  --duration S           seconds of load, 1–3600
  --connections N        connections in the pool, 1–2000 (default 400): the most requests in flight
  --url URL              miniserve base URL, loopback only (default http://127.0.0.1:8000)
  --prometheus URL|none  where to read the server's metrics (default http://127.0.0.1:9090)
  --out DIR              parent folder of the run folder (default experiments/34-load-test)
  --seed N               seed of the request mix (default 34)
  --mix-size N           distinct requests in the mix, cycled (default 400)
  --fixed-length         generate every reply to max_tokens (known work per request)
  --timeout S            per-request timeout (default 30)
  --grace S              how long requests in flight may finish after the duration (default 30)
  --render-dashboard     render the dashboard image into the run folder afterwards`;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Parses argv into record options; throws MSV_ERR_LOADTEST_USAGE on anything unexpected. */
export function parseLoadtestArgs(argv: readonly string[]): RecordOptions | "help" {
  const usage = (why: string): never => {
    throw new MiniserveError("MSV_ERR_LOADTEST_USAGE", why);
  };
  const o: Partial<Mutable<RecordOptions>> = {};
  const number = (flag: string, v: string, min: number, max: number, integer = false): number => {
    const n = Number(v);
    if (v.trim() === "" || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) usage(`${flag} must be ${integer ? "an integer" : "a number"} from ${min} to ${max} (got "${v}")`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "-h" || arg === "--help") return "help";
    if (arg === "--fixed-length") { o.fixedLength = true; continue; }
    if (arg === "--render-dashboard") { o.renderDashboard = true; continue; }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!flag.startsWith("--")) usage(`unexpected argument "${arg}"`);
    const known = ["--rate", "--duration", "--connections", "--url", "--prometheus", "--out", "--seed", "--mix-size", "--timeout", "--grace"];
    if (!known.includes(flag)) usage(`unknown option ${flag}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === "" || (eq === -1 && value.startsWith("--"))) usage(`${flag} needs a value`);
    const v = value as string;
    switch (flag) {
      case "--rate": o.rate = number(flag, v, 0, 5000); break;
      case "--duration": o.durationS = number(flag, v, 1, 3600); break;
      case "--connections": o.connections = number(flag, v, 1, 2000, true); break;
      case "--url": loopbackTarget(v); o.url = v.replace(/\/+$/, ""); break;
      case "--prometheus": o.prometheusUrl = v === "none" ? null : v.replace(/\/+$/, ""); break;
      case "--out": o.outDir = resolve(v); break;
      case "--seed": o.seed = number(flag, v, 0, 2 ** 31, true); break;
      case "--mix-size": o.mixSize = number(flag, v, 1, 10_000, true); break;
      case "--timeout": o.timeoutS = number(flag, v, 1, 600); break;
      case "--grace": o.graceS = number(flag, v, 0, 600); break;
    }
  }
  if (o.rate === undefined) usage("--rate is required");
  if (o.durationS === undefined) usage("--duration is required");
  return {
    url: o.url ?? "http://127.0.0.1:8000", rate: o.rate!, durationS: o.durationS!, connections: o.connections ?? 400,
    prometheusUrl: o.prometheusUrl === undefined ? "http://127.0.0.1:9090" : o.prometheusUrl,
    outDir: o.outDir ?? DEFAULT_OUT_DIR, seed: o.seed ?? 34, mixSize: o.mixSize ?? 400, fixedLength: o.fixedLength ?? false,
    ...(o.timeoutS !== undefined ? { timeoutS: o.timeoutS } : {}), ...(o.graceS !== undefined ? { graceS: o.graceS } : {}),
    renderDashboard: o.renderDashboard ?? false,
  };
}

async function main(argv: readonly string[]): Promise<void> {
  let parsed: RecordOptions | "help";
  try {
    parsed = parseLoadtestArgs(argv);
  } catch (err) {
    process.stderr.write(`${LOADTEST_USAGE}\n\n`);
    exitWithError(err, 2);
  }
  if (parsed === "help") {
    process.stdout.write(`${LOADTEST_USAGE}\n`);
    return;
  }
  const opts = parsed;
  const controller = new AbortController();
  // First Ctrl-C stops the load and still writes what was measured; a second one exits at once.
  process.once("SIGINT", () => {
    process.stderr.write("\nstopping early (Ctrl-C again to quit without results)…\n");
    controller.abort();
    process.once("SIGINT", () => process.exit(130));
  });
  const bar = new cliProgress.SingleBar({
    format: "{bar} {elapsed}/{total} s | sent {sent} | answered {completed} | errors {errors} | {rps} req/s | p95 {p95} ms {state}",
    hideCursor: true, clearOnComplete: false, stopOnComplete: false,
  }, cliProgress.Presets.shades_classic);
  const interactive = process.stderr.isTTY === true;
  if (interactive) bar.start(Math.ceil(opts.durationS), 0, { elapsed: 0, sent: 0, completed: 0, errors: 0, rps: "0", p95: "–", state: "" });
  let lastLine = 0;
  const run = await recordLoadTest({ ...opts, signal: controller.signal }, {
    onProgress: (p) => {
      const payload = { elapsed: Math.floor(p.elapsedS), sent: p.sent, completed: p.completed, errors: p.errors, rps: p.currentRps.toFixed(0), p95: p.p95Ms === null ? "–" : p.p95Ms.toFixed(0), state: p.draining ? "(draining)" : "" };
      if (interactive) bar.update(Math.min(opts.durationS, Math.floor(p.elapsedS)), payload);
      else if (p.elapsedS - lastLine >= 10) {
        // No terminal (CI, a pipe): one plain line every 10 s instead of a redrawn bar.
        lastLine = p.elapsedS;
        process.stderr.write(`${payload.elapsed}/${opts.durationS} s sent ${p.sent} answered ${p.completed} errors ${p.errors} ${payload.rps} req/s p95 ${payload.p95} ms\n`);
      }
    },
    onStatus: (line) => process.stderr.write(`${line}\n`),
  }).finally(() => { if (interactive) bar.stop(); });
  const c = run.results.client;
  process.stdout.write(`\n${c.counts.sent} sent, ${c.counts.ok} ok, ${c.counts.non2xx + c.counts.timeouts + c.counts.connectionErrors} errors, ${c.achievedRps.toFixed(1)} req/s, p50 ${c.latencyMs.p50 ?? "–"} ms, p95 ${c.latencyMs.p95 ?? "–"} ms, p99 ${c.latencyMs.p99 ?? "–"} ms\n`);
  if (run.server === null) process.stdout.write(`server metrics missing: Prometheus was not read (start it with \`npm run stack -- up\`)\n`);
  process.stdout.write(`results: ${run.dir}/results.json\nsummary: ${run.dir}/summary.md\n`);
}

// Run only as a command, so tests can import parseLoadtestArgs.
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await main(process.argv.slice(2)).catch((err) => exitWithError(err));
}
