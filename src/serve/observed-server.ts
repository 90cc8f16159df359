// miniserve with observability attached: the composition of src/server (which knows nothing of
// observing) and src/observability (which knows nothing of fastify's routes). `npm run serve` and
// `npm start` call startObservedMiniserve(); MINISERVE_OBSERVABILITY=off gives the bare server.
import type { Config } from "../config/index.ts";
import {
  activeTracing, createHttpObservability, createLogger, metrics, observeEngine, runAudit, setTraceSampleRatio, zeroServingSeries,
} from "../observability/index.ts";
import type { Tracing } from "../observability/index.ts";
import { AuditGate, createEngine, startMiniserve } from "../server/index.ts";
import type { Miniserve } from "../server/index.ts";

export interface ObservedMiniserve extends Miniserve {
  /** The tracing this process started (null: off, disabled, or started after the server was imported). */
  readonly tracing: Tracing | null;
}

/**
 * Start miniserve with metrics, traces, logs and cost on, or the bare server when
 * config.observability is false (the overhead benchmark's baseline: same code, nothing attached).
 */
export async function startObservedMiniserve(config: Config, opts: { logDestination?: NodeJS.WritableStream } = {}): Promise<ObservedMiniserve> {
  if (!config.observability) return { ...(await startMiniserve(config)), tracing: null };
  const logger = createLogger(config, opts.logDestination);
  // Tracing must have started before http, fastify and pino loaded: src/cli/serve.ts does that.
  // Started this late, HTTP server spans would be missing and stage spans would become orphans,
  // so a process that imported the server first runs without traces and says how to fix it.
  const tracing = activeTracing();
  if (tracing === null && !config.otelSdkDisabled) {
    logger.warn("tracing is off: call startTracing(config) before importing the server (src/cli/serve.ts shows how) to trace requests");
  }
  const m = metrics();
  setTraceSampleRatio(tracing?.sampleRatio ?? 0);
  // Series known in advance exist at 0 from the first scrape: no panel says "no data" on a healthy server.
  zeroServingSeries(config.modelName);
  const auditGate = new AuditGate(config.auditMaxConcurrent, (inUse) => m.auditRunning.set(inUse));

  const { engine } = await createEngine(config, (event, err) => logger.warn({ err, event }, "an engine event subscriber failed"));
  let subscriberErrorsLogged = 0;
  const detach = observeEngine(engine, {
    ratePerSecondEur: config.costRatePerSecondEur,
    tracer: tracing?.tracer ?? null,
    onCostViolation: (record, obs, cost) => logger.warn({
      event: "cost_identity_violation", request_id: record.id, trace_id: obs.trace?.traceId,
      cost_eur: cost.totalEur, independent_eur: cost.independentEur, relative_error: cost.relativeError,
      cost_stage_eur: cost.stagesEur, engine_seconds: cost.engineSeconds,
    }, "stage costs do not add up to the request's engine time (more than 0.1 % apart)"),
    // A broken subscriber could fire on every step: log the first few, the counter has the rest.
    onSubscriberError: (event, err) => {
      if (subscriberErrorsLogged++ < 10) logger.error({ err, event }, "an observability subscriber failed; the request continues");
    },
    onGaugeError: (metric, err) => logger.warn({ err, metric }, "a gauge callback failed; the scrape continues without a fresh value"),
  });
  const http = createHttpObservability({ tracing, logger });
  let server: Miniserve;
  try {
    server = await startMiniserve(config, {
      engine, logger, auditGate, plugins: [http.plugin], observeRequest: http.observeRequest,
      // Called in the route, inside the request's context: the child's spans join its trace.
      audit: (text) => runAudit(text, { traceDir: config.traceDir }),
    });
  } catch (err) {
    detach();
    await engine.release();
    throw err;
  }
  return {
    ...server,
    tracing,
    close: async () => {
      await server.close();
      detach();
      // Spans of the last requests are still queued: export them before the process ends.
      await tracing?.forceFlush();
    },
  };
}
