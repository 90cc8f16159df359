// The real engine in the check's own process with the learner's observability attached exactly as
// the server attaches it (observeEngine), so a check can compare what the learner's code records with
// what the engine did, event by event, without timing races (labs 01 and 03).
import { join } from "node:path";
import { loadConfig } from "../config/index.ts";
import type { Config } from "../config/index.ts";
import type { Engine, EngineRequest } from "../engine/index.ts";

export interface ProbeEngine {
  readonly engine: Engine;
  readonly config: Config;
  /** Errors the learner's subscribers and gauge callbacks raised (they never reach the engine). */
  readonly errors: string[];
  /** A fresh per-request observation to submit as the request's tag, as the HTTP layer does. */
  tag(): object;
  /** The record the learner's code attached to a finished request's observation, if any. */
  recordOf(request: EngineRequest): unknown;
  close(): Promise<void>;
}

type ObserveEngine = (engine: Engine, opts: {
  ratePerSecondEur: number; tracer: null;
  onCostViolation: () => void; onSubscriberError: (event: string, err: unknown) => void; onGaugeError: (metric: string, err: unknown) => void;
}) => () => void;

/**
 * Loads the model into a fresh engine (settings from `env` over the defaults) and attaches
 * src/observability/engine-observer.ts of `repoRoot`, which drives the learner's metrics, gauges and cost tracker.
 */
export async function startProbeEngine(repoRoot: string, env: Record<string, string>): Promise<ProbeEngine> {
  const config = loadConfig({ ...process.env, LOG_LEVEL: "silent", ...env }, []);
  const observer = (await import(join(repoRoot, "src/observability/engine-observer.ts"))) as { observeEngine: ObserveEngine };
  const state = (await import(join(repoRoot, "src/observability/request-state.ts"))) as {
    observationOf: (r: EngineRequest) => { record: unknown } | undefined;
    RequestObservation: new (model: string) => object;
  };
  // Loaded here, not at the top: the server imports lab files, and a learner's broken file must
  // fail this check with its message rather than stop check-lab from starting.
  const { createEngine } = await import("../server/index.ts");
  const { engine } = await createEngine(config);
  const errors: string[] = [];
  const note = (what: string) => (name: string, err: unknown) => {
    if (errors.length < 20) errors.push(`${what} ${name}: ${(err as Error).message?.split("\n")[0] ?? String(err)}`);
  };
  let detach: () => void = () => {};
  try {
    detach = observer.observeEngine(engine, {
      ratePerSecondEur: config.costRatePerSecondEur, tracer: null, onCostViolation: () => {},
      onSubscriberError: note("the subscriber of"), onGaugeError: note("the gauge callback of"),
    });
  } catch (err) {
    await engine.release();
    throw err;
  }
  return {
    engine, config, errors,
    tag: () => new state.RequestObservation(config.modelName),
    recordOf: (request) => state.observationOf(request)?.record ?? null,
    close: async () => {
      await engine.close(2000);
      detach();
      await engine.release();
    },
  };
}
