// The engine's front door: validates and admits a generation, runs the pipeline stages
// (retrieve, tokenize, enqueue) and exposes the state the labs read (queue depth, slots, running).
import { randomUUID } from "node:crypto";
import { performance } from "node:perf_hooks";
import { MiniserveError } from "../errors/codes.ts";
import { SlotPool } from "./kv-cache.ts";
import { LifecycleEvents } from "./lifecycle-events.ts";
import type { ModelRunner } from "./model-runner.ts";
import { EngineRequest } from "./request.ts";
import type { GenerationResult, RetrievedPassage } from "./request.ts";
import { Sampler, seededRandom } from "./sampler.ts";
import { Scheduler } from "./scheduler.ts";
import type { Tokenizer } from "./tokenizer.ts";

export interface EngineOptions {
  readonly modelName: string;
  readonly kvSlots: number;
  readonly queueCapacity: number;
  readonly prefillTokenBudget: number;
}

/** Anything that finds passages for a query; src/retrieval provides the BM25 one. */
export interface Retriever {
  search(query: string, topK: number): readonly RetrievedPassage[];
  format(passages: readonly RetrievedPassage[], prompt: string): string;
}

export interface GenerateRequest {
  readonly prompt: string;
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
  readonly meta?: Record<string, unknown> | undefined;
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
  private readonly kv: SlotPool;
  private readonly scheduler: Scheduler;
  private readonly settle = new Map<EngineRequest, (result: GenerationResult) => void>();
  private accepting = true;

  constructor(
    readonly model: ModelRunner,
    readonly tokenizer: Tokenizer,
    readonly options: EngineOptions,
    private readonly retriever: Retriever | null = null,
    onListenerError?: (event: string, err: unknown) => void,
  ) {
    this.events = new LifecycleEvents(onListenerError);
    this.kv = new SlotPool(options.kvSlots);
    this.scheduler = new Scheduler(
      model, this.kv, new Sampler(model.config.vocabSize), this.events, tokenizer.eotId,
      { prefillTokenBudget: options.prefillTokenBudget },
      (request) => {
        this.settle.get(request)?.(request.result());
        this.settle.delete(request);
      },
    );
  }

  get contextLength(): number {
    return this.model.config.nCtx;
  }

  stats(): EngineStats {
    return {
      queueDepth: this.scheduler.queue.length,
      queueCapacity: this.options.queueCapacity,
      slotsUsed: this.kv.used,
      slotsTotal: this.kv.size,
      running: this.scheduler.active.length,
    };
  }

  /**
   * Admit a generation or throw a MiniserveError (prompt too long, queue full, shutting down).
   * Nothing is held when it throws: no slot, no queue entry, no event emitted.
   */
  submit(req: GenerateRequest): GenerationHandle {
    if (!this.accepting) throw new MiniserveError("MSV_ERR_SHUTTING_DOWN");
    if (this.scheduler.queue.length >= this.options.queueCapacity) {
      throw new MiniserveError("MSV_ERR_QUEUE_FULL", `The waiting queue is full (${this.options.queueCapacity} requests). Retry after a short delay, or raise MINISERVE_QUEUE_CAPACITY.`);
    }
    const now = performance.now();
    const request = new EngineRequest(
      req.id ?? `cmpl-${randomUUID()}`, this.options.modelName, req.maxTokens,
      { temperature: req.temperature, topP: req.topP },
      seededRandom(req.seed ?? Math.floor(Math.random() * 2 ** 32)),
      req.stop ?? [], this.tokenizer.streamDecoder(), req.onText,
      { arrivedMs: req.arrivedMs ?? now }, req.meta ?? {}, req.ignoreEos ?? false,
    );
    let prompt = req.prompt;
    if (req.retrievalTopK !== undefined && req.retrievalTopK > 0 && this.retriever !== null) {
      request.timings.retrievalStartMs = performance.now();
      request.passages = this.retriever.search(req.retrievalQuery ?? req.prompt, req.retrievalTopK);
      prompt = this.retriever.format(request.passages, prompt);
      request.timings.retrievedMs = performance.now();
    }

    request.timings.tokenizeStartMs = performance.now();
    // Every prompt starts with the end-of-text token: the model learned documents begin after it.
    request.promptIds = [this.tokenizer.eotId, ...this.tokenizer.encode(prompt)];
    request.timings.tokenizedMs = performance.now();

    const limit = this.model.config.nCtx;
    if (request.promptIds.length + req.maxTokens > limit) {
      const withRetrieval = request.passages.length > 0 ? ` (including ${request.passages.length} retrieved passages)` : "";
      throw new MiniserveError(
        "MSV_ERR_PROMPT_TOO_LONG",
        `The prompt is ${request.promptIds.length} tokens${withRetrieval} and max_tokens is ${req.maxTokens}; together they exceed the context window of ${limit} tokens. Shorten the prompt, lower max_tokens${withRetrieval ? " or retrieval.top_k" : ""}.`,
        request.passages.length > 0 ? "retrieval" : "prompt",
      );
    }

    // Admitted: only now do subscribers hear of it, so a rejected request leaves nothing behind
    // in them; the timings above let them place the earlier stages where they happened.
    this.events.emit("arrived", { request });
    if (request.timings.retrievedMs !== undefined) this.events.emit("retrieved", { request, passages: request.passages.length });
    this.events.emit("tokenized", { request });
    const done = new Promise<GenerationResult>((resolve) => this.settle.set(request, resolve));
    request.timings.enqueuedMs = performance.now();
    this.scheduler.enqueue(request);
    this.events.emit("enqueued", { request, queueDepth: this.scheduler.queue.length });
    return { request, done, abort: (reason: string) => this.scheduler.abort(request, reason) };
  }

  /** Resolves when nothing is queued or running. */
  whenIdle(): Promise<void> {
    return this.scheduler.whenIdle();
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
    const outcome = await Promise.race([this.scheduler.whenIdle().then(() => "idle" as const), timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      for (const request of [...this.scheduler.queue, ...this.scheduler.active]) this.scheduler.abort(request, "shutdown");
      await this.scheduler.whenIdle();
    }
  }

  /** Stop the model (worker thread and ONNX session). Call after close(). */
  async release(): Promise<void> {
    await this.model.close();
  }

  get isAccepting(): boolean {
    return this.accepting;
  }
}
