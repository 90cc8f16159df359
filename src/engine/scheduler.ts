// Continuous batching: the loop that admits queued requests into free KV slots at step boundaries,
// prefills them, and advances every running request by one token per decode step (lab 01 and 02).
import { performance } from "node:perf_hooks";
import type { SlotPool } from "./kv-cache.ts";
import type { LifecycleEvents, FinishReason, StepPhase, StepRow } from "./lifecycle-events.ts";
import type { ModelRunner } from "./model-runner.ts";
import type { EngineRequest } from "./request.ts";
import type { Sampler } from "./sampler.ts";

export interface SchedulerOptions {
  /** Prompt tokens admitted (and prefilled) per scheduler step. */
  readonly prefillTokenBudget: number;
}

export class Scheduler {
  readonly queue: EngineRequest[] = [];
  readonly active: EngineRequest[] = [];
  private looping = false;
  private idleWaiters: (() => void)[] = [];
  private readonly nCtx: number;

  constructor(
    private readonly model: ModelRunner,
    private readonly kv: SlotPool,
    private readonly sampler: Sampler,
    private readonly events: LifecycleEvents,
    private readonly eotId: number,
    private readonly options: SchedulerOptions,
    private readonly onFinish: (request: EngineRequest) => void,
  ) {
    this.nCtx = model.config.nCtx;
  }

  get idle(): boolean {
    return this.queue.length === 0 && this.active.length === 0;
  }

  enqueue(request: EngineRequest): void {
    this.queue.push(request);
    this.wake();
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.idle && !this.looping) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Cancel a request: a queued one leaves at once; a running one frees its slot at the next step boundary. */
  abort(request: EngineRequest, reason: string): void {
    if (request.status === "finished" || request.abortReason !== null) return;
    request.abortReason = reason;
    if (request.status === "queued") {
      const at = this.queue.indexOf(request);
      if (at >= 0) this.queue.splice(at, 1);
      this.finish(request, "abort");
    }
  }

  private wake(): void {
    if (this.looping) return;
    this.looping = true;
    setImmediate(() => void this.loop());
  }

  private async loop(): Promise<void> {
    try {
      while (!this.idle) {
        this.reapAborted();
        const fresh = this.admit();
        if (fresh.length > 0) await this.prefillGroup(fresh);
        this.reapAborted();
        const running = this.active.filter((r) => r.status === "decoding");
        if (running.length > 0) await this.decode(running);
        // No explicit yield here: each step awaits the model worker, and while it computes the
        // event loop serves HTTP. Yielding again would leave the worker idle between steps.
      }
    } catch (err) {
      // A failed forward pass: end every request in flight rather than leave it hanging.
      for (const request of [...this.active, ...this.queue]) {
        request.abortReason ??= `engine failure: ${(err as Error).message}`;
        this.finish(request, "abort");
      }
      this.queue.length = 0;
    } finally {
      this.looping = false;
      if (!this.idle) this.wake();
      else for (const resolve of this.idleWaiters.splice(0)) resolve();
    }
  }

  private reapAborted(): void {
    for (const request of this.active.filter((r) => r.abortReason !== null)) this.finish(request, "abort");
  }

  /**
   * Move queued requests into free slots, in arrival order, until the step's prefill budget is
   * spent. A prefill delays every running request's next token, so bounding it per step keeps the
   * pace of decoding steady (at least one request is admitted, however long its prompt).
   */
  private admit(): EngineRequest[] {
    const admitted: EngineRequest[] = [];
    let tokens = 0;
    while (this.queue.length > 0 && this.kv.available > 0) {
      const next = this.queue[0]!;
      if (admitted.length > 0 && tokens + next.promptIds.length > this.options.prefillTokenBudget) break;
      this.queue.shift();
      tokens += next.promptIds.length;
      next.slot = this.kv.acquire()!;
      next.cachedTokens = 0;
      next.status = "scheduled";
      next.timings.scheduledMs = performance.now();
      this.active.push(next);
      admitted.push(next);
      this.events.emit("scheduled", { request: next, slot: next.slot });
    }
    return admitted;
  }

  private async prefillGroup(group: EngineRequest[]): Promise<void> {
    const startMs = performance.now();
    for (const request of group) request.timings.prefillStartMs = startMs;
    const logits = await this.model.prefill(group.map((r) => ({ slot: r.slot, tokens: r.promptIds })));
    const endMs = performance.now();
    let longest = 0;
    for (const r of group) longest = Math.max(longest, r.promptIds.length);
    this.emitStep("prefill", startMs, endMs, group.map((request) => ({ request, tokens: request.promptIds.length })), group.length * longest);
    const V = this.sampler.vocabSize;
    group.forEach((request, b) => {
      request.timings.prefillEndMs = endMs;
      request.cachedTokens = request.promptIds.length;
      request.status = "decoding";
      this.accept(request, logits, b * V, endMs);
    });
  }

  private async decode(running: EngineRequest[]): Promise<void> {
    const startMs = performance.now();
    const logits = await this.model.decode(running.map((r) => ({ slot: r.slot, token: r.lastToken })));
    const endMs = performance.now();
    this.emitStep("decode", startMs, endMs, running.map((request) => ({ request, tokens: 1 })), running.length);
    const V = this.sampler.vocabSize;
    running.forEach((request, b) => {
      request.cachedTokens++;
      this.accept(request, logits, b * V, endMs);
    });
  }

  private emitStep(phase: StepPhase, startMs: number, endMs: number, rows: StepRow[], paddedTokens: number): void {
    if (this.events.has("step")) this.events.emit("step", { phase, startMs, endMs, rows, paddedTokens });
  }

  /** Sample the request's next token and decide whether it is done. */
  private accept(request: EngineRequest, logits: Float32Array, offset: number, nowMs: number): void {
    if (request.abortReason !== null) return; // reaped at the next boundary
    const token = this.sampler.sample(logits, offset, request.sampling, request.random);
    if (request.timings.firstTokenMs === undefined) {
      request.timings.firstTokenMs = nowMs;
      this.events.emit("first-token", { request });
    }
    if (token === this.eotId && !request.ignoreEos) return this.finish(request, "stop");
    request.lastToken = token;
    request.completionTokens++;
    let hitStop: boolean;
    try {
      hitStop = token === this.eotId ? false : request.pushText(request.decoder.push(token));
    } catch (err) {
      request.abortReason = `response writer failed: ${(err as Error).message}`;
      return this.finish(request, "abort");
    }
    if (this.events.has("token")) this.events.emit("token", { request, tokenId: token });
    if (hitStop) return this.finish(request, "stop", false);
    if (request.completionTokens >= request.maxTokens) return this.finish(request, "length");
    // The token just sampled still has to be fed back: it needs one more cache position.
    if (request.cachedTokens + 1 > this.nCtx) return this.finish(request, "length");
  }

  /** `flush` releases text held back for stop-string matching; not after a stop string or an abort. */
  private finish(request: EngineRequest, reason: FinishReason, flush = reason !== "abort"): void {
    if (request.status === "finished") return;
    if (flush) {
      try {
        request.flushText();
      } catch {
        // the writer is gone; the result still records the full text
      }
    }
    if (request.slot >= 0) {
      this.kv.release(request.slot);
      const at = this.active.indexOf(request);
      if (at >= 0) this.active.splice(at, 1);
    }
    request.status = "finished";
    request.finishReason = reason;
    request.timings.finishedMs = performance.now();
    if (reason === "abort") this.events.emit("aborted", { request, reason: request.abortReason ?? "aborted" });
    this.events.emit("finished", { request });
    this.onFinish(request);
  }
}
