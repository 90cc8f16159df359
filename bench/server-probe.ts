// Server-side view for the benchmarks, from the engine's own lifecycle events (the same events
// src/observability subscribes to): decode tokens, step times and batch sizes over a window.
import type { Engine } from "../src/engine/index.ts";

export interface ProbeWindow {
  readonly seconds: number;
  readonly decodeTokens: number;
  readonly prefillTokens: number;
  readonly decodeSteps: number;
  readonly meanDecodeBatch: number;
  /** mean over decode steps of the longest cache in the step (prompt + tokens so far): the padded length */
  readonly meanDecodeLongestCache: number;
  readonly meanDecodeStepMs: number;
  readonly prefillSteps: number;
  readonly meanPrefillStepMs: number;
  /** padded rows x length the prefill calls computed, over the real prompt tokens */
  readonly prefillPaddingRatio: number;
  /** fraction of wall time the engine spent inside forward passes */
  readonly busyFraction: number;
  readonly finished: number;
}

export class ServerProbe {
  private decodeTokens = 0;
  private prefillTokens = 0;
  private decodeSteps = 0;
  private decodeMs = 0;
  private busyMs = 0;
  private longestCacheSum = 0;
  private prefillSteps = 0;
  private prefillMs = 0;
  private prefillPadded = 0;
  private finished = 0;
  private startedMs = performance.now();
  private readonly offs: (() => void)[];

  constructor(engine: Engine) {
    this.offs = [
      engine.events.on("step", (s) => {
        const ms = s.endMs - s.startMs;
        this.busyMs += ms;
        if (s.phase === "decode") {
          this.decodeSteps++;
          this.decodeTokens += s.rows.length;
          let longest = 0;
          for (const r of s.rows) longest = Math.max(longest, r.request.promptTokens + r.request.completionTokens);
          this.longestCacheSum += longest;
          this.decodeMs += ms;
        } else {
          this.prefillSteps++;
          this.prefillMs += ms;
          this.prefillPadded += s.paddedTokens;
          for (const r of s.rows) this.prefillTokens += r.tokens;
        }
      }),
      engine.events.on("finished", () => void this.finished++),
    ];
  }

  /** Read the window since the last call and start a new one. */
  take(): ProbeWindow {
    const seconds = (performance.now() - this.startedMs) / 1000;
    const w: ProbeWindow = {
      seconds,
      decodeTokens: this.decodeTokens,
      prefillTokens: this.prefillTokens,
      decodeSteps: this.decodeSteps,
      meanDecodeBatch: this.decodeSteps ? this.decodeTokens / this.decodeSteps : 0,
      meanDecodeLongestCache: this.decodeSteps ? this.longestCacheSum / this.decodeSteps : 0,
      meanDecodeStepMs: this.decodeSteps ? this.decodeMs / this.decodeSteps : 0,
      busyFraction: this.busyMs / 1000 / seconds,
      prefillSteps: this.prefillSteps,
      meanPrefillStepMs: this.prefillSteps ? this.prefillMs / this.prefillSteps : 0,
      prefillPaddingRatio: this.prefillTokens ? this.prefillPadded / this.prefillTokens : 0,
      finished: this.finished,
    };
    this.decodeTokens = this.prefillTokens = this.decodeSteps = this.decodeMs = this.busyMs = this.finished = 0;
    this.prefillSteps = this.prefillMs = this.prefillPadded = this.longestCacheSum = 0;
    this.startedMs = performance.now();
    return w;
  }

  stop(): void {
    for (const off of this.offs) off();
  }
}
