// What the overhead benchmarks share: miniserve as its own `src/cli/serve.ts` process with a given
// environment, the load generator as a third process (bench/load-child.ts), and the server's CPU
// time read from /proc. Used by bench/overhead.ts and bench/overhead-profile.ts.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { openSync, readFileSync } from "node:fs";
import { freePort } from "../src/labs/lab-server.ts";

export interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  achievedRps: number;
  latencyMs: { p50: number; p95: number; p99: number };
}

export interface BenchServer {
  readonly child: ChildProcess;
  readonly url: string;
}

/** utime + stime of a process from /proc, in seconds: all its threads (HTTP and model worker). */
export function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks; USER_HZ is 100 on Linux
}

/** Starts a server with `env` over the parent's, logs to /dev/null, and waits for /ready. */
export async function startBenchServer(env: Record<string, string>, nodeArgs: readonly string[] = []): Promise<BenchServer> {
  const port = await freePort();
  const devNull = openSync("/dev/null", "w");
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", "src/cli/serve.ts"], {
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", devNull, "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with code ${child.exitCode}`);
    if (await fetch(`${url}/ready`).then((r) => r.ok, () => false)) return { child, url };
    await new Promise((r) => setTimeout(r, 200));
  }
  child.kill("SIGKILL");
  throw new Error("the server was not ready within 60 s");
}

export async function stopBenchServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  await exited;
  clearTimeout(timer);
}

/** The mix at `rate` requests/s (0: closed loop on `connections`) for `seconds`, from its own process. */
export function runLoad(url: string, rate: number, seconds: number, connections: number, mixFile: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "bench/load-child.ts", JSON.stringify({ url, rate, durationS: seconds, connections, mixFile })], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load child exited ${code}`))));
  });
}
