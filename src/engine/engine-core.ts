// The engine core: continuous batching over KV-cache slots, run inside the model worker thread so
// that steps follow each other without waiting for the HTTP thread (labs 01–03 observe its events).
import { SlotPool } from "./kv-cache.ts";
import type { CoreCounts, CoreEvent, CoreRequest } from "./core-protocol.ts";
import { epochNow } from "./core-protocol.ts";
import type { FinishReason } from "./lifecycle-events.ts";
import type { ModelRunner, RowOutput, StepOutput } from "./model-runner.ts";
import { Sampler, seededRandom } from "./sampler.ts";
import type { Random } from "./sampler.ts";

interface CoreRow {
  readonly request: CoreRequest;
  readonly random: Random;
  slot: number;
  cached: number;
  generated: number;
  lastToken: number;
  /** set by an abort message; the row leaves at the next step boundary */
  stopWith: { finishReason: FinishReason; reason: string } | null;
}

export class EngineCore {
  private readonly queue: CoreRow[] = [];
  private readonly active: CoreRow[] = [];
  private readonly byId = new Map<string, CoreRow>();
  private readonly slots: SlotPool;
  private readonly sampler: Sampler;
  private readonly stopIds: ReadonlySet<number>;
  private looping = false;
  private events: CoreEvent[] = [];
  private received = 0;

  constructor(
    private readonly runner: ModelRunner,
    slots: number,
    private readonly prefillTokenBudget: number,
    /** receives each iteration's events, in order, and the core's counts after them */
    private readonly publish: (events: CoreEvent[], counts: CoreCounts) => void,
  ) {
    this.slots = new SlotPool(slots);
    this.sampler = new Sampler(runner.config.vocabSize);
    this.stopIds = new Set(runner.config.stopIds);
  }

  add(request: CoreRequest): void {
    const row: CoreRow = { request, random: seededRandom(request.seed), slot: -1, cached: 0, generated: 0, lastToken: -1, stopWith: null };
    this.byId.set(request.id, row);
    this.received++;
    this.queue.push(row);
    this.wake();
  }

  /** A queued request leaves at once; a running one frees its slot at the next step boundary. */
  abort(id: string, finishReason: FinishReason, reason: string): void {
    const row = this.byId.get(id);
    if (row === undefined || row.stopWith !== null) return;
    row.stopWith = { finishReason, reason };
    const at = this.queue.indexOf(row);
    if (at >= 0) {
      this.queue.splice(at, 1);
      this.finish(row, finishReason, reason);
      this.flush();
    } else this.wake();
  }

  private wake(): void {
    if (this.looping) return;
    this.looping = true;
    setImmediate(() => void this.loop());
  }

  private async loop(): Promise<void> {
    try {
      while (this.queue.length > 0 || this.active.length > 0) {
        this.reap();
        const fresh = this.admit();
        if (fresh.length > 0) await this.prefill(fresh);
        this.reap();
        const running = this.active.filter((r) => r.cached > 0 && r.stopWith === null);
        if (running.length > 0) await this.decode(running);
        this.flush();
      }
    } catch (err) {
      // A failed forward pass: end everything in flight rather than leave a request hanging.
      for (const row of [...this.active, ...this.queue]) this.finish(row, "abort", `engine failure: ${(err as Error).message}`);
      this.queue.length = 0;
    } finally {
      this.flush();
      this.looping = false;
      if (this.queue.length > 0 || this.active.length > 0) this.wake();
    }
  }

  private flush(): void {
    if (this.events.length === 0) return;
    const events = this.events;
    this.events = [];
    this.publish(events, this.counts());
  }

  /** The state the engine front reports (queue depth, slots in use): counted here, never mirrored. */
  counts(): CoreCounts {
    return { received: this.received, queued: this.queue.length, running: this.active.length, slotsUsed: this.slots.used };
  }

  private reap(): void {
    for (const row of this.active.filter((r) => r.stopWith !== null)) this.finish(row, row.stopWith!.finishReason, row.stopWith!.reason);
  }

  /** Admit queued requests into free slots, in arrival order, within the step's prefill budget. */
  private admit(): CoreRow[] {
    const admitted: CoreRow[] = [];
    let tokens = 0;
    while (this.queue.length > 0 && this.slots.available > 0) {
      const next = this.queue[0]!;
      if (admitted.length > 0 && tokens + next.request.promptIds.length > this.prefillTokenBudget) break;
      this.queue.shift();
      tokens += next.request.promptIds.length;
      next.slot = this.slots.acquire()!;
      this.active.push(next);
      admitted.push(next);
      this.events.push({ kind: "scheduled", id: next.request.id, slot: next.slot, atMs: epochNow() });
    }
    return admitted;
  }

  private async prefill(rows: CoreRow[]): Promise<void> {
    const startMs = epochNow();
    const out = await this.runner.prefill(rows.map((r) => ({ slot: r.slot, tokens: r.request.promptIds, invTemperature: invTemperature(r) })));
    const endMs = epochNow();
    for (const r of rows) r.cached = r.request.promptIds.length;
    this.sampleStep("prefill", startMs, endMs, rows, rows.map((r) => r.request.promptIds.length), out);
  }

  private async decode(rows: CoreRow[]): Promise<void> {
    const startMs = epochNow();
    const out = await this.runner.decode(rows.map((r) => ({ slot: r.slot, token: r.lastToken, invTemperature: invTemperature(r) })));
    const endMs = epochNow();
    for (const r of rows) r.cached++;
    this.sampleStep("decode", startMs, endMs, rows, rows.map(() => 1), out);
  }

  /** Sample every row's next token, publish the step, and end the rows that are done. */
  private sampleStep(phase: "prefill" | "decode", startMs: number, endMs: number, rows: CoreRow[], tokens: number[], out: StepOutput): void {
    const sampled = rows.map((row, b) =>
      row.stopWith !== null ? -1 : sampleRow(this.sampler, out.rows[b]!, row));
    this.events.push({ kind: "step", phase, startMs, endMs, rows: rows.map((r, b) => ({ id: r.request.id, tokens: tokens[b]! })), paddedTokens: out.paddedTokens, sampled });
    rows.forEach((row, b) => {
      const token = sampled[b]!;
      if (token < 0) return;
      if (this.stopIds.has(token) && !row.request.ignoreEos) return this.finish(row, "stop", null);
      row.lastToken = token;
      row.generated++;
      if (row.generated >= row.request.maxTokens) return this.finish(row, "length", null);
      // The token just sampled still needs a cache position when it is fed back.
      if (row.cached + 1 > this.runner.config.nCtx) return this.finish(row, "length", null);
    });
  }

  private finish(row: CoreRow, finishReason: FinishReason, reason: string | null): void {
    if (!this.byId.delete(row.request.id)) return;
    if (row.slot >= 0) {
      this.runner.release(row.slot);
      this.slots.release(row.slot);
      const at = this.active.indexOf(row);
      if (at >= 0) this.active.splice(at, 1);
    }
    this.events.push({ kind: "finished", id: row.request.id, finishReason, reason, atMs: epochNow() });
  }
}

function sampleRow(sampler: Sampler, out: RowOutput, row: CoreRow): number {
  return sampler.sample(out.logits, out.offset, { temperature: row.request.temperature, topP: row.request.topP }, row.random, out.probs);
}

/** The model computes each row's probabilities at its temperature; greedy rows read the logits. */
function invTemperature(row: CoreRow): number {
  return row.request.temperature > 0 ? 1 / row.request.temperature : 1;
}
