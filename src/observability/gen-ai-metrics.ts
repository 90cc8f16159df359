// The OpenTelemetry GenAI server metrics' observations: request duration from the HTTP layer, time
// to first token and time per output token when a generation succeeds. Bounded label values only (lab 01).
import { ERROR_CODES } from "../errors/codes.ts";
import { metrics, observeWithTrace } from "./metrics.ts";
import type { RequestRecord } from "./request-record.ts";
import type { RequestObservation } from "./request-state.ts";

/**
 * gen_ai.provider.name: none of the conventions' well-known values applies to a self-hosted server,
 * and a custom value is allowed; spans and metrics must agree on it.
 */
export const GEN_AI_PROVIDER = "miniserve";

/** The two generation routes and the gen_ai.operation.name each one performs. */
const OPERATION_OF_ROUTE: Readonly<Record<string, "text_completion" | "chat">> = {
  "/v1/completions": "text_completion",
  "/v1/chat/completions": "chat",
};

export function genAiOperationOfRoute(route: string | undefined): "text_completion" | "chat" | null {
  return route !== undefined ? OPERATION_OF_ROUTE[route] ?? null : null;
}

/**
 * error.type: the stable MSV_ERR_* code when the failure has one, else the HTTP status; both sets
 * are finite, so a client cannot create series. "" (no label) on success.
 */
export function genAiErrorType(status: number, code: string | undefined): string {
  if (status < 400) return "";
  if (code !== undefined && Object.hasOwn(ERROR_CODES, code)) return code;
  return String(status);
}

function labels(operation: string, requestModel: string, responseModel: string): Record<string, string> {
  return { gen_ai_operation_name: operation, gen_ai_provider_name: GEN_AI_PROVIDER, gen_ai_request_model: requestModel, gen_ai_response_model: responseModel };
}

/** The label sets of a model's successful generations, one per operation: known before any request. */
export function genAiSuccessLabels(modelName: string): Record<string, string>[] {
  return [...new Set(Object.values(OPERATION_OF_ROUTE))].map((operation) => labels(operation, modelName, modelName));
}

/** gen_ai.server.request.duration: one observation per generation response, errors included. */
export function recordGenAiRequest(
  route: string | undefined, obs: RequestObservation | undefined, status: number, errorCode: string | undefined,
  durationSeconds: number, traceId: string | null,
): void {
  const operation = genAiOperationOfRoute(route);
  if (operation === null) return;
  // Only an accepted request carries a model, and it is the served one: any other name was
  // rejected (MSV_ERR_UNKNOWN_MODEL) before reaching the engine, and is left out here.
  const model = obs?.model ?? "";
  const errorType = genAiErrorType(status, errorCode);
  const l = labels(operation, model, errorType === "" ? model : "");
  observeWithTrace(metrics().genAiRequestDuration, { ...l, error_type: errorType }, durationSeconds, traceId);
}

/** gen_ai.server.time_to_first_token and time_per_output_token, for a generation that succeeded. */
export function recordGenAiTokenTimes(record: RequestRecord, traceId: string | null): void {
  const s = record.seconds;
  if (record.finishReason === "abort" || s.ttft === null) return;
  const m = metrics();
  const l = labels(record.operation, record.model, record.model);
  observeWithTrace(m.genAiTimeToFirstToken, l, s.ttft, traceId);
  // The conventions' definition, (request duration - time to first token) / (output tokens - 1): the record's.
  if (s.perOutputToken !== null) m.genAiTimePerOutputToken.observe(l, s.perOutputToken);
}
