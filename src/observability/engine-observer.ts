// Subscribes to the engine's lifecycle events and turns them into metrics, costs and stage spans.
// Per step and per request only: no per-token work, every subscriber wrapped (labs 01–03).
import type { Tracer } from "@opentelemetry/api";
import type { Engine, EngineEventMap, EngineEventName, EngineRequest } from "../engine/index.ts";
import { CostTracker } from "./cost-tracker.ts";
import type { CostRecord } from "./cost-tracker.ts";
import { recordGenAiTokenTimes } from "./gen-ai-metrics.ts";
import { bindEngineStats, metrics, observeWithTrace } from "./metrics.ts";
import { buildStageSpans } from "./request-spans.ts";
import { LiveRequests, OBS_META_KEY, RequestObservation, observationOf } from "./request-state.ts";

export interface EngineObserverOptions {
  readonly ratePerSecondEur: number;
  /** null when tracing is off: metrics and cost still work. */
  readonly tracer: Tracer | null;
  /** Called once per request whose stage costs miss the identity by more than 0.1 %. */
  readonly onCostViolation: (request: EngineRequest, record: CostRecord) => void;
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
  const obsOf = (request: EngineRequest): RequestObservation => {
    let obs = observationOf(request);
    if (obs === undefined) {
      // Submitted without the HTTP layer (a notebook, a benchmark): observe it all the same.
      obs = new RequestObservation();
      request.meta[OBS_META_KEY] = obs;
    }
    return obs;
  };

  on("arrived", ({ request }) => {
    const obs = obsOf(request);
    obs.engine = request;
    live.add(request.id, obs);
  });
  on("retrieved", ({ request }) => {
    const seconds = (request.timings.retrievedMs! - request.timings.retrievalStartMs!) / 1000;
    cost.addRetrieval(obsOf(request).cost, seconds);
    m.retrievalTime.observe(seconds);
  });
  // BEGIN LAB 01 BLOCK C: prompt tokens and time to first token. Subscribe to "tokenized" and add
  //   the request's prompt tokens to tokens_total{kind="prompt", model_name}; subscribe to
  //   "first-token" and observe time_to_first_token_seconds{model_name}: from request.timings.arrivedMs
  //   to firstTokenMs, in seconds, through observeWithTrace (exemplar only when obs.sampled).
  on("tokenized", ({ request }) => {
    m.tokensTotal.inc({ kind: "prompt", model_name: request.modelName }, request.promptTokens);
  });
  on("first-token", ({ request }) => {
    const obs = obsOf(request);
    const t = request.timings;
    observeWithTrace(m.timeToFirstToken, { model_name: request.modelName }, (t.firstTokenMs! - t.arrivedMs) / 1000, obs.sampled ? obs.traceId : null);
  });
  // END LAB 01 BLOCK C
  on("step", (step) => {
    m.batchSize.observe({ phase: step.phase }, step.rows.length);
    cost.addStep(step, (row) => obsOf(row.request).cost);
    for (const row of step.rows) {
      const obs = obsOf(row.request);
      if (step.phase === "prefill") obs.prefillBatch = step.rows.length;
      else {
        obs.decodeSteps++;
        obs.decodeRows += step.rows.length;
        if (step.rows.length > obs.decodeMaxBatch) obs.decodeMaxBatch = step.rows.length;
      }
    }
  });
  on("finished", ({ request }) => {
    const obs = obsOf(request);
    live.delete(request.id);
    obs.finishedMs = request.timings.finishedMs ?? null;
    // The one cost computation; metrics, spans and the log line below all read this record.
    const record = cost.finish(obs.cost);
    obs.record = record;
    finishMetrics(request, obs, record);
    if (!record.identityHolds) {
      m.costIdentityViolations.inc();
      opts.onCostViolation(request, record);
    }
    if (opts.tracer !== null) buildStageSpans(opts.tracer, obs, request);
  });

  return () => {
    for (const off of offs.splice(0)) off();
    bindEngineStats(null);
  };
}

/** Per-request metrics, observed once when the request ends. */
function finishMetrics(request: EngineRequest, obs: RequestObservation, record: CostRecord): void {
  const m = metrics();
  const model = { model_name: request.modelName };
  const t = request.timings;
  const traceId = obs.sampled ? obs.traceId : null;
  // BEGIN LAB 01 BLOCK C: completion tokens, counted once per request when it finishes (its exact
  //   usage, request.completionTokens), not once per token: tokens_total{kind="completion", model_name}.
  m.tokensTotal.inc({ kind: "completion", model_name: request.modelName }, request.completionTokens);
  // END LAB 01 BLOCK C
  m.requestFinished.inc({ finish_reason: request.finishReason ?? "abort" });
  if (t.enqueuedMs !== undefined && t.scheduledMs !== undefined) m.queueTime.observe(model, (t.scheduledMs - t.enqueuedMs) / 1000);
  if (t.prefillStartMs !== undefined && t.prefillEndMs !== undefined) m.prefillTime.observe(model, (t.prefillEndMs - t.prefillStartMs) / 1000);
  if (t.firstTokenMs !== undefined && t.finishedMs !== undefined) {
    m.decodeTime.observe(model, (t.finishedMs - t.firstTokenMs) / 1000);
    if (request.completionTokens > 1) m.timePerOutputToken.observe(model, (t.finishedMs - t.firstTokenMs) / 1000 / (request.completionTokens - 1));
  }
  recordGenAiTokenTimes(request, obs);
  observeWithTrace(m.costPerRequest, model, record.totalEur, traceId);
  if (request.completionTokens > 0) observeWithTrace(m.costPer1kOutputTokens, model, (record.totalEur / request.completionTokens) * 1000, traceId);
  for (const [stage, eur] of Object.entries(record.stagesEur)) if (eur > 0) m.costStageTotal.inc({ stage }, eur);
}
