// Lab 02's span-tree check: one request's spans must have exactly the parent/child shape the lab
// statement draws, sit inside their parents in time, follow each other in stage order and agree with
// the request's log line (queue time, time to first token, output tokens).
// Straight from the store, not the barrel: the barrel loads the learner's files, and a check must
// report a broken file as a failed condition instead of failing to start.
import { orphanSpans } from "../observability/local-trace-store.ts";
import type { StoredSpan } from "../observability/local-trace-store.ts";

/** Stage spans under the generation span, in the order they happen. */
export const STAGES = ["retrieve", "tokenize", "queue", "prefill", "decode"] as const;
/** Spans a completion with retrieval must produce, HTTP-in to HTTP-out. */
export const TREE_SPANS = ["POST /v1/completions", "text_completion miniserve-tiny", ...STAGES, "respond"] as const;
/** The audit child process's spans, under the request's "audit.subprocess" span. */
export const AUDIT_SPANS = ["audit.subprocess", "audit", "audit.read_input", "audit.text_stats"] as const;

/** Span times of one process agree to microseconds; the HTTP server span is kept in whole ms. */
const TIGHT_MS = 0.01;
const LOOSE_MS = 1.5;

const one = (spans: readonly StoredSpan[], name: string): StoredSpan | string => {
  const found = spans.filter((s) => s.name === name);
  return found.length === 1 ? found[0]! : `${found.length} "${name}" spans (expected 1)`;
};

function within(child: StoredSpan, parent: StoredSpan, tol: number): string | null {
  if (child.startMs < parent.startMs - tol || child.endMs > parent.endMs + tol) {
    return `"${child.name}" (${child.startMs.toFixed(2)}–${child.endMs.toFixed(2)}) lies outside its parent "${parent.name}" (${parent.startMs.toFixed(2)}–${parent.endMs.toFixed(2)})`;
  }
  return null;
}

/** Every way the trace of one completion with retrieval misses the lab's tree; empty when it matches. */
export function spanTreeProblems(spans: readonly StoredSpan[], log: Record<string, unknown> | null): string[] {
  const problems: string[] = [];
  const found = Object.fromEntries(TREE_SPANS.map((n) => [n, one(spans, n)]));
  const missing = Object.values(found).filter((f): f is string => typeof f === "string");
  if (missing.length > 0) return missing;
  const get = (n: string) => found[n] as StoredSpan;
  const server = get("POST /v1/completions");
  const gen = get("text_completion miniserve-tiny");
  const expectParent = (child: StoredSpan, parent: StoredSpan): void => {
    if (child.parentSpanId !== parent.spanId) {
      const actual = spans.find((s) => s.spanId === child.parentSpanId)?.name ?? (child.parentSpanId ? "a span outside the trace" : "nothing (a root)");
      problems.push(`"${child.name}" is a child of ${actual.startsWith("a ") || actual.startsWith("nothing") ? actual : `"${actual}"`}, not of "${parent.name}"`);
    }
  };
  if (server.kind !== "SERVER") problems.push(`"${server.name}" is a ${server.kind} span, not the HTTP SERVER span`);
  expectParent(gen, server);
  expectParent(get("respond"), server);
  for (const stage of STAGES) expectParent(get(stage), gen);
  if (problems.length > 0) return problems;

  for (const s of spans) if (s.endMs < s.startMs) problems.push(`"${s.name}" ends before it starts`);
  for (const c of [gen, get("respond")]) {
    const p = within(c, server, LOOSE_MS);
    if (p) problems.push(p);
  }
  for (const stage of STAGES) {
    const p = within(get(stage), gen, TIGHT_MS);
    if (p) problems.push(p);
  }
  for (let i = 1; i < STAGES.length; i++) {
    const prev = get(STAGES[i - 1]!);
    const next = get(STAGES[i]!);
    if (next.startMs < prev.endMs - TIGHT_MS) problems.push(`"${next.name}" starts ${(prev.endMs - next.startMs).toFixed(3)} ms before "${prev.name}" ends: stages follow each other`);
  }
  const decode = get("decode");
  if (Math.abs(decode.endMs - gen.endMs) > TIGHT_MS) problems.push(`"decode" ends at ${decode.endMs.toFixed(3)}, the generation at ${gen.endMs.toFixed(3)}: decode runs to the engine's finish`);
  const first = decode.events.find((e) => e.name === "first_token");
  if (!first) problems.push('"decode" has no "first_token" event');
  if (gen.durationMs <= 0) problems.push(`"${gen.name}" lasts ${gen.durationMs} ms: its start and end are not the engine's times`);
  if (log) {
    const queueMs = Number(log["queue_time_ms"]);
    if (Number.isFinite(queueMs) && Math.abs(get("queue").durationMs - queueMs) > 0.01) {
      problems.push(`"queue" lasts ${get("queue").durationMs.toFixed(3)} ms but the log line's queue_time_ms is ${queueMs}: spans need the engine's times (startTime and end(time))`);
    }
    const ttftMs = Number(log["ttft_ms"]);
    if (first && Number.isFinite(ttftMs) && Math.abs(first.timeMs - gen.startMs - ttftMs) > 0.01) {
      problems.push(`the first_token event is ${(first.timeMs - gen.startMs).toFixed(3)} ms after the generation starts; the log line's ttft_ms is ${ttftMs}`);
    }
    if (gen.attributes["gen_ai.usage.output_tokens"] !== log["output_tokens"]) {
      problems.push(`gen_ai.usage.output_tokens on the generation span is ${String(gen.attributes["gen_ai.usage.output_tokens"])}, the log line says ${String(log["output_tokens"])}: set requestAttributes on it`);
    }
  }
  const orphans = orphanSpans([...spans]);
  if (orphans.length > 0) problems.push(`orphans: ${orphans.map((s) => s.name).join(", ")}`);
  return problems;
}

/** Every way the audit spans miss "request span → audit.subprocess → audit (child) → its two steps". */
export function auditTreeProblems(spans: readonly StoredSpan[]): string[] {
  const found = Object.fromEntries(AUDIT_SPANS.map((n) => [n, one(spans, n)]));
  const missing = Object.values(found).filter((f): f is string => typeof f === "string");
  if (missing.length > 0) return missing;
  const get = (n: string) => found[n] as StoredSpan;
  const server = spans.find((s) => s.kind === "SERVER");
  const problems: string[] = [];
  const parentName = (s: StoredSpan) => spans.find((p) => p.spanId === s.parentSpanId)?.name ?? "(not in the trace)";
  if (!server || get("audit.subprocess").parentSpanId !== server.spanId) problems.push(`"audit.subprocess" is under ${parentName(get("audit.subprocess"))}, not the request's server span`);
  if (get("audit").parentSpanId !== get("audit.subprocess").spanId) problems.push(`the child's "audit" span is under ${parentName(get("audit"))}, not "audit.subprocess"`);
  for (const n of ["audit.read_input", "audit.text_stats"]) if (get(n).parentSpanId !== get("audit").spanId) problems.push(`"${n}" is under ${parentName(get(n))}, not "audit"`);
  if (get("audit").service === get("audit.subprocess").service) problems.push(`the "audit" span comes from service ${get("audit").service}, not from the child process`);
  const orphans = orphanSpans([...spans]);
  if (orphans.length > 0) problems.push(`orphans: ${orphans.map((s) => s.name).join(", ")}`);
  return problems;
}
