// miniserve for the labs: `src/cli/serve.ts` in a child process (tracing starts before the server
// loads, as in production), its JSON log lines collected. check-lab and the notebooks use it.
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../stack/paths.ts";
import { freePort } from "../stack/index.ts";

export interface LabServer {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly traceDir: string;
  /** Every JSON line the server logged so far (non-JSON lines are dropped). */
  readonly logs: Record<string, unknown>[];
  /** The server's stderr so far: where a crash explains itself. */
  stderr(): string;
  stop(): Promise<void>;
}

export interface LabServerOptions {
  /** 0 (default) picks a free port. */
  readonly port?: number;
  readonly traceDir?: string;
  readonly env?: Record<string, string>;
  readonly readyTimeoutMs?: number;
}

/** A free TCP port on 127.0.0.1 (bound then released). */
export { freePort };

/** True when something answers GET /ready with 200 at this base URL. */
export async function isReady(url: string, timeoutMs = 1500): Promise<boolean> {
  try {
    const res = await fetch(`${url}/ready`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** Starts `npm run serve` (without npm: one process less to stop) and waits for GET /ready. */
export async function startLabServer(opts: LabServerOptions = {}): Promise<LabServer> {
  const port = opts.port && opts.port > 0 ? opts.port : await freePort();
  const traceDir = opts.traceDir ?? join(REPO_ROOT, ".data", "traces");
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", join(REPO_ROOT, "src/cli/serve.ts")], {
    cwd: REPO_ROOT,
    env: { ...process.env, HOST: "127.0.0.1", PORT: String(port), LOG_LEVEL: "info", MINISERVE_TRACE_DIR: traceDir, ...opts.env },
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
        // a dependency's plain-text warning: not a log record
      }
    }
  });
  child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    // The server drains for its grace period; a hard stop after that keeps callers bounded.
    const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(timer);
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`miniserve exited with code ${child.exitCode} before it was ready: ${stderr.trim().slice(-800) || "(no output)"}`);
    }
    if (await isReady(url, 1000)) {
      return { url, port, pid: child.pid!, traceDir, logs, stderr: () => stderr, stop };
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await stop();
  throw new Error(`miniserve did not answer GET /ready on ${url} within ${Math.round((opts.readyTimeoutMs ?? 60_000) / 1000)} s: ${stderr.trim().slice(-500)}`);
}

/** POST one small completion; returns the HTTP status and the x-trace-id header. */
export async function sendCompletion(url: string, body: Record<string, unknown> = {}): Promise<{ status: number; traceId: string | null; json: unknown }> {
  const res = await fetch(`${url}/v1/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "miniserve-tiny", prompt: "The queue grows when", max_tokens: 12, ...body }),
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, traceId: res.headers.get("x-trace-id"), json };
}
