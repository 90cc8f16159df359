// Builds one request's stage spans from the engine's timings, after the fact, with explicit start
// and end times, parented to the trace context captured at submit (lab 02).
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, Context, Span, Tracer } from "@opentelemetry/api";
import { performance } from "node:perf_hooks";
import type { EngineRequest } from "../engine/index.ts";
import type { RequestObservation } from "./request-state.ts";

/** performance.now() milliseconds to epoch milliseconds, the time base of spans. */
export function epochMs(perfMs: number): number {
  return performance.timeOrigin + perfMs;
}

/** GenAI semantic-convention attributes plus miniserve's cost attributes, from one observation. */
export function requestAttributes(obs: RequestObservation, request: EngineRequest): Attributes {
  const attrs: Attributes = {
    "gen_ai.operation.name": obs.operation,
    "gen_ai.system": "miniserve",
    "gen_ai.request.model": request.modelName,
    "gen_ai.response.model": request.modelName,
    "gen_ai.response.id": request.id,
    "gen_ai.request.max_tokens": obs.maxTokens ?? request.maxTokens,
    "gen_ai.request.temperature": obs.temperature ?? request.sampling.temperature,
    "gen_ai.request.top_p": request.sampling.topP,
    "gen_ai.usage.input_tokens": request.promptTokens,
    "gen_ai.usage.output_tokens": request.completionTokens,
    "gen_ai.response.finish_reasons": [request.finishReason ?? "abort"],
    "miniserve.batch.size.mean": Number(obs.meanDecodeBatch.toFixed(3)),
    "miniserve.batch.size.max": obs.decodeMaxBatch,
  };
  const rec = obs.record;
  if (rec !== null) {
    attrs["cost.eur"] = rec.totalEur;
    for (const [stage, eur] of Object.entries(rec.stagesEur)) attrs[`cost.stage.${stage}.eur`] = eur;
    attrs["cost.engine_seconds"] = rec.engineSeconds;
    attrs["cost.identity_ok"] = rec.identityHolds;
  }
  return attrs;
}

function child(tracer: Tracer, parent: Context, name: string, startMs: number, endMs: number, attributes: Attributes = {}): Span {
  const span = tracer.startSpan(name, { kind: SpanKind.INTERNAL, startTime: epochMs(startMs), attributes }, parent);
  span.end(epochMs(Math.max(startMs, endMs)));
  return span;
}

/**
 * The request's span tree under the HTTP server span:
 *   "{operation} {model}" (arrival to finish, GenAI and cost attributes)
 *     ├ retrieve, tokenize, queue, prefill, decode (event: first_token)
 * The respond span is added when the response ends (respondSpan below). Every span is started
 * and ended here with explicit times, so nothing stays open and nothing becomes an orphan.
 */
export function buildStageSpans(tracer: Tracer, obs: RequestObservation, request: EngineRequest): void {
  // Recorded, not only sampled: the tail policy may still keep an unflagged trace (an error, a slow one).
  if (obs.traceContext === null || !obs.recording) return;
  // BEGIN LAB 02 BLOCK A: build the request's span tree under obs.traceContext, with explicit start
  //   and end times from request.timings (epochMs converts them):
  //     "{obs.operation} {request.modelName}"  arrivedMs → finishedMs, attributes: requestAttributes(obs, request)
  //       ├ retrieve (only when retrieval ran), tokenize, queue, prefill
  //       └ decode  prefillEndMs → finishedMs, with a "first_token" event at firstTokenMs
  //   Every span is started AND ended here, each with its parent context (trace.setSpan(ctx, span))
  //   as the third argument of tracer.startSpan: a span started without it is an orphan, one started
  //   under obs.traceContext instead of the generation span flattens the tree. Also set
  //   requestAttributes on obs.rootSpan, and error status when request.finishReason is "abort".
  // STARTER: void tracer; void request; void child; void requestAttributes; void SpanKind; void SpanStatusCode; void trace;
  const t = request.timings;
  const end = t.finishedMs ?? performance.now();
  const aborted = request.finishReason === "abort";
  const attrs = requestAttributes(obs, request);
  obs.rootSpan?.setAttributes(attrs);

  const gen = tracer.startSpan(`${obs.operation} ${request.modelName}`, { kind: SpanKind.INTERNAL, startTime: epochMs(t.arrivedMs), attributes: attrs }, obs.traceContext);
  const ctx = trace.setSpan(obs.traceContext, gen);
  if (t.retrievalStartMs !== undefined && t.retrievedMs !== undefined) {
    child(tracer, ctx, "retrieve", t.retrievalStartMs, t.retrievedMs, {
      "gen_ai.operation.name": "retrieval", "miniserve.retrieval.passages": request.passages.length,
      "cost.eur": obs.record?.stagesEur.retrieval ?? 0,
    });
  }
  if (t.tokenizeStartMs !== undefined && t.tokenizedMs !== undefined) {
    child(tracer, ctx, "tokenize", t.tokenizeStartMs, t.tokenizedMs, { "gen_ai.usage.input_tokens": request.promptTokens });
  }
  if (t.enqueuedMs !== undefined) {
    const queue = tracer.startSpan("queue", { startTime: epochMs(t.enqueuedMs) }, ctx);
    if (t.scheduledMs === undefined) queue.setStatus({ code: SpanStatusCode.ERROR, message: `left the queue unscheduled: ${request.abortReason ?? "aborted"}` });
    queue.end(epochMs(t.scheduledMs ?? end));
  }
  if (t.prefillStartMs !== undefined && t.prefillEndMs !== undefined) {
    child(tracer, ctx, "prefill", t.prefillStartMs, t.prefillEndMs, {
      "miniserve.batch.size": obs.prefillBatch, "gen_ai.usage.input_tokens": request.promptTokens,
      "cost.eur": obs.record?.stagesEur.prefill ?? 0,
    });
  }
  if (t.prefillEndMs !== undefined) {
    const decode = tracer.startSpan("decode", {
      startTime: epochMs(t.prefillEndMs),
      attributes: {
        "gen_ai.usage.output_tokens": request.completionTokens, "miniserve.decode.steps": obs.decodeSteps,
        "miniserve.batch.size.mean": Number(obs.meanDecodeBatch.toFixed(3)), "miniserve.batch.size.max": obs.decodeMaxBatch,
        "cost.eur": obs.record?.stagesEur.decode ?? 0,
      },
    }, ctx);
    if (t.firstTokenMs !== undefined) decode.addEvent("first_token", {}, epochMs(t.firstTokenMs));
    if (aborted) decode.setStatus({ code: SpanStatusCode.ERROR, message: request.abortReason ?? "aborted" });
    decode.end(epochMs(Math.max(t.prefillEndMs, end)));
  }
  if (aborted) {
    gen.setStatus({ code: SpanStatusCode.ERROR, message: request.abortReason ?? "aborted" });
    obs.rootSpan?.setStatus({ code: SpanStatusCode.ERROR, message: `generation aborted: ${request.abortReason ?? "aborted"}` });
  }
  gen.end(epochMs(end));
  // END LAB 02 BLOCK A
}

/** The respond stage: from the engine's finish to the last byte written (streams included). */
export function respondSpan(tracer: Tracer, obs: RequestObservation, statusCode: number): void {
  if (obs.traceContext === null || !obs.recording || obs.finishedMs === null) return;
  const span = tracer.startSpan("respond", { startTime: epochMs(obs.finishedMs), attributes: { "http.response.status_code": statusCode } }, obs.traceContext);
  if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}` });
  span.end();
}
