// Messages between the engine front (main thread: HTTP, tokenizer, events) and the engine core
// (worker thread: scheduler, KV cache, model, sampler). Times cross threads as epoch milliseconds.
import type { ErrorCode } from "../errors/codes.ts";
import type { FinishReason, StepPhase } from "./lifecycle-events.ts";
import type { ModelLimits } from "./model-folder.ts";

export interface CoreInit extends ModelLimits {
  /** a model folder, or an .onnx file inside one */
  readonly modelDir: string;
  readonly intraOpThreads: number;
  readonly prefillTokenBudget: number;
}

/** One generation as the core sees it: token ids in, token ids out. */
export interface CoreRequest {
  readonly id: string;
  readonly promptIds: readonly number[];
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number;
  readonly ignoreEos: boolean;
}

export type ToCore =
  | { readonly kind: "add"; readonly request: CoreRequest }
  /** Stop a request: `finishReason` is "stop" when the front found a stop string, else "abort". */
  | { readonly kind: "abort"; readonly id: string; readonly finishReason: FinishReason; readonly reason: string }
  | { readonly kind: "close" };

/** What happened in one scheduler iteration, in order. */
export type CoreEvent =
  | { readonly kind: "scheduled"; readonly id: string; readonly slot: number; readonly atMs: number }
  | {
      readonly kind: "step";
      readonly phase: StepPhase;
      readonly startMs: number;
      readonly endMs: number;
      readonly rows: readonly { readonly id: string; readonly tokens: number }[];
      readonly paddedTokens: number;
      /** the token each row sampled from this step's logits, in row order (-1: none, the row was cancelled) */
      readonly sampled: readonly number[];
    }
  | { readonly kind: "finished"; readonly id: string; readonly finishReason: FinishReason; readonly reason: string | null; readonly atMs: number };

/** The core's own state after an iteration: the one source of the queue, slot and running counts. */
export interface CoreCounts {
  /** "add" messages the core has taken in since it started (the front counts what it sent). */
  readonly received: number;
  /** Requests in the core's queue, waiting for a slot. */
  readonly queued: number;
  /** Requests holding a slot (prefilling or decoding). */
  readonly running: number;
  readonly slotsUsed: number;
}

export type FromCore =
  | { readonly kind: "ready"; readonly config: import("./model-config.ts").ModelConfig }
  | { readonly kind: "init-error"; readonly code: ErrorCode; readonly message: string }
  | { readonly kind: "update"; readonly events: readonly CoreEvent[]; readonly counts: CoreCounts }
  | { readonly kind: "closed" };

/** This thread's clock as epoch milliseconds, comparable across threads. */
export function epochNow(): number {
  return performance.timeOrigin + performance.now();
}

/** An epoch time from another thread on this thread's performance.now() clock. */
export function toLocalMs(epochMs: number): number {
  return epochMs - performance.timeOrigin;
}
