// The lifecycle events the engine emits for every request and every batch step.
// The engine imports no metrics or tracing library: src/observability subscribes to these (labs 01–03).
import type { EngineRequest } from "./request.ts";

export type FinishReason = "stop" | "length" | "abort";
export type StepPhase = "prefill" | "decode";

export interface StepRow {
  readonly request: EngineRequest;
  /** tokens this row put through the model in this step (prompt length for prefill, 1 for decode) */
  readonly tokens: number;
}

export interface StepEvent {
  readonly phase: StepPhase;
  readonly startMs: number;
  readonly endMs: number;
  readonly rows: readonly StepRow[];
  /** B x S the model actually computed, padding included */
  readonly paddedTokens: number;
}

/** Each event's payload; every request event carries the request (timings, usage, the submitter's tag). */
export interface EngineEventMap {
  arrived: { request: EngineRequest };
  retrieved: { request: EngineRequest; passages: number };
  tokenized: { request: EngineRequest };
  enqueued: { request: EngineRequest; queueDepth: number };
  scheduled: { request: EngineRequest; slot: number };
  "first-token": { request: EngineRequest };
  token: { request: EngineRequest; tokenId: number };
  aborted: { request: EngineRequest; reason: string };
  finished: { request: EngineRequest };
  step: StepEvent;
}

export type EngineEventName = keyof EngineEventMap;

/** Every event, in the order a request meets them (docs/miniserve-map.md lists the same; a test compares). */
export const ENGINE_EVENTS = ["arrived", "retrieved", "tokenized", "enqueued", "scheduled", "step", "first-token", "token", "aborted", "finished"] as const satisfies readonly EngineEventName[];
// Compile-time: the list names every event of the map and nothing else.
const everyEvent: Record<EngineEventName, true> = Object.fromEntries(ENGINE_EVENTS.map((e) => [e, true])) as Record<(typeof ENGINE_EVENTS)[number], true>;
void everyEvent;
type Listener<K extends EngineEventName> = (payload: EngineEventMap[K]) => void;

/**
 * A small typed emitter. Unlike node's EventEmitter, a listener that throws is reported and
 * skipped: observability must never break the request path it observes.
 */
export class LifecycleEvents {
  private readonly listeners: { [K in EngineEventName]?: Listener<K>[] } = {};
  listenerErrors = 0;

  constructor(private readonly onListenerError: (event: string, err: unknown) => void = () => {}) {}

  on<K extends EngineEventName>(event: K, listener: Listener<K>): () => void {
    const list = (this.listeners[event] ??= []) as Listener<K>[];
    list.push(listener);
    return () => {
      const i = list.indexOf(listener);
      if (i >= 0) list.splice(i, 1);
    };
  }

  /** True when someone listens: lets the engine skip building payloads nobody reads. */
  has(event: EngineEventName): boolean {
    return (this.listeners[event]?.length ?? 0) > 0;
  }

  emit<K extends EngineEventName>(event: K, payload: EngineEventMap[K]): void {
    const list = this.listeners[event] as Listener<K>[] | undefined;
    if (!list) return;
    for (const listener of list) {
      try {
        listener(payload);
      } catch (err) {
        this.listenerErrors++;
        this.onListenerError(event, err);
      }
    }
  }
}
