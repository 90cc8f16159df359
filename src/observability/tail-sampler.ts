// The tail part of the sampling policy (lab 02): spans wait, grouped by trace, until the trace's
// local root has ended; the whole trace is then kept or dropped at once, and kept traces are checked
// for orphans. Memory is bounded in traces, spans and time; nothing here can block a request.
import type { Context } from "@opentelemetry/api";
import type { ReadableSpan, Span, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import { decideTrace, isLocalRoot } from "./sampling-policy.ts";
import type { DecisionRule, TracePolicy } from "./sampling-policy.ts";

export interface TailSamplerOptions {
  /** Wait after the local root ends, for spans that end just after it (an aborted request's stages). */
  readonly decisionWaitMs: number;
  /** A trace whose root has not ended after this long is decided with what has arrived. */
  readonly maxWaitMs: number;
  /** Spans held across all undecided traces; past it the oldest trace is decided early. */
  readonly maxSpans: number;
  /** How long a decision is remembered: late spans follow it, and orphans are counted when it is forgotten. */
  readonly rememberMs: number;
  readonly maxRemembered: number;
}

export interface TailSamplerHooks {
  onDecision(keep: boolean, rule: DecisionRule): void;
  /** Spans of a kept trace whose parent never reached the exporters (must stay 0). */
  onOrphans(count: number): void;
}

interface Pending { spans: ReadableSpan[]; firstMs: number; rootEndedMs: number | null }
interface Decided {
  keep: boolean;
  atMs: number;
  /** Kept traces only: each exported span's id and its parent's id (null for a root or a caller's parent). */
  spans: Map<string, string | null> | null;
}

/** The parent a span must find in its trace; a server span's remote parent lives in the caller's backend. */
function parentToFind(span: ReadableSpan): string | null {
  const parent = span.parentSpanContext;
  if (parent === undefined || parent.isRemote === true) return null;
  return parent.spanId;
}

export class TailSamplingProcessor implements SpanProcessor {
  private readonly pending = new Map<string, Pending>();
  private readonly decided = new Map<string, Decided>();
  private buffered = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly downstream: readonly SpanProcessor[],
    private readonly policy: TracePolicy,
    private readonly hooks: TailSamplerHooks,
    private readonly opts: TailSamplerOptions = { decisionWaitMs: 250, maxWaitMs: 60_000, maxSpans: 16_384, rememberMs: 10_000, maxRemembered: 4096 },
  ) {
    this.timer = setInterval(() => this.sweep(Date.now()), Math.min(250, opts.decisionWaitMs || 250));
    this.timer.unref();
  }

  onStart(span: Span, parentContext: Context): void {
    for (const p of this.downstream) p.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const traceId = span.spanContext().traceId;
    const known = this.decided.get(traceId);
    if (known !== undefined) return this.forwardLate(known, span);
    let entry = this.pending.get(traceId);
    if (entry === undefined) {
      entry = { spans: [], firstMs: Date.now(), rootEndedMs: null };
      this.pending.set(traceId, entry);
    }
    entry.spans.push(span);
    this.buffered++;
    if (isLocalRoot(span)) entry.rootEndedMs = Date.now();
    // Map order is arrival order: the oldest trace goes first when the buffer is full.
    while (this.buffered > this.opts.maxSpans) {
      const oldest = this.pending.keys().next();
      if (oldest.done) break;
      this.decide(oldest.value);
    }
  }

  private forwardLate(known: Decided, span: ReadableSpan): void {
    if (!known.keep || known.spans === null) return;
    known.spans.set(span.spanContext().spanId, parentToFind(span));
    for (const p of this.downstream) p.onEnd(span);
  }

  private decide(traceId: string, now = Date.now()): void {
    const entry = this.pending.get(traceId);
    if (entry === undefined) return;
    this.pending.delete(traceId);
    this.buffered -= entry.spans.length;
    const { keep, rule } = decideTrace(this.policy, entry.spans);
    this.hooks.onDecision(keep, rule);
    this.remember(traceId, {
      keep, atMs: now,
      spans: keep ? new Map(entry.spans.map((s) => [s.spanContext().spanId, parentToFind(s)])) : null,
    });
    if (keep) for (const span of entry.spans) for (const p of this.downstream) p.onEnd(span);
  }

  private remember(traceId: string, decided: Decided): void {
    this.decided.set(traceId, decided);
    while (this.decided.size > this.opts.maxRemembered) {
      const oldest = this.decided.keys().next();
      if (oldest.done) break;
      this.forget(oldest.value);
    }
  }

  /** The trace's final shape is known: count the spans whose parent never arrived. */
  private forget(traceId: string): void {
    const d = this.decided.get(traceId);
    this.decided.delete(traceId);
    if (d?.spans == null) return;
    let orphans = 0;
    for (const parent of d.spans.values()) if (parent !== null && !d.spans.has(parent)) orphans++;
    if (orphans > 0) this.hooks.onOrphans(orphans);
  }

  private sweep(now: number): void {
    for (const [traceId, entry] of [...this.pending]) {
      const rootDone = entry.rootEndedMs !== null && now - entry.rootEndedMs >= this.opts.decisionWaitMs;
      if (rootDone || now - entry.firstMs >= this.opts.maxWaitMs) this.decide(traceId, now);
    }
    for (const [traceId, d] of [...this.decided]) {
      if (now - d.atMs < this.opts.rememberMs) break; // insertion order is decision order
      this.forget(traceId);
    }
  }

  /** Decide every waiting trace now and push it all out: the process is about to stop or be read. */
  async forceFlush(): Promise<void> {
    for (const traceId of [...this.pending.keys()]) this.decide(traceId);
    await Promise.all(this.downstream.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.forceFlush();
    for (const traceId of [...this.decided.keys()]) this.forget(traceId);
    await Promise.all(this.downstream.map((p) => p.shutdown()));
  }
}
