// The stack part of `npm start`: reuse a Prometheus (or Docker stack) that already runs, else start
// one through src/stack; remember which, so Ctrl-C stops only what this run started (lab 00).
import { DOCKER_ENDPOINTS, chooseMode, dockerDown, dockerReadyUrl, prometheusInstallHint } from "../stack/modes.ts";
import type { ComponentName, StackMode } from "../stack/modes.ts";
import { nativeDown, prometheusUrl, runningNative } from "../stack/native.ts";
import { portInUse, probe } from "../stack/probe.ts";
import { stackUp } from "../stack/stack.ts";

export interface StackPart {
  readonly mode: StackMode;
  /** Where Prometheus answers, or null when none could be found or started. */
  readonly prometheusUrl: string | null;
  /** Grafana (Docker mode only). */
  readonly grafanaUrl: string | null;
  /** True when this run started it, so stop() takes it down again. */
  readonly startedHere: boolean;
  /** Lines for the terminal: what was reused, started or is missing, and how to fix it. */
  readonly notes: readonly string[];
  stop(): Promise<string | null>;
}

export interface StackPartOptions {
  readonly mode: "auto" | "docker" | "native";
  readonly prometheusPort: number;
  readonly dataDir: string;
  readonly env?: NodeJS.ProcessEnv;
}

const nothing = async (): Promise<null> => null;

async function dockerPart(env: NodeJS.ProcessEnv): Promise<StackPart> {
  const names = Object.keys(DOCKER_ENDPOINTS) as ComponentName[];
  const ready = await Promise.all(names.map((n) => probe(dockerReadyUrl(n))));
  const urls = { prometheusUrl: `http://127.0.0.1:${DOCKER_ENDPOINTS.prometheus.port}`, grafanaUrl: `http://127.0.0.1:${DOCKER_ENDPOINTS.grafana.port}` };
  if (ready.every((r) => r.ok)) {
    return { mode: "docker", ...urls, startedHere: false, notes: ["the Docker stack was already running; it stays up after Ctrl-C"], stop: nothing };
  }
  try {
    await stackUp({ mode: "docker", env });
  } catch (err) {
    return { mode: "docker", prometheusUrl: null, grafanaUrl: null, startedHere: false, notes: [`the Docker stack did not start: ${(err as Error).message}`], stop: nothing };
  }
  return {
    mode: "docker", ...urls, startedHere: true, notes: ["started the Docker stack (Prometheus, Grafana, Tempo)"],
    stop: async () => {
      dockerDown(env);
      return "stopped the Docker compose stack";
    },
  };
}

async function nativePart(o: StackPartOptions, binary: string | null): Promise<StackPart> {
  const none = (note: string): StackPart => ({ mode: "native", prometheusUrl: null, grafanaUrl: null, startedHere: false, notes: [note], stop: nothing });
  const record = runningNative(o.dataDir);
  if (record) {
    return { mode: "native", prometheusUrl: prometheusUrl(record.port), grafanaUrl: null, startedHere: false, notes: [`Prometheus (pid ${record.pid}) was already running; it stays up after Ctrl-C`], stop: nothing };
  }
  const url = prometheusUrl(o.prometheusPort);
  if (await portInUse(o.prometheusPort)) {
    if ((await probe(`${url}/-/ready`)).ok) {
      return { mode: "native", prometheusUrl: url, grafanaUrl: null, startedHere: false, notes: [`a Prometheus already answers on ${url} and is left alone (its config may not scrape miniserve)`], stop: nothing };
    }
    return none(`port ${o.prometheusPort} is taken by something that is not Prometheus; pass --prometheus-port to use another`);
  }
  if (!binary) return none(`Prometheus is not installed, so the panels stay empty. Install it with: ${prometheusInstallHint()}`);
  try {
    await stackUp({ mode: "native", prometheusPort: o.prometheusPort, dataDir: o.dataDir, ...(o.env ? { env: o.env } : {}) });
  } catch (err) {
    return none(`Prometheus did not start: ${(err as Error).message}`);
  }
  const started = runningNative(o.dataDir);
  return {
    mode: "native", prometheusUrl: url, grafanaUrl: null, startedHere: true,
    notes: [`started Prometheus${started ? ` (pid ${started.pid})` : ""} with infra/prometheus/prometheus.yml`],
    stop: async () => {
      const stopped = await nativeDown(o.dataDir);
      return stopped ? `stopped Prometheus (pid ${stopped.pid})` : null;
    },
  };
}

/** Finds or starts the stack; never throws: a missing Prometheus is a note, not a failure. */
export async function bringUpStack(o: StackPartOptions): Promise<StackPart> {
  const env = o.env ?? process.env;
  const choice = chooseMode(o.mode, env);
  return choice.mode === "docker" ? dockerPart(env) : nativePart(o, choice.prometheusBinary);
}
