// A Prometheus the labs can trust: one that scrapes THIS miniserve. Whatever answers on 9090 (another
// project's, a stale one) is checked through /api/v1/targets first; when it scrapes something else, the
// workbook starts its own on a free port or says exactly what to do. check-lab and the notebooks use it.
import { DOCKER_ENDPOINTS, prometheusInstallHint } from "./modes.ts";
import type { StackMode } from "./modes.ts";
import { prometheusUrl, runningNative } from "./native.ts";
import { DEFAULT_DATA_DIR } from "./paths.ts";
import { freePort, probe } from "./probe.ts";
import { DEFAULT_PROMETHEUS_PORT, stackCommand, stackDown, stackStatus, stackUp } from "./stack.ts";
import type { StackOptions } from "./stack.ts";

/** Hosts under which a Prometheus reaches a miniserve on this machine (Docker's for the compose stack). */
const LOCAL_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]", "0.0.0.0", "host.docker.internal"]);

export interface ScrapeCheck {
  readonly ok: boolean;
  /** What was found, in one phrase: the matching scrape URL, or what the job scrapes instead. */
  readonly detail: string;
}

interface ActiveTarget {
  readonly labels: Record<string, string>;
  readonly scrapeUrl: string;
}

/** The scrape URLs of job "miniserve", and how many active targets there are in all. */
async function miniserveScrapeUrls(promUrl: string): Promise<{ urls: string[]; targets: number }> {
  const res = await fetch(`${promUrl}/api/v1/targets?state=active`, { signal: AbortSignal.timeout(3000) });
  const body = (await res.json()) as { status: string; data?: { activeTargets?: ActiveTarget[] } };
  if (body.status !== "success") throw new Error(`HTTP ${res.status}`);
  const active = body.data?.activeTargets ?? [];
  return { urls: active.filter((t) => t.labels["job"] === "miniserve").map((t) => t.scrapeUrl), targets: active.length };
}

/**
 * True when the Prometheus at `promUrl` has a job "miniserve" whose scrape URL is this machine at
 * `miniservePort`. Polls up to `waitMs` while Prometheus lists no target at all: a fresh one publishes its
 * discovered targets up to 5 s after it is ready. Never throws.
 */
export async function scrapesMiniserve(promUrl: string, miniservePort: number, waitMs = 8000): Promise<ScrapeCheck> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    let urls: string[];
    let targets: number;
    try {
      ({ urls, targets } = await miniserveScrapeUrls(promUrl));
    } catch (err) {
      return { ok: false, detail: `its /api/v1/targets did not answer (${(err as Error).message})` };
    }
    const match = urls.find((u) => {
      try {
        const url = new URL(u);
        return LOCAL_HOSTS.has(url.hostname) && Number(url.port || 80) === miniservePort;
      } catch {
        return false;
      }
    });
    if (match) return { ok: true, detail: `it scrapes ${match}` };
    if (urls.length > 0) return { ok: false, detail: `its job "miniserve" scrapes ${urls.join(", ")}, not port ${miniservePort}` };
    // Other jobs listed: discovery is done, and this Prometheus has no miniserve job.
    if (targets > 0 || Date.now() >= deadline) return { ok: false, detail: `it has no job "miniserve" (another project's Prometheus, or a system service)` };
    await new Promise((r) => setTimeout(r, 250));
  }
}

export interface LabPrometheus {
  readonly url: string;
  readonly mode: StackMode;
  /** True when this call started it: stop() takes it down again. */
  readonly startedHere: boolean;
  /** One line for the learner: which Prometheus is used and why. */
  readonly note: string;
  /** Stops it when this call started it; a message, or null when there was nothing to stop. */
  stop(): Promise<string | null>;
}

export interface LabPrometheusOptions {
  readonly stack?: StackOptions;
  /** The port of the miniserve the lab checks: the Prometheus must scrape it. */
  readonly miniservePort: number;
  readonly say?: (line: string) => void;
}

const keep = async (): Promise<null> => null;

