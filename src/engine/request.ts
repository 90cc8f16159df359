// One request's state inside the engine: its tokens, timings, sampling, stop strings and result.
// Lab 02 reads its timings to build spans; lab 03 reads its usage to price it.
import type { TokenTextStream } from "./text-tokenizer.ts";
import type { FinishReason } from "./lifecycle-events.ts";
import type { SamplingParams } from "./sampler.ts";

/** Times on the performance.now() clock, in ms; undefined until the stage happens. */
export interface RequestTimings {
  arrivedMs: number;
  retrievalStartMs?: number;
  retrievedMs?: number;
  tokenizeStartMs?: number;
  tokenizedMs?: number;
  enqueuedMs?: number;
  scheduledMs?: number;
  prefillStartMs?: number;
  prefillEndMs?: number;
  firstTokenMs?: number;
  finishedMs?: number;
}

export interface RetrievedPassage {
  readonly id: string;
  readonly source: string;
  readonly text: string;
  readonly score: number;
}

export interface GenerationResult {
  readonly id: string;
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly timings: Readonly<RequestTimings>;
}

/** queued: waiting for a slot; running: holds a KV slot in the engine core; finished: settled. */
export type RequestStatus = "queued" | "running" | "finished";

export class EngineRequest {
  status: RequestStatus = "queued";
  slot = -1;
  promptIds: number[] = [];
  completionTokens = 0;
  text = "";
  finishReason: FinishReason | null = null;
  abortReason: string | null = null;
  /** The text reached a stop string; the core is asked to stop and later tokens are ignored. */
  stoppedByString = false;
  passages: readonly RetrievedPassage[] = [];
  /** Text held back because it could be the start of a stop string. */
  private pending = "";

  constructor(
    readonly id: string,
    readonly modelName: string,
    readonly maxTokens: number,
    readonly sampling: SamplingParams,
    /** the sampler's seed: the same seed gives the same text */
    readonly seed: number,
    readonly stop: readonly string[],
    readonly decoder: TokenTextStream,
    readonly onText: ((delta: string) => void) | undefined,
    readonly timings: RequestTimings,
    /**
     * Whatever the submitter handed in for the event subscribers (observability's per-request
     * state); the engine never reads it, and nothing is keyed by a name on the request.
     */
    readonly tag: object | undefined,
    /** Keep generating past end-of-text until max_tokens (fixed-length load tests). */
    readonly ignoreEos = false,
  ) {}

  get promptTokens(): number {
    return this.promptIds.length;
  }

  /**
   * Add decoded text; returns true when a stop string was hit (the text is cut before it).
   * Text that might begin a stop string is held back until it is known not to.
   */
  pushText(delta: string): boolean {
    if (this.stop.length === 0) {
      this.emit(delta);
      return false;
    }
    const buffer = this.pending + delta;
    let cut = -1;
    for (const s of this.stop) {
      const at = buffer.indexOf(s);
      if (at >= 0 && (cut < 0 || at < cut)) cut = at;
    }
    if (cut >= 0) {
      this.pending = "";
      this.emit(buffer.slice(0, cut));
      return true;
    }
    let hold = 0;
    for (const s of this.stop) {
      for (let k = Math.min(s.length - 1, buffer.length); k > hold; k--) {
        if (buffer.endsWith(s.slice(0, k))) {
          hold = k;
          break;
        }
      }
    }
    this.pending = buffer.slice(buffer.length - hold);
    this.emit(buffer.slice(0, buffer.length - hold));
    return false;
  }

  /** Release held-back text when the request ends for a reason other than a stop string. */
  flushText(): void {
    const rest = this.pending + this.decoder.flush();
    this.pending = "";
    this.emit(rest);
  }

  private emit(delta: string): void {
    if (delta.length === 0) return;
    this.text += delta;
    this.onText?.(delta);
  }

  result(): GenerationResult {
    return {
      id: this.id,
      text: this.text,
      finishReason: this.finishReason ?? "abort",
      promptTokens: this.promptTokens,
      completionTokens: this.completionTokens,
      timings: this.timings,
    };
  }
}
