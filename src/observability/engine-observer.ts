// Folds the engine's lifecycle events into one record per request, then hands the record to its
// renderers: metrics, stage spans and (through the observation) the log line. Per step and per request
// only, every subscriber guarded: observing never breaks the request path (labs 01–03).
import type { Tracer } from "@opentelemetry/api";
import type { Engine, EngineEventMap, EngineEventName, EngineRequest } from "../engine/index.ts";
import { CostTracker } from "./cost-tracker.ts";
import type { CostRecord } from "./cost-tracker.ts";
import { bindEngineStats, metrics } from "./metrics.ts";
import { buildRecord } from "./request-record.ts";
import type { RequestRecord } from "./request-record.ts";
import { observeFirstToken, observePromptTokens, renderRequestMetrics } from "./request-metrics.ts";
import { buildStageSpans } from "./request-spans.ts";
import { LiveRequests, RequestObservation, observationOf } from "./request-state.ts";

export interface EngineObserverOptions {
  readonly ratePerSecondEur: number;
  /** null when tracing is off: metrics and cost still work. */
  readonly tracer: Tracer | null;
  /** Called once per request whose stage costs miss the identity by more than 0.1 %. */
  readonly onCostViolation: (record: RequestRecord, obs: RequestObservation, cost: CostRecord) => void;
  readonly onSubscriberError: (event: string, err: unknown) => void;
  readonly onGaugeError: (metric: string, err: unknown) => void;
}

/** Attach to an engine; returns a function that detaches every subscriber. */
export function observeEngine(engine: Engine, opts: EngineObserverOptions): () => void {
  const m = metrics();
  const cost = new CostTracker(opts.ratePerSecondEur);
  const s = engine.stats();
  const live = new LiveRequests(Math.max(1024, 4 * (s.slotsTotal + s.queueCapacity)), () => m.requestStateEvicted.inc());
  bindEngineStats(engine, opts.onGaugeError);
  const offs: (() => void)[] = [];

  /** Every subscriber runs inside a guard: instrumentation must never break the request path. */
  const on = <K extends EngineEventName>(event: K, fn: (payload: EngineEventMap[K]) => void): void => {
    offs.push(engine.events.on(event, (payload) => {
      try {
        fn(payload);
      } catch (err) {
        m.subscriberErrors.inc({ event });
        opts.onSubscriberError(event, err);
      }
    }));
  };
  /** The HTTP layer's observation, or one made here for a request submitted without it (a benchmark). */
  const obsOf = (request: EngineRequest): RequestObservation => {
    let obs = observationOf(request) ?? live.get(request);
    if (obs === undefined) {
      obs = new RequestObservation(request.modelName);
      live.add(request, obs);
    }
    return obs;
  };

  on("arrived", ({ request }) => live.add(request, obsOf(request)));
  on("retrieved", ({ request }) => {
    const t = request.timings;
    cost.addOwnTime(obsOf(request).cost, "retrieval", (t.retrievedMs! - t.retrievalStartMs!) / 1000);
  });
  on("tokenized", ({ request }) => observePromptTokens(request));
  on("first-token", ({ request }) => observeFirstToken(request, obsOf(request)));
  on("step", (step) => {
    m.batchSize.observe({ phase: step.phase }, step.rows.length);
    cost.addStep(step, (row) => obsOf(row.request).cost);
    for (const row of step.rows) {
      const b = obsOf(row.request).batch;
      if (step.phase === "prefill") b.prefill = step.rows.length;
      else {
        b.decodeSteps++;
        b.decodeRows += step.rows.length;
        if (step.rows.length > b.decodeMax) b.decodeMax = step.rows.length;
      }
    }
  });
  on("finished", ({ request }) => {
    const obs = obsOf(request);
    live.delete(request);
    // The one computation per request: the cost and every interval, folded into its record once.
    const priced = cost.finish(obs.cost);
    const record = buildRecord(request, obs, priced);
    obs.record = record;
    renderRequestMetrics(record, obs);
    if (!priced.identityHolds) opts.onCostViolation(record, obs, priced);
    if (opts.tracer !== null) buildStageSpans(opts.tracer, record, obs);
  });

  return () => {
    for (const off of offs.splice(0)) off();
    bindEngineStats(null);
  };
}
