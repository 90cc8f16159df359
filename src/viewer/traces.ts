// Reads the local span export (.data/traces/*.jsonl) for the viewer's trace view: recent traces
// slowest first, filterable by status, and one trace as a waterfall with its orphan count (lab 02).
import { statSync } from "node:fs";
import { join } from "node:path";
import { ROTATED_TRACE_FILE, TRACE_FILE, orphanSpans, readTraceFiles, summarize } from "../observability/local-trace-store.ts";
import type { StoredSpan, TraceSummary } from "../observability/local-trace-store.ts";

export type StatusFilter = "all" | "ok" | "error";

export interface TraceListEntry extends TraceSummary {
  readonly status: "ok" | "error";
  /** The request's service (from the root span). */
  readonly service: string;
}

export interface WaterfallSpan extends StoredSpan {
  /** Depth below the trace's root, for indentation. */
  readonly depth: number;
  /** Start relative to the trace's first span, ms. */
  readonly offsetMs: number;
}

export interface TraceDetail {
  readonly traceId: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly spans: readonly WaterfallSpan[];
  /** Spans whose parent is not in the trace: the "no orphans" invariant says 0. */
  readonly orphanCount: number;
}

/**
 * Caches the parsed files by size and mtime: the page refreshes every few seconds and the export
 * can reach tens of MB, so it is re-read only when the server appended to it.
 */
export class TraceFolder {
  private key = "";
  private spans: StoredSpan[] = [];

  constructor(readonly dir: string) {}

  private stamp(): string {
    return [TRACE_FILE, ROTATED_TRACE_FILE].map((name) => {
      try {
        const s = statSync(join(this.dir, name));
        return `${s.size}:${s.mtimeMs}`;
      } catch {
        return "-";
      }
    }).join("|");
  }

  all(): StoredSpan[] {
    const key = this.stamp();
    if (key !== this.key) {
      this.spans = readTraceFiles(this.dir);
      this.key = key;
    }
    return this.spans;
  }

  /** Traces slowest first; `status` keeps only ok (no error span) or error traces. */
  list(status: StatusFilter = "all", limit = 100): TraceListEntry[] {
    const spans = this.all();
    const services = new Map<string, string>();
    for (const s of spans) if (s.parentSpanId === null || s.remoteParent) services.set(s.traceId, s.service);
    return summarize(spans)
      .map((t): TraceListEntry => ({ ...t, status: t.error ? "error" : "ok", service: services.get(t.traceId) ?? "" }))
      .filter((t) => status === "all" || t.status === status)
      .sort((a, b) => b.durationMs - a.durationMs)
      .slice(0, limit);
  }

  /** One trace in waterfall order (parents before children, siblings by start), or null. */
  trace(traceId: string): TraceDetail | null {
    const spans = this.all().filter((s) => s.traceId === traceId);
    if (spans.length === 0) return null;
    return waterfallOf(spans);
  }
}

/** Orders a trace's spans depth-first from its roots and measures offsets from its first span. */
export function waterfallOf(spans: readonly StoredSpan[]): TraceDetail {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string, StoredSpan[]>();
  const roots: StoredSpan[] = [];
  for (const s of spans) {
    if (s.parentSpanId !== null && ids.has(s.parentSpanId)) {
      const list = children.get(s.parentSpanId) ?? [];
      list.push(s);
      children.set(s.parentSpanId, list);
    } else {
      roots.push(s);
    }
  }
  const start = Math.min(...spans.map((s) => s.startMs));
  const end = Math.max(...spans.map((s) => s.endMs));
  const out: WaterfallSpan[] = [];
  const byStart = (a: StoredSpan, b: StoredSpan): number => a.startMs - b.startMs;
  const visit = (s: StoredSpan, depth: number): void => {
    out.push({ ...s, depth, offsetMs: s.startMs - start });
    // A depth guard: a corrupt file with a parent cycle must not hang the viewer.
    if (depth < 64) for (const c of (children.get(s.spanId) ?? []).sort(byStart)) visit(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) visit(r, 0);
  return { traceId: spans[0]!.traceId, startMs: start, durationMs: end - start, spans: out, orphanCount: orphanSpans(spans).length };
}
