// Runs the built-in viewer as a child process for `npm start`: its own process keeps its HTTP
// requests out of miniserve's traces, and Ctrl-C stops exactly this child (labs 00–02).
import { spawn } from "node:child_process";
import { join } from "node:path";
import { REPO_ROOT } from "../stack/paths.ts";
import { waitReady } from "../stack/probe.ts";

export interface ViewerChild {
  readonly url: string | null;
  readonly pid: number | null;
  /** Why the viewer is not running, when it is not. */
  readonly problem: string | null;
  stop(): Promise<void>;
}

export interface ViewerChildOptions {
  readonly port: number;
  readonly prometheusUrl: string;
  readonly traceDir: string;
  readonly readyTimeoutMs?: number;
}

export async function startViewerChild(o: ViewerChildOptions): Promise<ViewerChild> {
  const child = spawn(process.execPath, [
    "--import", "tsx", join(REPO_ROOT, "src", "cli", "viewer.ts"),
    "--port", String(o.port), "--prometheus", o.prometheusUrl, "--trace-dir", o.traceDir,
  ], { cwd: REPO_ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.on("data", (b: Buffer) => (output += b.toString()));
  child.stderr!.on("data", (b: Buffer) => (output += b.toString()));
  let exited = child.exitCode !== null;
  const exit = new Promise<void>((resolve) => child.once("exit", () => {
    exited = true;
    resolve();
  }));
  const stop = async (): Promise<void> => {
    if (exited) return;
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exit;
    clearTimeout(timer);
  };
  const url = `http://127.0.0.1:${o.port}`;
  const ready = await waitReady(`${url}/health`, o.readyTimeoutMs ?? 30_000, () => !exited);
  if (!ready.ok) {
    await stop();
    const why = output.trim().split("\n").filter((l) => l.startsWith("error")).join(" ") || ready.detail;
    return { url: null, pid: null, problem: `the viewer did not start (${why})`, stop: async () => {} };
  }
  return { url, pid: child.pid ?? null, problem: null, stop };
}
