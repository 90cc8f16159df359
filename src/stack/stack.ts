// The stack commands as functions: stackUp, stackDown, stackStatus and formatStatus. The CLI
// (`npm run stack`) and later `npm start` call these; tests pass a free port and a temp data dir.
import { relative } from "node:path";
import { MiniserveError } from "../errors/codes.ts";
import { DOCKER_ENDPOINTS, chooseMode, dockerDown, dockerReadyUrl, dockerUp, prometheusInstallHint } from "./modes.ts";
import type { ComponentName, StackMode } from "./modes.ts";
import { nativeDown, nativeUp, prometheusUrl, runningNative } from "./native.ts";
import { DEFAULT_DATA_DIR, REPO_ROOT, nativePaths } from "./paths.ts";
import { probe, waitReady } from "./probe.ts";

export interface StackOptions {
  /** "auto" (default): Docker when a daemon answers, otherwise native. */
  readonly mode?: StackMode | "auto";
  /** Native mode only: Prometheus port on 127.0.0.1 (default 9090). */
  readonly prometheusPort?: number;
  /** Native mode only: where storage, pid file and log go (default .data/). */
  readonly dataDir?: string;
  /** How long `up` waits for readiness (default 30 s native, 120 s Docker). */
  readonly readyTimeoutMs?: number;
  /** Environment whose PATH is searched for docker and prometheus (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

export type ComponentState = "ready" | "not ready" | "not installed" | "not used";

export interface ComponentStatus {
  readonly name: ComponentName;
  readonly state: ComponentState;
  readonly url: string | null;
  readonly detail: string;
}

export interface StackStatus {
  readonly mode: StackMode;
  readonly reason: string;
  readonly components: readonly ComponentStatus[];
  /** True when every component the mode uses is ready. */
  readonly ok: boolean;
  /** The one command that fixes what is missing, or null when nothing is. */
  readonly fix: string | null;
}

export const DEFAULT_PROMETHEUS_PORT = 9090;

function resolved(opts: StackOptions) {
  return {
    port: opts.prometheusPort ?? DEFAULT_PROMETHEUS_PORT,
    dataDir: opts.dataDir ?? DEFAULT_DATA_DIR,
    env: opts.env ?? process.env,
    choice: chooseMode(opts.mode ?? "auto", opts.env ?? process.env),
  };
}

/** `npm run stack -- <command>` with the same non-default options, so a printed fix works as is. */
export function stackCommand(command: "up" | "down" | "status", opts: StackOptions = {}): string {
  const extra: string[] = [];
  if (opts.mode && opts.mode !== "auto") extra.push(`--mode ${opts.mode}`);
  if (opts.prometheusPort !== undefined && opts.prometheusPort !== DEFAULT_PROMETHEUS_PORT) extra.push(`--port ${opts.prometheusPort}`);
  if (opts.dataDir !== undefined && opts.dataDir !== DEFAULT_DATA_DIR) extra.push(`--data-dir ${opts.dataDir}`);
  return ["npm run stack --", command, ...extra].join(" ");
}

function show(path: string): string {
  const rel = relative(REPO_ROOT, path);
  return rel.startsWith("..") ? path : rel;
}

export async function stackStatus(opts: StackOptions = {}): Promise<StackStatus> {
  const { port, dataDir, choice } = resolved(opts);
  const components: ComponentStatus[] = [];
  let fix: string | null = null;
  if (choice.mode === "docker") {
    for (const name of Object.keys(DOCKER_ENDPOINTS) as ComponentName[]) {
      const url = dockerReadyUrl(name);
      const res = await probe(url);
      components.push({ name, state: res.ok ? "ready" : "not ready", url, detail: res.detail });
    }
    if (components.some((c) => c.state !== "ready")) fix = stackCommand("up", opts);
  } else {
    const url = `${prometheusUrl(port)}/-/ready`;
    const record = runningNative(dataDir);
    if (!choice.prometheusBinary && !record) {
      components.push({ name: "prometheus", state: "not installed", url: null, detail: "prometheus is not on PATH" });
      fix = prometheusInstallHint();
    } else {
      const res = await probe(url);
      const detail = record
        ? `pid ${record.pid}, log ${show(record.logFile)}`
        : res.ok
          ? "answering, but not started by this command (its config may not scrape miniserve)"
          : `not running (${res.detail})`;
      components.push({ name: "prometheus", state: res.ok ? "ready" : "not ready", url, detail });
      if (!res.ok) fix = record ? `${stackCommand("down", opts)} && ${stackCommand("up", opts)}` : stackCommand("up", opts);
    }
    for (const name of ["grafana", "tempo"] as const) {
      components.push({ name, state: "not used", url: null, detail: "not used in native mode" });
    }
  }
  const ok = components.every((c) => c.state === "ready" || c.state === "not used");
  return { mode: choice.mode, reason: choice.reason, components, ok, fix };
}

/** Human-readable status: mode and why, one line per component, then the fix if any. */
export function formatStatus(status: StackStatus): string {
  const lines = [`stack mode: ${status.mode} (${status.reason})`];
  for (const c of status.components) {
    const where = c.url ? `${c.url}  ` : "";
    lines.push(`  ${c.name.padEnd(11)}${c.state.padEnd(15)}${where}${c.detail}`);
  }
  lines.push(status.fix ? `fix: ${status.fix}` : `all components of ${status.mode} mode are ready`);
  return lines.join("\n");
}

/** Starts the stack (idempotent) and returns its status once ready; throws MiniserveError otherwise. */
export async function stackUp(opts: StackOptions = {}): Promise<StackStatus> {
  const { port, dataDir, env, choice } = resolved(opts);
  if (choice.mode === "docker") {
    dockerUp(env);
    const timeout = opts.readyTimeoutMs ?? 120_000;
    for (const name of Object.keys(DOCKER_ENDPOINTS) as ComponentName[]) {
      const res = await waitReady(dockerReadyUrl(name), timeout);
      if (!res.ok) {
        throw new MiniserveError("MSV_ERR_STACK_START_FAILED", `${name} not ready at ${dockerReadyUrl(name)} (${res.detail}); see docker compose -f infra/docker-compose.yml logs ${name}`);
      }
    }
  } else {
    const binary = choice.prometheusBinary;
    if (!binary) {
      throw new MiniserveError(
        "MSV_ERR_STACK_NOT_INSTALLED",
        `no Docker daemon answers and prometheus is not on PATH. Install it with: ${prometheusInstallHint()}`,
      );
    }
    await nativeUp({ binary, port, dataDir, readyTimeoutMs: opts.readyTimeoutMs ?? 30_000 });
  }
  return stackStatus(opts);
}

/** Stops what `up` started: the recorded native Prometheus, else the compose project. */
export async function stackDown(opts: StackOptions = {}): Promise<string> {
  const { dataDir, env, choice } = resolved(opts);
  const stopped = await nativeDown(dataDir);
  if (stopped) return `stopped native Prometheus (pid ${stopped.pid}); data kept in ${show(nativePaths(dataDir).storage)}`;
  if (choice.mode === "docker") {
    dockerDown(env);
    return "stopped the Docker compose stack (infra/docker-compose.yml)";
  }
  return "nothing to stop: no Prometheus started by `npm run stack -- up` is running";
}