/**
 * A ready Prometheus that scrapes 127.0.0.1:<miniservePort>, or `{ missing }` saying what to do. Reuses one
 * that runs and scrapes this server; starts the stack when nothing runs; and when the port is taken by a
 * Prometheus that scrapes something else, starts the workbook's own on a free port instead of using it.
 */
export async function prometheusForLab(o: LabPrometheusOptions): Promise<LabPrometheus | { missing: string }> {
  const stack = o.stack ?? {};
  const say = o.say ?? (() => {});
  const dataDir = stack.dataDir ?? DEFAULT_DATA_DIR;
  const status = await stackStatus(stack);
  const fixTargets = status.mode === "docker" ? "infra/prometheus/targets-docker/miniserve.json" : "infra/prometheus/targets/miniserve.json";
  const urlOf = (opts: StackOptions): string =>
    status.mode === "docker" ? `http://127.0.0.1:${DOCKER_ENDPOINTS.prometheus.port}` : prometheusUrl(opts.prometheusPort ?? DEFAULT_PROMETHEUS_PORT);
  const reuse = (url: string, note: string): LabPrometheus => ({ url, mode: status.mode, startedHere: false, note, stop: keep });
  const start = async (opts: StackOptions, why: string): Promise<LabPrometheus | { missing: string }> => {
    say(`${why}starting Prometheus (${status.mode} mode)…`);
    try {
      const after = await stackUp(opts);
      if (!after.ok) return { missing: `Prometheus started but is not ready: ${after.fix ?? stackCommand("status", opts)}` };
    } catch (err) {
      return { missing: `Prometheus could not start: ${(err as Error).message}` };
    }
    const url = urlOf(opts);
    const stop = async (): Promise<string> => stackDown(opts);
    const check = await scrapesMiniserve(url, o.miniservePort);
    if (!check.ok) {
      await stop();
      return { missing: `the Prometheus started from infra/prometheus/prometheus.yml does not scrape port ${o.miniservePort}: ${check.detail}. Point ${fixTargets} at 127.0.0.1:${o.miniservePort}, or run miniserve on the port it names` };
    }
    return { url, mode: status.mode, startedHere: true, note: `${why}started Prometheus at ${url} (${status.mode} mode); ${check.detail} every 5 s`, stop };
  };

  // A native Prometheus this workbook started earlier (its pid file): reuse it if it scrapes this server.
  const own = status.mode === "native" ? runningNative(dataDir) : null;
  if (own) {
    const url = prometheusUrl(own.port);
    const check = await scrapesMiniserve(url, o.miniservePort);
    if (check.ok) return reuse(url, `using the Prometheus at ${url} started by this workbook (pid ${own.pid}): ${check.detail}`);
    return { missing: `the Prometheus this workbook started (pid ${own.pid}, ${url}) does not scrape port ${o.miniservePort}: ${check.detail}. Run ${stackCommand("down", stack)}, point ${fixTargets} at 127.0.0.1:${o.miniservePort}, then run the lab again` };
  }
  const url = urlOf(stack);
  const notInstalled = status.components.some((c) => c.state === "not installed");
  // Whatever answers on the port, whoever started it (status probes it only when prometheus is installed).
  if (status.ok || (await probe(`${url}/-/ready`)).ok) {
    const check = await scrapesMiniserve(url, o.miniservePort);
    if (check.ok) return reuse(url, `using the Prometheus already running at ${url} (${status.mode} mode): ${check.detail}`);
    const foreign = `a Prometheus on ${url} does not scrape this server (${check.detail}), so it is not used; `;
    if (status.mode === "docker") {
      return { missing: `${foreign}point ${fixTargets} at this server's port ${o.miniservePort} and run ${stackCommand("down", stack)} && ${stackCommand("up", stack)}` };
    }
    if (notInstalled) {
      return { missing: `${foreign}stop it, or install Prometheus (${prometheusInstallHint()}) so the workbook can start its own` };
    }
    return start({ ...stack, mode: "native", prometheusPort: await freePort() }, foreign);
  }
  if (notInstalled) {
    return { missing: `Prometheus is not installed and no Docker daemon answers: ${prometheusInstallHint()}, then ${stackCommand("up", stack)}` };
  }
  return start(stack, "");
}
