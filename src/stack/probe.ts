// Small HTTP and process probes the stack commands use: is a readiness endpoint answering,
// is a TCP port taken, is a pid still the process we started. Used by `npm run stack` (lab 00).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect, createServer } from "node:net";

export interface ProbeResult {
  readonly ok: boolean;
  /** HTTP status, or the network error when nothing answered. */
  readonly detail: string;
}

/** GETs a readiness URL; ok only on a 2xx. Never throws. */
export async function probe(url: string, timeoutMs = 2000): Promise<ProbeResult> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return { ok: res.ok, detail: `HTTP ${res.status}` };
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    return { ok: false, detail: cause ?? (err as Error).name ?? "no answer" };
  }
}

/**
 * Polls `url` until it answers 2xx, `stillAlive` says the process died, or the deadline
 * passes. Returns the last probe result.
 */
export async function waitReady(
  url: string,
  timeoutMs: number,
  stillAlive: () => boolean = () => true,
): Promise<ProbeResult> {
  const deadline = Date.now() + timeoutMs;
  let last: ProbeResult = { ok: false, detail: "not probed yet" };
  while (Date.now() < deadline) {
    last = await probe(url, Math.min(2000, Math.max(200, deadline - Date.now())));
    if (last.ok) return last;
    if (!stillAlive()) return { ok: false, detail: `process exited (${last.detail})` };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return last;
}

/** True when something accepts TCP connections on host:port. */
export function portInUse(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (used: boolean): void => {
      socket.destroy();
      resolve(used);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The command line of a live process, or null when it is gone. A zombie has an empty
 * command line, so it counts as gone too.
 */
export function commandLineOf(pid: number): string | null {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else, so it is certainly not ours.
    return (err as NodeJS.ErrnoException).code === "EPERM" ? "" : null;
  }
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, "utf8");
    return raw.split("\0").join(" ").trim() || null;
  } catch {
    // No /proc (macOS): ask ps.
    const ps = spawnSync("ps", ["-o", "command=", "-p", String(pid)], { encoding: "utf8" });
    return ps.status === 0 ? ps.stdout.trim() || null : null;
  }
}
