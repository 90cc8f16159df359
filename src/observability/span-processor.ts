// A bounded batching span processor that counts what it loses: a full queue or a failed export
// drops spans (never blocks a request) and moves trace_spans_dropped_total{exporter,reason} (lab 02).
import type { Context } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, Span, SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";

export type DropReason = "queue_full" | "export_failed" | "export_timeout" | "shutdown";

export interface BoundedBatchOptions {
  /** Spans held while waiting for export; more are dropped (the SDK's default is 2048 too). */
  readonly maxQueue: number;
  readonly maxBatch: number;
  readonly delayMs: number;
  /** An export that has not answered by then is given up (the exporter may still finish). */
  readonly exportTimeoutMs: number;
}

/**
 * Why not the SDK's BatchSpanProcessor: it drops silently when its queue is full, and the lab
 * must be able to see that. This one does the same work (queue, timer, one export in flight)
 * and reports every dropped span through onDrop.
 */
export class BoundedBatchProcessor implements SpanProcessor {
  private queue: ReadableSpan[] = [];
  private inFlight: Promise<void> | null = null;
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly exporter: SpanExporter,
    private readonly opts: BoundedBatchOptions,
    private readonly onDrop: (reason: DropReason, count: number) => void,
  ) {
    this.timer = setInterval(() => void this.exportNext(), opts.delayMs);
    // The timer alone must not keep the process alive; shutdown() flushes what is left.
    this.timer.unref();
  }

  onStart(_span: Span, _parentContext: Context): void {}

  /** Every span it gets is exported: the sampling decision was taken upstream (tail-sampler.ts). */
  onEnd(span: ReadableSpan): void {
    if (this.closed) return this.onDrop("shutdown", 1);
    if (this.queue.length >= this.opts.maxQueue) return this.onDrop("queue_full", 1);
    this.queue.push(span);
    if (this.queue.length >= this.opts.maxBatch && this.inFlight === null) void this.exportNext();
  }

  private exportNext(): Promise<void> {
    if (this.inFlight !== null || this.queue.length === 0) return this.inFlight ?? Promise.resolve();
    const batch = this.queue.splice(0, this.opts.maxBatch);
    this.inFlight = new Promise<void>((resolve) => {
      let settled = false;
      const done = (reason: DropReason | null): void => {
        if (settled) return;
        settled = true;
        clearTimeout(guard);
        if (reason !== null) this.onDrop(reason, batch.length);
        resolve();
      };
      const guard = setTimeout(() => done("export_timeout"), this.opts.exportTimeoutMs);
      guard.unref();
      try {
        this.exporter.export(batch, (result) => done(result.code === ExportResultCode.SUCCESS ? null : "export_failed"));
      } catch {
        done("export_failed");
      }
    }).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  /** Export everything queued now, within a bounded time. */
  async forceFlush(timeoutMs = this.opts.exportTimeoutMs * 2): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while ((this.queue.length > 0 || this.inFlight !== null) && Date.now() < deadline) {
      await this.exportNext();
    }
  }

  async shutdown(): Promise<void> {
    await this.forceFlush();
    this.closed = true;
    clearInterval(this.timer);
    if (this.queue.length > 0) this.onDrop("shutdown", this.queue.splice(0).length);
    await this.exporter.shutdown();
  }
}
