// The metrics of one request: prompt tokens when it is tokenized, time to first token when its first
// token comes, and everything else from its record when it finishes. Labs 01 (tokens, TTFT) and 03 (cost).
import type { EngineRequest } from "../engine/index.ts";
import { COST_STAGES } from "./cost-tracker.ts";
import { recordGenAiTokenTimes } from "./gen-ai-metrics.ts";
import { metrics, observeWithTrace } from "./metrics.ts";
import { ttftSeconds } from "./request-record.ts";
import type { RequestRecord } from "./request-record.ts";
import type { RequestObservation } from "./request-state.ts";

/** On "tokenized": the prompt's tokens go into tokens_total as soon as they are known. */
export function observePromptTokens(request: EngineRequest): void {
  // BEGIN LAB 01 BLOCK C: add the request's prompt tokens (request.promptTokens) to
  //   tokens_total{kind="prompt", model_name: request.modelName}.
  // STARTER: void request;
  metrics().tokensTotal.inc({ kind: "prompt", model_name: request.modelName }, request.promptTokens);
  // END LAB 01 BLOCK C
}

/**
 * On "first-token": time to first token is observed the moment the first token exists, so a long
 * generation's TTFT shows on the dashboard long before the generation ends.
 */
export function observeFirstToken(request: EngineRequest, obs: RequestObservation): void {
  // BEGIN LAB 01 BLOCK C: observe time_to_first_token_seconds{model_name}: arrival to first token, in
  //   seconds — ttftSeconds(request.timings) computes it — through observeWithTrace with
  //   obs.exemplarTraceId (a trace id only when the trace is kept).
  // STARTER: void request; void obs; void ttftSeconds; void observeWithTrace;
  const ttft = ttftSeconds(request.timings);
  if (ttft !== null) observeWithTrace(metrics().timeToFirstToken, { model_name: request.modelName }, ttft, obs.exemplarTraceId);
  // END LAB 01 BLOCK C
}

/** On "finished": every per-request metric, rendered from the record; nothing here recomputes a time. */
export function renderRequestMetrics(record: RequestRecord, obs: RequestObservation): void {
  const m = metrics();
  const model = { model_name: record.model };
  const traceId = obs.exemplarTraceId;
  // BEGIN LAB 01 BLOCK C: completion tokens, counted once per request when it finishes, from its exact
  //   usage (record.tokens.completion), not once per token: tokens_total{kind="completion", model_name}.
  m.tokensTotal.inc({ kind: "completion", model_name: record.model }, record.tokens.completion);
  // END LAB 01 BLOCK C
  m.requestFinished.inc({ finish_reason: record.finishReason });
  const s = record.seconds;
  if (s.queue !== undefined) m.queueTime.observe(model, s.queue);
  if (s.prefill !== undefined) m.prefillTime.observe(model, s.prefill);
  if (s.decode !== undefined && s.ttft !== null) m.decodeTime.observe(model, s.decode);
  if (s.perOutputToken !== null) m.timePerOutputToken.observe(model, s.perOutputToken);
  if (s.retrieve !== undefined) m.retrievalTime.observe(s.retrieve);
  recordGenAiTokenTimes(record, traceId);
  const cost = record.cost;
  observeWithTrace(m.costPerRequest, model, cost.totalEur, traceId);
  if (record.tokens.completion > 0) observeWithTrace(m.costPer1kOutputTokens, model, (cost.totalEur / record.tokens.completion) * 1000, traceId);
  for (const stage of COST_STAGES) if (cost.stagesEur[stage] > 0) m.costStageTotal.inc({ stage }, cost.stagesEur[stage]);
  if (!cost.identityHolds) m.costIdentityViolations.inc();
}
