// Builds one request's span tree from its record, after the fact, with explicit start and end times,
// parented to the trace context captured at submit; and the respond span when the response ends (lab 02).
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, Tracer } from "@opentelemetry/api";
import { performance } from "node:perf_hooks";
import { COST_STAGES } from "./cost-tracker.ts";
import type { CostStage } from "./cost-tracker.ts";
import { GEN_AI_PROVIDER } from "./gen-ai-metrics.ts";
import type { RequestRecord, Stage } from "./request-record.ts";
import type { RequestObservation } from "./request-state.ts";

/** performance.now() milliseconds to epoch milliseconds, the time base of spans. */
export function epochMs(perfMs: number): number {
  return performance.timeOrigin + perfMs;
}

/** GenAI semantic-convention attributes plus miniserve's cost attributes, from the record. */
export function requestAttributes(record: RequestRecord): Attributes {
  const p = record.params;
  const attrs: Attributes = {
    "gen_ai.operation.name": record.operation,
    "gen_ai.provider.name": GEN_AI_PROVIDER,
    "gen_ai.request.model": record.model,
    "gen_ai.response.model": record.model,
    "gen_ai.response.id": record.id,
    "gen_ai.usage.input_tokens": record.tokens.prompt,
    "gen_ai.usage.output_tokens": record.tokens.completion,
    "gen_ai.response.finish_reasons": [record.finishReason],
    "miniserve.batch.size.mean": Number(record.batch.decodeMean.toFixed(3)),
    "miniserve.batch.size.max": record.batch.decodeMax,
    "cost.eur": record.cost.totalEur,
    "cost.engine_seconds": record.cost.engineSeconds,
    "cost.identity_ok": record.cost.identityHolds,
  };
  if (p.maxTokens !== null) attrs["gen_ai.request.max_tokens"] = p.maxTokens;
  if (p.temperature !== null) attrs["gen_ai.request.temperature"] = p.temperature;
  if (p.topP !== null) attrs["gen_ai.request.top_p"] = p.topP;
  for (const stage of COST_STAGES) attrs[`cost.stage.${stage}.eur`] = record.cost.stagesEur[stage];
  return attrs;
}

/** The priced stage a stage span shows the cost of. */
const COST_OF_SPAN: Readonly<Partial<Record<Stage, CostStage>>> = { retrieve: "retrieval", prefill: "prefill", decode: "decode" };

/** What each stage span carries besides its times. */
export function stageAttributes(stage: Stage, record: RequestRecord): Attributes {
  const attrs: Attributes = {};
  if (stage === "retrieve") Object.assign(attrs, { "gen_ai.operation.name": "retrieval", "miniserve.retrieval.passages": record.passages });
  if (stage === "tokenize" || stage === "prefill") attrs["gen_ai.usage.input_tokens"] = record.tokens.prompt;
  if (stage === "prefill") attrs["miniserve.batch.size"] = record.batch.prefill;
  if (stage === "decode") {
    Object.assign(attrs, {
      "gen_ai.usage.output_tokens": record.tokens.completion, "miniserve.decode.steps": record.batch.decodeSteps,
      "miniserve.batch.size.mean": Number(record.batch.decodeMean.toFixed(3)), "miniserve.batch.size.max": record.batch.decodeMax,
    });
  }
  const cost = COST_OF_SPAN[stage];
  if (cost !== undefined) attrs["cost.eur"] = record.cost.stagesEur[cost];
  return attrs;
}

/**
 * The request's span tree under the HTTP server span:
 *   "{operation} {model}" (arrival to finish, GenAI and cost attributes)
 *     ├ retrieve, tokenize, queue, prefill, decode (event: first_token)
 * The respond span is added when the response ends (respondSpan below). Every span is started
 * and ended here with explicit times, so nothing stays open and nothing becomes an orphan.
 */
export function buildStageSpans(tracer: Tracer, record: RequestRecord, obs: RequestObservation): void {
  const link = obs.trace;
  // Recorded, not only sampled: the tail policy may still keep an unflagged trace (an error, a slow one).
  if (link === null || !link.recording) return;
  // BEGIN LAB 02 BLOCK A: build the request's span tree under link.context, with explicit start and
  //   end times from the record (epochMs converts the engine's clock):
  //     "{record.operation} {record.model}"  arrivedMs → finishedMs, attributes: requestAttributes(record)
  //       └ one span per record.stages entry (retrieve, tokenize, queue, prefill, decode), startMs → endMs,
  //         attributes: stageAttributes(stage, record); decode has a "first_token" event at firstTokenMs
  //   Every span is started AND ended here, each with its parent context (trace.setSpan(ctx, span))
  //   as the third argument of tracer.startSpan: a span started without it is an orphan, one started
  //   under link.context instead of the generation span flattens the tree. Also set requestAttributes
  //   on link.rootSpan, and error status when record.finishReason is "abort" (on the generation and
  //   decode spans, and on a stage the request left before it completed).
  // STARTER: void tracer; void record; void requestAttributes; void stageAttributes; void SpanKind; void SpanStatusCode; void trace;
  const aborted = record.finishReason === "abort";
  const why = record.abortReason ?? "aborted";
  const attrs = requestAttributes(record);
  link.rootSpan.setAttributes(attrs);
  const gen = tracer.startSpan(`${record.operation} ${record.model}`, { kind: SpanKind.INTERNAL, startTime: epochMs(record.arrivedMs), attributes: attrs }, link.context);
  const ctx = trace.setSpan(link.context, gen);
  for (const s of record.stages) {
    const span = tracer.startSpan(s.stage, { kind: SpanKind.INTERNAL, startTime: epochMs(s.startMs), attributes: stageAttributes(s.stage, record) }, ctx);
    if (s.stage === "decode" && record.firstTokenMs !== null) span.addEvent("first_token", {}, epochMs(record.firstTokenMs));
    if (!s.completed) span.setStatus({ code: SpanStatusCode.ERROR, message: `left the ${s.stage} stage before it completed: ${why}` });
    else if (aborted && s.stage === "decode") span.setStatus({ code: SpanStatusCode.ERROR, message: why });
    span.end(epochMs(s.endMs));
  }
  if (aborted) {
    gen.setStatus({ code: SpanStatusCode.ERROR, message: why });
    link.rootSpan.setStatus({ code: SpanStatusCode.ERROR, message: `generation aborted: ${why}` });
  }
  gen.end(epochMs(record.finishedMs));
  // END LAB 02 BLOCK A
}

/** The respond stage: from the engine's finish to the last byte written (streams included). */
export function respondSpan(tracer: Tracer, obs: RequestObservation, statusCode: number): void {
  const link = obs.trace;
  if (link === null || !link.recording || obs.record === null) return;
  const span = tracer.startSpan("respond", { startTime: epochMs(obs.record.finishedMs), attributes: { "http.response.status_code": statusCode } }, link.context);
  if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${statusCode}` });
  span.end();
}
