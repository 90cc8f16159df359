// The engine's front door on the HTTP thread: validates and admits a generation, runs the stages
// before the queue (retrieve, tokenize), turns the engine core's reports into lifecycle events and
// text, and exposes the state the labs read (queue depth, slots, running). See docs/miniserve-map.md.
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { MiniserveError } from "../errors/codes.ts";
import type { CoreClient } from "./core-client.ts";
import type { CoreCounts, CoreEvent } from "./core-protocol.ts";
import { toLocalMs } from "./core-protocol.ts";
import { LifecycleEvents } from "./lifecycle-events.ts";
import type { FinishReason, StepRow } from "./lifecycle-events.ts";
import type { ModelConfig } from "./model-config.ts";
import { assertPromptFits, promptRoom, promptTooLong } from "./prompt-fit.ts";
import type { ContextWindow } from "./prompt-fit.ts";
import { EngineRequest } from "./request.ts";
import type { GenerationResult, RetrievedPassage } from "./request.ts";
import type { ChatTurn, TextTokenizer } from "./text-tokenizer.ts";

export interface EngineOptions {
  readonly modelName: string;
  readonly kvSlots: number;
  readonly queueCapacity: number;
}

/** The chat with retrieved passages put before the content of its last user turn. */
function withContext(messages: readonly ChatTurn[], format: (text: string) => string): ChatTurn[] {
  const last = messages.map((m) => m.role).lastIndexOf("user");
  return messages.map((m, i) => (i === last ? { role: m.role, content: format(m.content) } : m));
}

/** Anything that finds passages for a query; src/retrieval provides the BM25 one. */
export interface Retriever {
  search(query: string, topK: number): readonly RetrievedPassage[];
  format(passages: readonly RetrievedPassage[], prompt: string): string;
}

export interface GenerateRequest {
  /** the text to continue; for a chat, its plain-text form, used when the model has no chat template */
  readonly prompt: string;
  /** a chat's turns, rendered by the model's chat template when it has one */
  readonly messages?: readonly ChatTurn[] | undefined;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly seed?: number | undefined;
  readonly stop?: readonly string[] | undefined;
  /** Retrieve this many passages and put them before the prompt (retrieval stage). */
  readonly retrievalTopK?: number | undefined;
  /** Text to search for when retrieving; defaults to the prompt. */
  readonly retrievalQuery?: string | undefined;
  /** Called with each piece of text as it is generated (streaming). */
  readonly onText?: ((delta: string) => void) | undefined;
  readonly id?: string | undefined;
  /** Arrival time on the performance clock, when the caller saw the request earlier than now. */
  readonly arrivedMs?: number | undefined;
  /** Handed to event subscribers on EngineRequest.tag; the engine never reads it. */
  readonly tag?: object | undefined;
  /** Generate exactly max_tokens, ignoring end-of-text (as vLLM's ignore_eos): for load tests. */
  readonly ignoreEos?: boolean | undefined;
}

export interface EngineStats {
  readonly queueDepth: number;
  readonly queueCapacity: number;
  readonly slotsUsed: number;
  readonly slotsTotal: number;
  readonly running: number;
}

export interface GenerationHandle {
  readonly request: EngineRequest;
  /** Settles when the request ends, whatever the reason (finishReason "abort" included). */
  readonly done: Promise<GenerationResult>;
  abort(reason: string): void;
}

