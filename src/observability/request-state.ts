// What observability remembers about one request between its events: trace context, sampling
// parameters, the cost accumulator and batch statistics; held in a bounded table (labs 02–03).
import type { Context, Span } from "@opentelemetry/api";
import type { EngineRequest } from "../engine/index.ts";
import { CostAccumulator } from "./cost-tracker.ts";
import type { CostRecord } from "./cost-tracker.ts";

/** The key under which the observation sits in EngineRequest.meta (the engine never reads it). */
export const OBS_META_KEY = "observation";

export class RequestObservation {
  /** The request's trace context captured at submit; stage spans are parented to it. */
  traceContext: Context | null = null;
  rootSpan: Span | null = null;
  traceId: string | null = null;
  spanId: string | null = null;
  /** True while the request's spans are recorded: its stage spans are built then. */
  recording = false;
  /** True when the trace is kept for certain (W3C sampled flag): only then are exemplars attached. */
  sampled = false;
  operation: "text_completion" | "chat" = "text_completion";
  maxTokens: number | null = null;
  temperature: number | null = null;
  promptChars = 0;
  /** First 16 hex digits of the prompt's SHA-256: lets logs group repeats without storing text. */
  promptSha256: string | null = null;
  readonly cost = new CostAccumulator();
  prefillBatch = 0;
  decodeSteps = 0;
  decodeRows = 0;
  decodeMaxBatch = 0;
  engine: EngineRequest | null = null;
  record: CostRecord | null = null;
  /** performance.now() when the engine finished the request (start of the respond stage). */
  finishedMs: number | null = null;

  /** Mean rows per decode step this request took part in (its batch size while generating). */
  get meanDecodeBatch(): number {
    return this.decodeSteps > 0 ? this.decodeRows / this.decodeSteps : this.prefillBatch;
  }
}

export function observationOf(request: EngineRequest): RequestObservation | undefined {
  const obs = request.meta[OBS_META_KEY];
  return obs instanceof RequestObservation ? obs : undefined;
}

/**
 * Requests between `arrived` and `finished`. Entries leave on `finished` (which the engine fires
 * after `aborted` too); the cap only matters if a request never finishes. Then the oldest entry
 * is dropped and counted instead of letting the table grow without bound.
 */
export class LiveRequests {
  private readonly live = new Map<string, RequestObservation>();

  constructor(private readonly cap: number, private readonly onEvict: () => void) {}

  add(id: string, obs: RequestObservation): void {
    if (this.live.size >= this.cap) {
      const oldest = this.live.keys().next();
      if (!oldest.done) {
        this.live.delete(oldest.value);
        this.onEvict();
      }
    }
    this.live.set(id, obs);
  }

  delete(id: string): void {
    this.live.delete(id);
  }

  get size(): number {
    return this.live.size;
  }
}
