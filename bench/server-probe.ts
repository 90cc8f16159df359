// Server-side view for the benchmarks, from the engine's own lifecycle events (the same events
// src/observability subscribes to): decode tokens, step times and batch sizes over a window.
import type { Engine } from "../src/engine/index.ts";

export interface ProbeWindow {
  readonly seconds: number;
  /** from the first step's start to the last step's end in the window: leaves out the load generator's start-up */
  readonly activeSeconds: number;
  readonly decodeTokens: number;
  readonly prefillTokens: number;
  readonly decodeSteps: number;
  readonly meanDecodeBatch: number;
  /** mean over decode steps of the longest cache in the step (prompt + tokens so far): the padded length */
  readonly meanDecodeLongestCache: number;
  /** mean over decoded rows of the row's own cache length: the work a step does without padding */
  readonly meanDecodeRowCache: number;
  /** fraction of the active time in decode forward passes, and in prefill forward passes */
  readonly decodeFraction: number;
  readonly prefillFraction: number;
  readonly meanDecodeStepMs: number;
  /** decode tokens over the time inside decode steps: the engine's own decode rate, whatever the load */
  readonly decodeStepTokensPerSecond: number;
  readonly prefillSteps: number;
  /** prompts prefilled: with prefillSteps, how many rows a prefill call carried on average */
  readonly prefillRows: number;
  readonly meanPrefillStepMs: number;
  /** padded rows x length the prefill calls computed, over the real prompt tokens */
  readonly prefillPaddingRatio: number;
  /** fraction of wall time the engine spent inside forward passes */
  readonly busyFraction: number;
  /** the row cache lengths of every DECODE_SAMPLE_EVERY-th decode step (at most DECODE_SAMPLES_MAX): real ragged batches to time the bare model on */
  readonly decodeBatchSamples: readonly (readonly number[])[];
  readonly finished: number;
}

/** Every this many decode steps, one step's row caches is kept, up to DECODE_SAMPLES_MAX per window. */
export const DECODE_SAMPLE_EVERY = 200;
export const DECODE_SAMPLES_MAX = 16;

export class ServerProbe {
  private decodeBatchSamples: number[][] = [];
  private decodeTokens = 0;
  private prefillTokens = 0;
  private decodeSteps = 0;
  private decodeMs = 0;
  private busyMs = 0;
  private longestCacheSum = 0;
  private rowCacheSum = 0;
  private firstStepMs = Number.NaN;
  private lastStepMs = Number.NaN;
  private prefillSteps = 0;
  private prefillRows = 0;
  private prefillMs = 0;
  private prefillPadded = 0;
  private finished = 0;
  private startedMs = performance.now();
  private readonly offs: (() => void)[];

  constructor(engine: Engine) {
    this.offs = [
      engine.events.on("step", (s) => {
        const ms = s.endMs - s.startMs;
        if (Number.isNaN(this.firstStepMs)) this.firstStepMs = s.startMs;
        this.lastStepMs = s.endMs;
        this.busyMs += ms;
        if (s.phase === "decode") {
          this.decodeSteps++;
          this.decodeTokens += s.rows.length;
          let longest = 0;
          for (const r of s.rows) {
            const cache = r.request.promptTokens + r.request.completionTokens;
            longest = Math.max(longest, cache);
            this.rowCacheSum += cache;
          }
          this.longestCacheSum += longest;
          if (this.decodeSteps % DECODE_SAMPLE_EVERY === 0 && this.decodeBatchSamples.length < DECODE_SAMPLES_MAX) {
            this.decodeBatchSamples.push(s.rows.map((r) => r.request.promptTokens + r.request.completionTokens));
          }
          this.decodeMs += ms;
        } else {
          this.prefillSteps++;
          this.prefillMs += ms;
          this.prefillPadded += s.paddedTokens;
          this.prefillRows += s.rows.length;
          for (const r of s.rows) this.prefillTokens += r.tokens;
        }
      }),
      engine.events.on("finished", () => void this.finished++),
    ];
  }

  /** Read the window since the last call and start a new one. */
  take(): ProbeWindow {
    const seconds = (performance.now() - this.startedMs) / 1000;
    const active = Number.isNaN(this.firstStepMs) ? 0 : (this.lastStepMs - this.firstStepMs) / 1000;
    const w: ProbeWindow = {
      seconds,
      activeSeconds: active,
      decodeTokens: this.decodeTokens,
      prefillTokens: this.prefillTokens,
      decodeSteps: this.decodeSteps,
      meanDecodeBatch: this.decodeSteps ? this.decodeTokens / this.decodeSteps : 0,
      meanDecodeLongestCache: this.decodeSteps ? this.longestCacheSum / this.decodeSteps : 0,
      meanDecodeRowCache: this.decodeTokens ? this.rowCacheSum / this.decodeTokens : 0,
      decodeFraction: active > 0 ? this.decodeMs / 1000 / active : 0,
      prefillFraction: active > 0 ? this.prefillMs / 1000 / active : 0,
      meanDecodeStepMs: this.decodeSteps ? this.decodeMs / this.decodeSteps : 0,
      decodeStepTokensPerSecond: this.decodeMs > 0 ? (this.decodeTokens / this.decodeMs) * 1000 : 0,
      busyFraction: this.busyMs / 1000 / seconds,
      prefillSteps: this.prefillSteps,
      prefillRows: this.prefillRows,
      meanPrefillStepMs: this.prefillSteps ? this.prefillMs / this.prefillSteps : 0,
      prefillPaddingRatio: this.prefillTokens ? this.prefillPadded / this.prefillTokens : 0,
      finished: this.finished,
      decodeBatchSamples: this.decodeBatchSamples,
    };
    this.decodeBatchSamples = [];
    this.decodeTokens = this.prefillTokens = this.decodeSteps = this.decodeMs = this.busyMs = this.finished = 0;
    this.prefillSteps = this.prefillRows = this.prefillMs = this.prefillPadded = this.longestCacheSum = this.rowCacheSum = 0;
    this.firstStepMs = this.lastStepMs = Number.NaN;
    this.startedMs = performance.now();
    return w;
  }

  stop(): void {
    for (const off of this.offs) off();
  }
}
