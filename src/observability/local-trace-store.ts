// The local trace store: the last traces in memory (for the built-in viewer) and every span as one
// JSON line under .data/traces/, size-bounded, which lab checks read from another process (lab 02).
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, statSync } from "node:fs";
import { join } from "node:path";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ExportResult } from "@opentelemetry/core";
import { ExportResultCode, hrTimeToMilliseconds } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";

/** One span as the store keeps it: plain JSON, epoch milliseconds. */
export interface StoredSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string | null;
  /** The parent came from another process (a traceparent header or TRACEPARENT variable). */
  readonly remoteParent: boolean;
  readonly name: string;
  readonly kind: string;
  readonly service: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
  readonly attributes: Record<string, unknown>;
  readonly events: readonly { name: string; timeMs: number; attributes: Record<string, unknown> }[];
  readonly links: readonly { traceId: string; spanId: string; attributes: Record<string, unknown> }[];
  readonly status: { code: "unset" | "ok" | "error"; message?: string };
}

export const TRACE_FILE = "spans.jsonl";
export const ROTATED_TRACE_FILE = "spans.1.jsonl";

export function toStoredSpan(span: ReadableSpan): StoredSpan {
  const ctx = span.spanContext();
  const startMs = hrTimeToMilliseconds(span.startTime);
  const endMs = hrTimeToMilliseconds(span.endTime);
  const status = span.status.code === SpanStatusCode.ERROR ? "error" : span.status.code === SpanStatusCode.OK ? "ok" : "unset";
  return {
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? null,
    remoteParent: span.parentSpanContext?.isRemote === true,
    name: span.name,
    kind: SpanKind[span.kind] ?? "INTERNAL",
    service: String(span.resource.attributes["service.name"] ?? "unknown"),
    startMs, endMs,
    durationMs: endMs - startMs,
    attributes: { ...span.attributes },
    events: span.events.map((e) => ({ name: e.name, timeMs: hrTimeToMilliseconds(e.time), attributes: { ...(e.attributes ?? {}) } })),
    links: span.links.map((l) => ({ traceId: l.context.traceId, spanId: l.context.spanId, attributes: { ...(l.attributes ?? {}) } })),
    status: span.status.message ? { code: status, message: span.status.message } : { code: status },
  };
}

export interface LocalStoreOptions {
  /** Folder of the JSONL files; null keeps spans in memory only. */
  readonly dir: string | null;
  readonly maxFileBytes: number;
  /** Traces kept in memory; 0 = none (a child process only writes the file). */
  readonly maxTraces: number;
  readonly onWriteError?: (err: unknown, spans: number) => void;
}

/** A SpanExporter that never fails a request: it keeps spans in memory and appends them to a file. */
export class LocalTraceStore implements SpanExporter {
  private readonly traces = new Map<string, StoredSpan[]>();
  private fileBytes = 0;

  constructor(private readonly opts: LocalStoreOptions) {
    if (opts.dir !== null) {
      mkdirSync(opts.dir, { recursive: true });
      const file = join(opts.dir, TRACE_FILE);
      this.fileBytes = existsSync(file) ? statSync(file).size : 0;
    }
  }

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    const stored = spans.map(toStoredSpan);
    this.remember(stored);
    if (this.opts.dir !== null) this.append(stored);
    resultCallback({ code: ExportResultCode.SUCCESS });
  }

  private remember(spans: readonly StoredSpan[]): void {
    if (this.opts.maxTraces <= 0) return;
    for (const span of spans) {
      let list = this.traces.get(span.traceId);
      if (list === undefined) {
        // Evict the oldest trace first: Map keeps insertion order.
        if (this.traces.size >= this.opts.maxTraces) this.traces.delete(this.traces.keys().next().value!);
        list = [];
        this.traces.set(span.traceId, list);
      }
      if (list.length < 1000) list.push(span);
    }
  }

  /**
   * One appendFileSync per exported batch (a few KB every half second): the batch is written
   * whole, so lines from this process and from a child writing the same file never interleave.
   * When the file passes its limit it becomes spans.1.jsonl, replacing the previous one.
   */
  private append(spans: readonly StoredSpan[]): void {
    const dir = this.opts.dir!;
    const text = spans.map((s) => JSON.stringify(s)).join("\n") + "\n";
    try {
      if (this.fileBytes + text.length > this.opts.maxFileBytes && this.fileBytes > 0) {
        renameSync(join(dir, TRACE_FILE), join(dir, ROTATED_TRACE_FILE));
        this.fileBytes = 0;
      }
      appendFileSync(join(dir, TRACE_FILE), text);
      this.fileBytes += Buffer.byteLength(text);
    } catch (err) {
      this.opts.onWriteError?.(err, spans.length);
    }
  }

  /** The most recent traces, newest first. */
  recentTraces(limit = 50): TraceSummary[] {
    return summarize([...this.traces.values()].slice(-limit).flat()).slice(0, limit);
  }

  /** Every span of one trace, in start order (empty when unknown or evicted). */
  trace(traceId: string): StoredSpan[] {
    return [...(this.traces.get(traceId) ?? [])].sort((a, b) => a.startMs - b.startMs);
  }

  async shutdown(): Promise<void> {}
  async forceFlush(): Promise<void> {}
}

export interface TraceSummary {
  readonly traceId: string;
  readonly rootName: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly spanCount: number;
  readonly error: boolean;
  readonly costEur: number | null;
}

/** Group spans into traces, newest first; the root is the span without a parent in the trace. */
export function summarize(spans: readonly StoredSpan[]): TraceSummary[] {
  const byTrace = new Map<string, StoredSpan[]>();
  for (const s of spans) {
    const list = byTrace.get(s.traceId) ?? [];
    list.push(s);
    byTrace.set(s.traceId, list);
  }
  return [...byTrace.entries()].map(([traceId, list]) => {
    const ids = new Set(list.map((s) => s.spanId));
    const root = list.find((s) => s.parentSpanId === null || !ids.has(s.parentSpanId)) ?? list[0]!;
    const start = Math.min(...list.map((s) => s.startMs));
    const end = Math.max(...list.map((s) => s.endMs));
    // The request's cost sits on the root span; stage spans carry only their own share.
    const cost = root.attributes["cost.eur"];
    return {
      traceId, rootName: root.name, startMs: start, durationMs: end - start, spanCount: list.length,
      error: list.some((s) => s.status.code === "error"), costEur: typeof cost === "number" ? cost : null,
    };
  }).sort((a, b) => b.startMs - a.startMs);
}

/** Read every span from the JSONL files of a trace folder (other processes, lab checks). */
export function readTraceFiles(dir: string): StoredSpan[] {
  const out: StoredSpan[] = [];
  for (const name of [ROTATED_TRACE_FILE, TRACE_FILE]) {
    const file = join(dir, name);
    if (!existsSync(file)) continue;
    for (const line of readFileSync(file, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      try {
        out.push(JSON.parse(line) as StoredSpan);
      } catch {
        // a line cut by a crash mid-write: skip it, keep the rest
      }
    }
  }
  return out;
}

/**
 * Spans whose parent is not in their trace: must be zero (the "no orphans" invariant). A server
 * span whose parent is the caller's (a remote parent from a traceparent header) is a root here:
 * the caller's span lives in the caller's backend.
 */
export function orphanSpans(spans: readonly StoredSpan[]): StoredSpan[] {
  const ids = new Set(spans.map((s) => `${s.traceId}/${s.spanId}`));
  return spans.filter((s) => s.parentSpanId !== null && !ids.has(`${s.traceId}/${s.parentSpanId}`)
    && !(s.remoteParent && s.kind === "SERVER"));
}
