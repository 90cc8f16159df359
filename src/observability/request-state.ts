// What observability gathers about one request while it runs — its trace link and validated
// parameters from the HTTP layer, its cost accumulator and batch facts from the engine — and the
// record it becomes when it finishes; kept in a bounded table while live (labs 01–03).
import type { Context, Span } from "@opentelemetry/api";
import type { EngineRequest } from "../engine/index.ts";
import { CostAccumulator } from "./cost-tracker.ts";
import type { RequestParams, RequestRecord } from "./request-record.ts";

/** The request's place in a trace, captured in the route handler inside the HTTP server span. */
export interface TraceLink {
  readonly context: Context;
  readonly rootSpan: Span;
  readonly traceId: string;
  readonly spanId: string;
  /** True while the request's spans are recorded: its stage spans are built then. */
  readonly recording: boolean;
  /** True when the trace is kept for certain (W3C sampled flag): only then are exemplars attached. */
  readonly sampled: boolean;
}

const NO_PARAMS: RequestParams = { maxTokens: null, temperature: null, topP: null, stream: false, retrievalTopK: null };

/**
 * Handed to the engine as the request's opaque tag by the HTTP layer (or made by the engine observer
 * for a request submitted without one); the engine never looks inside.
 */
export class RequestObservation {
  /** Set once the request finishes: every view renders it. */
  record: RequestRecord | null = null;
  readonly cost = new CostAccumulator();
  readonly batch = { prefill: 0, decodeSteps: 0, decodeRows: 0, decodeMax: 0 };

  constructor(
    /** The served model's name (the route rejected any other). */
    readonly model: string,
    readonly trace: TraceLink | null = null,
    readonly operation: "text_completion" | "chat" = "text_completion",
    readonly params: RequestParams = NO_PARAMS,
    readonly prompt: { readonly chars: number; readonly sha256: string | null } = { chars: 0, sha256: null },
  ) {}

  /** The trace id for an exemplar: only for a trace kept for certain. */
  get exemplarTraceId(): string | null {
    return this.trace?.sampled ? this.trace.traceId : null;
  }
}

/** The observation the HTTP layer attached to the request, if any. */
export function observationOf(request: EngineRequest): RequestObservation | undefined {
  return request.tag instanceof RequestObservation ? request.tag : undefined;
}

/**
 * Requests between `arrived` and `finished`. Entries leave on `finished` (which the engine fires
 * after `aborted` too); the cap only matters if a request never finishes. Then the oldest entry
 * is dropped and counted instead of letting the table grow without bound.
 */
export class LiveRequests {
  private readonly live = new Map<EngineRequest, RequestObservation>();

  constructor(private readonly cap: number, private readonly onEvict: () => void) {}

  add(request: EngineRequest, obs: RequestObservation): void {
    if (this.live.size >= this.cap) {
      const oldest = this.live.keys().next();
      if (!oldest.done) {
        this.live.delete(oldest.value);
        this.onEvict();
      }
    }
    this.live.set(request, obs);
  }

  get(request: EngineRequest): RequestObservation | undefined {
    return this.live.get(request);
  }

  delete(request: EngineRequest): void {
    this.live.delete(request);
  }

  get size(): number {
    return this.live.size;
  }
}
