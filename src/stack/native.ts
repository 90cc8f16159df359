// The native path: runs the prometheus binary found on PATH with the shared config, detached,
// and records its pid and log under the data dir so `down` stops exactly that process. Lab 00.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { MiniserveError } from "../errors/codes.ts";
import { PROMETHEUS_CONFIG, REPO_ROOT, nativePaths } from "./paths.ts";
import { commandLineOf, portInUse, waitReady } from "./probe.ts";

/** What `up` writes to the pid file: enough for `down` and `status` to find and verify it. */
export interface NativeRecord {
  readonly pid: number;
  readonly port: number;
  readonly binary: string;
  readonly storage: string;
  readonly logFile: string;
  readonly startedAt: string;
}

export interface NativeOptions {
  readonly binary: string;
  readonly port: number;
  readonly dataDir: string;
  readonly readyTimeoutMs: number;
}

export function prometheusUrl(port: number): string {
  return `http://127.0.0.1:${port}`;
}

/** The arguments `up` passes: shared config, exemplar storage, loopback only, data in the data dir. */
export function prometheusArgs(port: number, storage: string): string[] {
  return [
    `--config.file=${PROMETHEUS_CONFIG}`,
    `--storage.tsdb.path=${storage}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--enable-feature=exemplar-storage",
  ];
}

/** True when the pid is alive and its command line is a prometheus using this storage dir. */
function isOurs(record: NativeRecord): boolean {
  const cmd = commandLineOf(record.pid);
  return cmd !== null && cmd.includes("prometheus") && cmd.includes(`--storage.tsdb.path=${record.storage}`);
}

/** The running Prometheus this data dir records, or null (a stale pid file is removed). */
export function runningNative(dataDir: string): NativeRecord | null {
  const { pidFile } = nativePaths(dataDir);
  if (!existsSync(pidFile)) return null;
  let record: NativeRecord;
  try {
    record = JSON.parse(readFileSync(pidFile, "utf8")) as NativeRecord;
  } catch {
    rmSync(pidFile, { force: true });
    return null;
  }
  if (typeof record.pid === "number" && isOurs(record)) return record;
  rmSync(pidFile, { force: true });
  return null;
}

function logTail(logFile: string, lines = 8): string {
  try {
    return readFileSync(logFile, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log written)";
  }
}

/** Starts Prometheus unless this data dir already has one running, then waits for /-/ready. */
export async function nativeUp(opts: NativeOptions): Promise<{ record: NativeRecord; alreadyRunning: boolean }> {
  const running = runningNative(opts.dataDir);
  if (running) {
    const ready = await waitReady(`${prometheusUrl(running.port)}/-/ready`, opts.readyTimeoutMs, () => isOurs(running));
    if (!ready.ok) {
      throw new MiniserveError("MSV_ERR_STACK_START_FAILED", `Prometheus (pid ${running.pid}) runs but is not ready: ${ready.detail}; see ${running.logFile}`);
    }
    return { record: running, alreadyRunning: true };
  }
  if (await portInUse(opts.port)) {
    throw new MiniserveError(
      "MSV_ERR_STACK_PORT_IN_USE",
      `something else already listens on 127.0.0.1:${opts.port} (a system Prometheus service?). ` +
        `Stop it (on Debian: sudo systemctl stop prometheus) or pick another port with --port.`,
    );
  }
  const { storage, pidFile, logFile } = nativePaths(opts.dataDir);
  mkdirSync(storage, { recursive: true });
  const logFd = openSync(logFile, "a");
  // detached + ignored stdin: Prometheus outlives this command and has its own process group.
  const child = spawn(opts.binary, prometheusArgs(opts.port, storage), {
    cwd: REPO_ROOT,
    detached: true,
    stdio: ["ignore", logFd, logFd],
  });
  closeSync(logFd);
  const spawned = await new Promise<number>((resolve, reject) => {
    child.once("spawn", () => resolve(child.pid ?? -1));
    child.once("error", reject);
  }).catch((err: Error) => {
    throw new MiniserveError("MSV_ERR_STACK_START_FAILED", `could not run ${opts.binary}: ${err.message}`);
  });
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  child.unref();
  const record: NativeRecord = {
    pid: spawned, port: opts.port, binary: opts.binary, storage, logFile, startedAt: new Date().toISOString(),
  };
  writeFileSync(pidFile, `${JSON.stringify(record, null, 2)}\n`);
  const ready = await waitReady(`${prometheusUrl(opts.port)}/-/ready`, opts.readyTimeoutMs, () => !exited && isOurs(record));
  if (!ready.ok) {
    await nativeDown(opts.dataDir);
    throw new MiniserveError(
      "MSV_ERR_STACK_START_FAILED",
      `Prometheus did not become ready within ${opts.readyTimeoutMs / 1000} s (${ready.detail}). Last lines of ${logFile}:\n${logTail(logFile)}`,
    );
  }
  return { record, alreadyRunning: false };
}

/** Stops the Prometheus recorded in this data dir (TERM, then KILL after 10 s); null if none ran. */
export async function nativeDown(dataDir: string): Promise<NativeRecord | null> {
  const record = runningNative(dataDir);
  const { pidFile } = nativePaths(dataDir);
  if (!record) return null;
  process.kill(record.pid, "SIGTERM");
  const deadline = Date.now() + 10_000;
  while (isOurs(record) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (isOurs(record)) process.kill(record.pid, "SIGKILL");
  rmSync(pidFile, { force: true });
  return record;
}