export class Engine {
  readonly events: LifecycleEvents;
  readonly config: ModelConfig;
  /** Every request the core has not reported finished, by id. */
  private readonly live = new Map<string, EngineRequest>();
  private readonly settle = new Map<EngineRequest, (result: GenerationResult) => void>();
  private readonly stopIds: ReadonlySet<number>;
  /** The core's counts after its last reported iteration; "add"s sent since are still in transit. */
  private counts: CoreCounts = { received: 0, queued: 0, running: 0, slotsUsed: 0 };
  private sent = 0;
  private accepting = true;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly core: CoreClient,
    readonly tokenizer: TextTokenizer,
    readonly options: EngineOptions,
    private readonly retriever: Retriever | null = null,
    onListenerError?: (event: string, err: unknown) => void,
  ) {
    this.events = new LifecycleEvents(onListenerError);
    this.config = core.config;
    this.stopIds = new Set(core.config.stopIds);
    core.attach((events, counts) => {
      this.apply(events);
      // Read after the iteration's events: a subscriber that asks during them sees the previous state.
      this.counts = counts;
    }, (err) => this.failAll(err));
  }

  get contextLength(): number {
    return this.config.nCtx;
  }

  /**
   * The core's own counts, not a copy kept here: the queue is the core's queue plus the requests
   * sent to it that it has not taken in yet (they wait all the same).
   */
  stats(): EngineStats {
    const c = this.counts;
    return {
      queueDepth: c.queued + (this.sent - c.received),
      queueCapacity: this.options.queueCapacity,
      slotsUsed: c.slotsUsed,
      slotsTotal: this.options.kvSlots,
      running: c.running,
    };
  }

  /**
   * Admit a generation or throw a MiniserveError (prompt too long, queue full, shutting down).
   * Nothing is held when it throws: no slot, no queue entry, no event emitted.
   */
  submit(req: GenerateRequest): GenerationHandle {
    if (this.core.failed !== null) throw new MiniserveError("MSV_ERR_INTERNAL", `The model worker stopped (${this.core.failed.message}); restart miniserve.`);
    if (!this.accepting) throw new MiniserveError("MSV_ERR_SHUTTING_DOWN");
    if (this.stats().queueDepth >= this.options.queueCapacity) {
      throw new MiniserveError("MSV_ERR_QUEUE_FULL", `The waiting queue is full (${this.options.queueCapacity} requests). Retry after a short delay, or raise MINISERVE_QUEUE_CAPACITY.`);
    }
    this.assertPromptFits(req.prompt, req.maxTokens);
    const request = new EngineRequest(
      req.id ?? `cmpl-${randomUUID()}`, this.options.modelName, req.maxTokens,
      { temperature: req.temperature, topP: req.topP },
      req.seed ?? Math.floor(Math.random() * 2 ** 32),
      req.stop ?? [], this.tokenizer.streamDecoder(), req.onText,
      { arrivedMs: req.arrivedMs ?? performance.now() }, req.tag, req.ignoreEos ?? false,
    );
    let prompt = req.prompt;
    let messages = req.messages;
    if (req.retrievalTopK !== undefined && req.retrievalTopK > 0 && this.retriever !== null) {
      request.timings.retrievalStartMs = performance.now();
      const passages = this.retriever.search(req.retrievalQuery ?? req.prompt, req.retrievalTopK);
      request.passages = passages;
      prompt = this.retriever.format(passages, prompt);
      messages = messages && withContext(messages, (text) => this.retriever!.format(passages, text));
      request.timings.retrievedMs = performance.now();
    }

    request.timings.tokenizeStartMs = performance.now();
    // A chat goes through the model's own template when it has one; the tokenizer decides how a
    // prompt begins (miniserve-tiny: end-of-text first, the way it saw documents in training) and may
    // stop counting once the prompt is known not to fit: the count past that is not needed.
    const room = promptRoom(this.window, req.maxTokens);
    request.promptIds = (messages && this.tokenizer.chatIds(messages)) ?? this.tokenizer.promptIds(prompt, room + 1);
    request.timings.tokenizedMs = performance.now();
    if (request.promptIds.length - 1 > room) throw promptTooLong(this.window, req.maxTokens, request.passages.length);

    // Admitted: only now do subscribers hear of it, so a rejected request leaves nothing behind
    // in them; the timings above let them place the earlier stages where they happened.
    this.events.emit("arrived", { request });
    if (request.timings.retrievedMs !== undefined) this.events.emit("retrieved", { request, passages: request.passages.length });
    this.events.emit("tokenized", { request });
    const done = new Promise<GenerationResult>((resolve) => this.settle.set(request, resolve));
    request.timings.enqueuedMs = performance.now();
    this.live.set(request.id, request);
    this.sent++;
    this.core.add({
      id: request.id, promptIds: request.promptIds, maxTokens: req.maxTokens,
      temperature: req.temperature, topP: req.topP, seed: request.seed, ignoreEos: request.ignoreEos,
    });
    this.events.emit("enqueued", { request, queueDepth: this.stats().queueDepth });
    return { request, done, abort: (reason: string) => this.abort(request, "abort", reason) };
  }

  /** The constant-time size check submit() starts with; the HTTP route runs it before anything else too. */
  assertPromptFits(prompt: string, maxTokens: number): void {
    assertPromptFits(this.window, prompt, maxTokens);
  }

  private get window(): ContextWindow {
    return { nCtx: this.config.nCtx, maxTokenBytes: this.tokenizer.maxTokenBytes };
  }

  /** Ask the core to stop a request; it settles when the core confirms (slot freed). */
  private abort(request: EngineRequest, finishReason: FinishReason, reason: string): void {
    if (request.status === "finished" || request.abortReason !== null) return;
    request.abortReason = reason;
    this.core.abort(request.id, finishReason, reason);
  }

  /** One scheduler iteration reported by the core, applied in order. */
  private apply(events: readonly CoreEvent[]): void {
    for (const event of events) {
      if (event.kind === "scheduled") {
        const request = this.live.get(event.id);
        if (request === undefined) continue;
        request.status = "running";
        request.slot = event.slot;
        request.timings.scheduledMs = toLocalMs(event.atMs);
        this.events.emit("scheduled", { request, slot: event.slot });
      } else if (event.kind === "step") {
        this.applyStep(event);
      } else {
        const request = this.live.get(event.id);
        if (request !== undefined) this.finish(request, event.finishReason, event.reason, toLocalMs(event.atMs));
      }
    }
  }

  private applyStep(step: Extract<CoreEvent, { kind: "step" }>): void {
    const startMs = toLocalMs(step.startMs);
    const endMs = toLocalMs(step.endMs);
    const rows: StepRow[] = [];
    const requests: (EngineRequest | undefined)[] = step.rows.map((row) => {
      const request = this.live.get(row.id);
      if (request !== undefined) rows.push({ request, tokens: row.tokens });
      return request;
    });
    if (step.phase === "prefill") {
      for (const r of rows) {
        r.request.timings.prefillStartMs = startMs;
        r.request.timings.prefillEndMs = endMs;
      }
    }
    if (rows.length > 0 && this.events.has("step")) this.events.emit("step", { phase: step.phase, startMs, endMs, rows, paddedTokens: step.paddedTokens });
    requests.forEach((request, b) => {
      const token = step.sampled[b]!;
      if (request !== undefined && token >= 0) this.acceptToken(request, token, endMs);
    });
  }

  /** Mirror of the core's decision, plus what only this thread can do: text and stop strings. */
  private acceptToken(request: EngineRequest, token: number, atMs: number): void {
    if (request.abortReason !== null || request.status === "finished") return;
    if (request.timings.firstTokenMs === undefined) {
      request.timings.firstTokenMs = atMs;
      this.events.emit("first-token", { request });
    }
    const eot = this.stopIds.has(token);
    if (eot && !request.ignoreEos) return; // the core reports the finish
    request.completionTokens++;
    let hitStop = false;
    try {
      if (!eot) hitStop = request.pushText(request.decoder.push(token));
    } catch (err) {
      return this.abort(request, "abort", `response writer failed: ${(err as Error).message}`);
    }
    if (this.events.has("token")) this.events.emit("token", { request, tokenId: token });
    if (hitStop) {
      request.stoppedByString = true;
      this.abort(request, "stop", "stop string");
    }
  }

  private finish(request: EngineRequest, reason: FinishReason, abortReason: string | null, atMs: number): void {
    if (request.status === "finished") return;
    this.live.delete(request.id);
    // Text held back for stop-string matching is released, except after a stop string or an abort.
    if (reason !== "abort" && !request.stoppedByString) {
      try {
        request.flushText();
      } catch {
        // the writer is gone; the result still records the full text
      }
    }
    request.status = "finished";
    request.finishReason = reason;
    request.timings.finishedMs = atMs;
    if (reason === "abort") this.events.emit("aborted", { request, reason: abortReason ?? request.abortReason ?? "aborted" });
    this.events.emit("finished", { request });
    this.settle.get(request)?.(request.result());
    this.settle.delete(request);
    if (this.live.size === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  /** The worker died: end every request rather than leave it hanging. */
  private failAll(err: Error): void {
    // Nothing is queued or running in a core that is gone.
    this.counts = { received: this.sent, queued: 0, running: 0, slotsUsed: 0 };
    for (const request of [...this.live.values()]) {
      request.abortReason ??= `engine failure: ${err.message}`;
      this.finish(request, "abort", request.abortReason, performance.now());
    }
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    if (this.live.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stop accepting work, let what is in flight finish for up to `graceMs`, then abort the rest.
   * Resolves once every slot is free; the model stays loaded (see release()).
   */
  async close(graceMs: number): Promise<void> {
    this.accepting = false;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), graceMs);
    });
    const outcome = await Promise.race([this.whenIdle().then(() => "idle" as const), timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      for (const request of [...this.live.values()]) this.abort(request, "abort", "shutdown");
      await this.whenIdle();
    }
  }

  /** Stop the model worker. Call after close(). */
  async release(): Promise<void> {
    await this.core.close();
  }

  get isAccepting(): boolean {
    return this.accepting;
  }
}
