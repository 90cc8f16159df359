// Test helper: a real instrumented miniserve (child process, tracing started first as in
// `npm run serve`) scraped by a real native Prometheus on free ports (every second unless told), plus real load.
import { after, before } from "node:test";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prometheusArgs } from "../../src/stack/native.ts";
import { REPO_ROOT } from "../../src/stack/paths.ts";
import { waitReady } from "../../src/stack/probe.ts";
import { freePort, tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";

export interface LiveStack {
  readonly miniserveUrl: string;
  readonly prometheusUrl: string;
  readonly traceDir: string;
  /** Output of both children, for failure messages. */
  readonly logs: () => string;
  stop(): Promise<void>;
}

async function stopChild(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  await exited;
  clearTimeout(timer);
}

/** Starts miniserve and Prometheus under `dir`; both are stopped by stop(). */
export async function startLiveStack(dir: string, prometheusBinary: string, scrapeSeconds = 1): Promise<LiveStack> {
  const out: string[] = [];
  const [servePort, promPort] = [await freePort(), await freePort()];
  const traceDir = join(dir, "traces");
  const serve = spawn(process.execPath, ["--import", "tsx", "src/cli/serve.ts"], {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(servePort), HOST: "127.0.0.1", MINISERVE_TRACE_DIR: traceDir, LOG_LEVEL: "warn", OTEL_EXPORTER_OTLP_ENDPOINT: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  serve.stdout!.on("data", (b: Buffer) => out.push(`[serve] ${b}`));
  serve.stderr!.on("data", (b: Buffer) => out.push(`[serve] ${b}`));

  // The native stack's own arguments, with a config that scrapes this miniserve every scrapeSeconds.
  mkdirSync(join(dir, "prometheus"), { recursive: true });
  const config = join(dir, "prometheus.yml");
  writeFileSync(config, [
    "global:", `  scrape_interval: ${scrapeSeconds}s`, `  scrape_timeout: ${Math.max(1, scrapeSeconds - 1)}s`, `  evaluation_interval: ${scrapeSeconds}s`,
    "scrape_configs:", "  - job_name: miniserve", "    metrics_path: /metrics",
    "    static_configs:", `      - targets: ["127.0.0.1:${servePort}"]`, "",
  ].join("\n"));
  const args = prometheusArgs(promPort, join(dir, "prometheus")).map((a) => (a.startsWith("--config.file=") ? `--config.file=${config}` : a));
  const prom = spawn(prometheusBinary, args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  prom.stderr!.on("data", (b: Buffer) => out.push(`[prometheus] ${b}`));

  const stack: LiveStack = {
    miniserveUrl: `http://127.0.0.1:${servePort}`,
    prometheusUrl: `http://127.0.0.1:${promPort}`,
    traceDir,
    logs: () => out.join("").slice(-4000),
    stop: async () => {
      await Promise.all([stopChild(serve), stopChild(prom)]);
    },
  };
  const [ms, pr] = await Promise.all([waitReady(`${stack.miniserveUrl}/ready`, 90_000), waitReady(`${stack.prometheusUrl}/-/ready`, 30_000)]);
  if (!ms.ok || !pr.ok) {
    await stack.stop();
    throw new Error(`live stack not ready (miniserve ${ms.detail}, prometheus ${pr.detail}):\n${stack.logs()}`);
  }
  return stack;
}

/**
 * A live stack for one test file: started in before(), stopped in after(). `skip` is the test's skip
 * option (Prometheus missing); `stack()` returns the running stack inside a test.
 */
export function useLiveStack(name: string): { readonly skip: string | false; stack: () => LiveStack } {
  const prom = requireTool("prometheus");
  const data = tempDir(name);
  let running: LiveStack | null = null;
  before(async () => {
    if (!prom.skip) running = await startLiveStack(data.dir, prom.path!);
  });
  after(async () => {
    await running?.stop();
    data.cleanup();
  });
  return { skip: prom.skip, stack: () => running! };
}

const BODIES = [
  { model: "miniserve-tiny", prompt: "The scheduler admits a request when", max_tokens: 24, seed: 1 },
  { model: "miniserve-tiny", prompt: "How are KV slots freed?", max_tokens: 16, retrieval: { top_k: 2 }, seed: 2 },
  { model: "miniserve-tiny", prompt: "A histogram bucket", max_tokens: 20, stream: true, seed: 3 },
];

/** Sends real requests from `workers` loops for `seconds`; a few 4xx among them. Returns counts. */
export async function sendLoad(baseUrl: string, seconds: number, workers = 4): Promise<{ ok: number; failed: number }> {
  const deadline = Date.now() + seconds * 1000;
  let ok = 0;
  let failed = 0;
  let n = 0;
  const loop = async (): Promise<void> => {
    while (Date.now() < deadline) {
      const i = n++;
      const body = i % 17 === 16 ? { model: "miniserve-tiny", prompt: 42 } : BODIES[i % BODIES.length];
      try {
        const res = await fetch(`${baseUrl}/v1/completions`, {
          method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000),
        });
        await res.text();
        if (res.ok) ok++;
        else failed++;
      } catch {
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: workers }, loop));
  return { ok, failed };
}
