// Test helper: miniserve as `npm run serve` runs it (src/cli/serve.ts starts tracing before it
// imports the server), in a child process on a free loopback port, its JSON log lines collected.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { freePort, tempDir } from "../helpers/free-port.ts";

export interface ObservedChild {
  readonly url: string;
  readonly pid: number;
  readonly traceDir: string;
  /** Every JSON line the server logged so far. */
  readonly logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

export async function spawnObserved(env: Record<string, string> = {}, readyTimeoutMs = 60_000): Promise<ObservedChild> {
  const port = await freePort();
  const tmp = tempDir("miniserve-obs");
  const traceDir = join(tmp.dir, "traces");
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", "src/cli/serve.ts"], {
    env: {
      ...process.env, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", MINISERVE_TRACE_DIR: traceDir,
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "1", ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  let buffer = "";
  let stderr = "";
  child.stdout!.on("data", (d: Buffer) => {
    buffer += d.toString();
    let at: number;
    while ((at = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, at);
      buffer = buffer.slice(at + 1);
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a JSON line (a warning from a dependency): ignore
      }
    }
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exited;
      clearTimeout(timer);
    }
    tmp.cleanup();
  };
  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`the server exited with code ${child.exitCode}: ${stderr.slice(0, 500)}`);
    }
    if (await fetch(`${url}/ready`).then((r) => r.ok, () => false)) return { url, pid: child.pid!, traceDir, logs, stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error(`the server was not ready within ${readyTimeoutMs} ms: ${stderr.slice(0, 500)}`);
}

/** Poll an async condition until it returns a value (bounded). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
