// The JSON logger and the one line per finished or failed request, joined to traces by trace_id.
// The prompt is never logged, only its length and a hash (lab 02; the cost fields are lab 03's).
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import type { Logger, pino as PinoFactory } from "pino";
import type { Config } from "../config/index.ts";
import type { RequestObservation } from "./request-state.ts";

export type { Logger } from "pino";

// Loaded with require on purpose: the OpenTelemetry pino instrumentation hooks require(), and an
// ESM import of a CommonJS package bypasses that hook, leaving log lines without trace_id.
const pino = createRequire(import.meta.url)("pino") as typeof PinoFactory;

/** pino writing JSON lines to stdout; instrumentation-pino adds trace_id/span_id inside a span. */
export function createLogger(config: Pick<Config, "logLevel" | "otelServiceName">, destination?: NodeJS.WritableStream): Logger {
  const options = {
    level: config.logLevel,
    base: { service: config.otelServiceName, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  // Asynchronous writes to stdout: a line is written as soon as the previous write completes, and
  // under load the lines waiting meanwhile go out in one write instead of one each. pino flushes
  // what is left synchronously when the process exits.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

/** First 16 hex digits of SHA-256: enough to spot repeated prompts, useless to read them back. */
export function promptHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

const round = (n: number, digits = 3): number => Number(n.toFixed(digits));

export interface ResponseFacts {
  readonly httpRequestId: string;
  readonly endpoint: string;
  readonly method: string;
  readonly status: number;
  readonly durationMs: number;
  readonly traceId: string | null;
  readonly spanId: string | null;
  readonly errorCode?: string | undefined;
}

/** The fields of the per-request line; every number is read from the request's record, none recomputed. */
export function requestLogFields(obs: RequestObservation | undefined, facts: ResponseFacts): Record<string, unknown> {
  const base: Record<string, unknown> = {
    event: facts.status >= 400 ? "request_failed" : "request_finished",
    http_request_id: facts.httpRequestId,
    trace_id: facts.traceId ?? undefined,
    span_id: facts.spanId ?? undefined,
    endpoint: facts.endpoint,
    method: facts.method,
    status: facts.status,
    duration_ms: round(facts.durationMs),
  };
  if (facts.errorCode) base["error_code"] = facts.errorCode;
  const record = obs?.record;
  if (!obs || !record) return base;
  const ms = (seconds: number | null | undefined) => (seconds === null || seconds === undefined ? null : round(seconds * 1000));
  const aborted = record.finishReason === "abort";
  return {
    ...base,
    event: aborted ? "request_aborted" : base["event"],
    request_id: record.id,
    model_name: record.model,
    queue_time_ms: ms(record.seconds.queue),
    ttft_ms: ms(record.seconds.ttft),
    input_tokens: record.tokens.prompt,
    output_tokens: record.tokens.completion,
    batch_size: round(record.batch.decodeMean, 2),
    finish_reason: record.finishReason,
    abort_reason: aborted ? record.abortReason : undefined,
    cost_eur: record.cost.totalEur,
    cost_stage_eur: record.cost.stagesEur,
    prompt_chars: obs.prompt.chars,
    prompt_sha256: obs.prompt.sha256,
  };
}
