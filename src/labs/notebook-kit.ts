// What the lab notebooks start and stop: miniserve as a child process (tracing first, like
// production), native Prometheus through src/stack when installed, and the stop-condition checks.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prometheusForLab } from "../stack/index.ts";
import type { StackOptions } from "../stack/index.ts";
import { formatResults, runLabChecks } from "./check-runner.ts";
import type { CheckResult } from "./check-types.ts";
import { waitTargetUp } from "./check-env.ts";
import { findLab } from "./lab-catalogue.ts";
import { freePort, isReady, startLabServer } from "./lab-server.ts";
import type { LabServer } from "./lab-server.ts";
import { nativeTargetAddress } from "./checks-00.ts";
import { REPO_ROOT } from "../stack/paths.ts";

/** LAB_QUICK=1 (CI): short loads and waits. */
export const quick = (): boolean => process.env["LAB_QUICK"] === "1";

/** Ports and folders, overridable from the environment (the notebook test uses free ones). */
export function labSettings(): { port: number; prometheusPort: number; dataDir: string | undefined; quick: boolean } {
  return {
    port: Number(process.env["LAB_PORT"] ?? 8000),
    prometheusPort: Number(process.env["LAB_PROMETHEUS_PORT"] ?? 9090),
    dataDir: process.env["LAB_DATA_DIR"] || undefined,
    quick: quick(),
  };
}

const stackOpts = (): StackOptions => {
  const s = labSettings();
  return { prometheusPort: s.prometheusPort, ...(s.dataDir ? { dataDir: s.dataDir } : {}) };
};

const started: LabServer[] = [];
const tempDirs: string[] = [];
let stopPrometheus: (() => Promise<string | null>) | null = null;

export interface NotebookServer extends LabServer {
  /** True when it listens where Prometheus looks (the target file's port). */
  readonly scraped: boolean;
  readonly note: string;
}

/**
 * miniserve on LAB_PORT (8000) when that port is free, so Prometheus scrapes it; otherwise on a free
 * port, and the note says Prometheus will not see it. Its spans go to a fresh folder.
 */
export async function startServer(opts: { scrapedPort?: boolean } = {}): Promise<NotebookServer> {
  const { port } = labSettings();
  const dir = mkdtempSync(join(tmpdir(), "lab-notebook-"));
  tempDirs.push(dir);
  const traceDir = join(dir, "traces");
  const wanted = opts.scrapedPort !== false;
  const busy = wanted && (await isReady(`http://127.0.0.1:${port}`, 800) || !(await portFree(port)));
  const server = await startLabServer({ port: wanted && !busy ? port : 0, traceDir });
  started.push(server);
  const scraped = `127.0.0.1:${server.port}` === nativeTargetAddress(REPO_ROOT);
  const note = busy
    ? `port ${port} is taken by another process, so this server runs on ${server.port}; Prometheus (which scrapes ${nativeTargetAddress(REPO_ROOT)}) will not see it`
    : `miniserve ready at ${server.url} (pid ${server.pid}); spans go to ${traceDir}`;
  return Object.assign(server, { scraped, note });
}

async function portFree(port: number): Promise<boolean> {
  const { createServer } = await import("node:net");
  return new Promise((resolve) => {
    const s = createServer();
    s.once("error", () => resolve(false));
    s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
  });
}

/**
 * A Prometheus that scrapes this lab's miniserve port (started when installed and none does), or the reason
 * the Prometheus cells are skipped. One on 9090 that scrapes something else is not used (src/stack).
 */
export async function prometheusUp(): Promise<{ url: string; note: string } | { skip: string }> {
  const found = await prometheusForLab({ stack: stackOpts(), miniservePort: labSettings().port });
  if ("missing" in found) return { skip: `SKIPPED: ${found.missing}. The cells that query Prometheus do nothing; everything else runs.` };
  if (found.startedHere) stopPrometheus = found.stop;
  return { url: found.url, note: found.note };
}

/** Waits for the miniserve target; a sentence either way. */
export async function targetStatus(promUrl: string, timeoutMs = 30_000): Promise<{ up: boolean; text: string }> {
  const targets = await waitTargetUp(promUrl, timeoutMs);
  const up = targets.find((t) => t.health === "up");
  if (up) return { up: true, text: `target miniserve: UP (${up.scrapeUrl})` };
  return { up: false, text: targets.length === 0 ? "target miniserve: not configured in this Prometheus" : `target miniserve: ${targets[0]!.health} (${targets[0]!.lastError})` };
}

/** Runs the lab's stop-condition checks (the code of `npm run check-lab NN`) and formats them. */
export async function checkLab(id: string): Promise<{ ok: boolean; text: string; results: CheckResult[] }> {
  const lab = findLab(id);
  if (!lab) throw new Error(`no lab ${id}`);
  const s = labSettings();
  const { results, code } = await runLabChecks(lab.id, { port: s.port, prometheusPort: s.prometheusPort, ...(s.dataDir ? { dataDir: s.dataDir } : {}), quick: s.quick });
  return { ok: results.every((r) => r.ok), text: formatResults(lab.id, results, code), results: [...results] };
}

/** Stops every server this kernel started, and Prometheus if it started it. */
export async function stopAll(): Promise<string> {
  const n = started.length;
  for (const s of started.splice(0)) await s.stop();
  // The spans were only for this session's charts and checks.
  for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  const stopStarted = stopPrometheus;
  stopPrometheus = null;
  const stopped = await stopStarted?.();
  const prom = stopped ? `; ${stopped}` : "";
  return `stopped ${n} miniserve process${n === 1 ? "" : "es"}${prom}`;
}

export { freePort };
