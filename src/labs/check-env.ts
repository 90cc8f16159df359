// Starts what a lab's checks need — miniserve, Prometheus — and stops exactly what it started.
// `npm run check-lab`, the notebooks' last cell and the lab tests share it (labs 00–03).
import { mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { prometheusForLab } from "../stack/index.ts";
import type { StackOptions } from "../stack/index.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import type { CheckEnv, PrometheusHandle, ServerHandle } from "./check-types.ts";
import { isReady, startLabServer } from "./lab-server.ts";
import type { LabServer } from "./lab-server.ts";

export interface CheckEnvOptions {
  readonly port?: number;
  readonly prometheusPort?: number;
  /** Native Prometheus data folder (default .data/). */
  readonly dataDir?: string;
  readonly quick?: boolean;
  /** Leave a server or Prometheus started here running after the checks. */
  readonly keep?: boolean;
  readonly say?: (line: string) => void;
}

export interface ManagedCheckEnv extends CheckEnv {
  /** Stops what this environment started (unless keep). Safe to call twice. */
  close(): Promise<void>;
}

export function createCheckEnv(opts: CheckEnvOptions = {}): ManagedCheckEnv {
  const port = opts.port ?? 8000;
  const prometheusPort = opts.prometheusPort ?? 9090;
  const say = opts.say ?? (() => {});
  const stack: StackOptions = { prometheusPort, ...(opts.dataDir ? { dataDir: opts.dataDir } : {}) };
  const started: LabServer[] = [];
  const tempDirs: string[] = [];
  let scraped: Promise<ServerHandle> | null = null;
  let prom: Promise<PrometheusHandle | { missing: string }> | null = null;
  let stopPrometheus: (() => Promise<unknown>) | null = null;

  const scrapedServer = (): Promise<ServerHandle> => {
    scraped ??= (async () => {
      const url = `http://127.0.0.1:${port}`;
      if (await isReady(url)) {
        const stale = await staleness(url, join(REPO_ROOT, "src"));
        say(stale ? `the miniserve at ${url} ${stale}` : `using the miniserve already running at ${url}`);
        return { url, own: null, stale };
      }
      say(`starting miniserve on ${url} (as npm run serve does)…`);
      const dir = mkdtempSync(join(tmpdir(), "lab-check-"));
      tempDirs.push(dir);
      const server = await startLabServer({ port, traceDir: join(dir, "traces") });
      started.push(server);
      return { url: server.url, own: server, stale: null };
    })();
    return scraped;
  };

  let own: Promise<LabServer> | null = null;
  const ownServer = (): Promise<LabServer> => {
    own ??= (async () => {
      // The scraped server is ours only if these checks started it; then nobody else talks to it.
      const s = scraped ? await scraped : null;
      if (s?.own) return s.own;
      const dir = mkdtempSync(join(tmpdir(), "lab-check-"));
      tempDirs.push(dir);
      say("starting a private miniserve on a free port…");
      const server = await startLabServer({ traceDir: join(dir, "traces") });
      started.push(server);
      return server;
    })();
    return own;
  };

  const prometheus = (): Promise<PrometheusHandle | { missing: string }> => {
    // Only a Prometheus that scrapes this lab's port is used (src/stack/lab-prometheus.ts).
    prom ??= prometheusForLab({ stack, miniservePort: port, say }).then((found) => {
      if ("missing" in found) return found;
      if (found.startedHere) stopPrometheus = found.stop;
      return { url: found.url, mode: found.mode };
    });
    return prom;
  };

  const close = async (): Promise<void> => {
    if (opts.keep) return;
    for (const s of started.splice(0)) await s.stop();
    const stopStarted = stopPrometheus;
    stopPrometheus = null;
    await stopStarted?.();
    for (const d of tempDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  };

  return { repoRoot: REPO_ROOT, port, prometheusPort, quick: opts.quick ?? false, say, scrapedServer, ownServer, prometheus, close };
}

/** The newest .ts file under `dir` and its modification time. */
function newestSource(dir: string): { file: string; mtimeMs: number } {
  let best = { file: dir, mtimeMs: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const found = entry.isDirectory() ? newestSource(path) : entry.name.endsWith(".ts") ? { file: path, mtimeMs: statSync(path).mtimeMs } : best;
    if (found.mtimeMs > best.mtimeMs) best = found;
  }
  return best;
}

/**
 * Null when the server at `url` started after the newest source file changed; otherwise a sentence
 * saying it runs older code (a server that cannot say when it started counts as older).
 */
export async function staleness(url: string, srcDir: string): Promise<string | null> {
  let startedAt: number | null = null;
  try {
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) });
    const body = (await res.json()) as { started_at?: unknown };
    startedAt = typeof body.started_at === "string" ? Date.parse(body.started_at) : null;
  } catch {
    startedAt = null;
  }
  const newest = newestSource(srcDir);
  if (startedAt !== null && Number.isFinite(startedAt) && startedAt >= newest.mtimeMs) return null;
  const when = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  const changed = `${relative(dirname(srcDir), newest.file)} changed at ${when(newest.mtimeMs)} UTC`;
  return startedAt === null || !Number.isFinite(startedAt)
    ? `does not say when it started, so it may run older code than your files (${changed})`
    : `started at ${when(startedAt)} UTC, before ${changed}: it runs older code than your files`;
}

/** GET a Prometheus API path and return `data`; throws with the API's error text. */
export async function promApi<T>(base: string, path: string): Promise<T> {
  const res = await fetch(`${base}${path}`, { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { status: string; data: T; error?: string };
  if (body.status !== "success") throw new Error(body.error ?? `HTTP ${res.status}`);
  return body.data;
}

export interface TargetHealth {
  readonly health: string;
  readonly scrapeUrl: string;
  readonly lastError: string;
}

/** The active targets of job "miniserve". */
export async function miniserveTargets(base: string): Promise<TargetHealth[]> {
  const data = await promApi<{ activeTargets: { labels: Record<string, string>; health: string; scrapeUrl: string; lastError: string }[] }>(
    base, "/api/v1/targets?state=active",
  );
  return data.activeTargets.filter((t) => t.labels["job"] === "miniserve").map((t) => ({ health: t.health, scrapeUrl: t.scrapeUrl, lastError: t.lastError }));
}

/** Polls until a miniserve target is up or the timeout passes; returns the last view. */
export async function waitTargetUp(base: string, timeoutMs: number): Promise<TargetHealth[]> {
  const deadline = Date.now() + timeoutMs;
  let last: TargetHealth[] = [];
  while (Date.now() < deadline) {
    try {
      last = await miniserveTargets(base);
      if (last.some((t) => t.health === "up")) return last;
    } catch {
      // Prometheus is still starting: keep polling
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  return last;
}

/** Instant query; the numeric values of the result vector. */
export async function promQuery(base: string, expr: string): Promise<number[]> {
  const data = await promApi<{ result: { value: [number, string] }[] }>(base, `/api/v1/query?query=${encodeURIComponent(expr)}`);
  return data.result.map((r) => Number(r.value[1]));
}

export { REPO_ROOT };
