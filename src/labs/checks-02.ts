// Lab 02's stop conditions: one request's trace has every stage span from HTTP-in to HTTP-out with
// no orphans, its log lines carry its trace_id, and the audit subprocess's spans join its trace.
import { orphanSpans, readTraceFiles } from "../observability/local-trace-store.ts";
import type { StoredSpan } from "../observability/local-trace-store.ts";
import { fail, pass } from "./check-types.ts";
import type { CheckEnv, CheckResult } from "./check-types.ts";
import { sendCompletion } from "./lab-server.ts";
import type { LabServer } from "./lab-server.ts";

/** The spans one completion with retrieval must produce, HTTP-in to HTTP-out. */
export const STAGE_SPANS = ["POST /v1/completions", "text_completion miniserve-tiny", "retrieve", "tokenize", "queue", "prefill", "decode", "respond"] as const;
export const AUDIT_SPANS = ["audit.subprocess", "audit", "audit.read_input", "audit.text_stats"] as const;

const T1 = "one request's trace holds every stage span, HTTP-in to HTTP-out, with no orphans";
const T2 = "the request's log lines carry its trace_id";
const T3 = 'subprocess spans ("audit": true) are parented inside the request\'s trace';

/** Waits until the trace has at least `min` spans in the JSONL store (exports run every 250 ms). */
export async function waitForTrace(traceDir: string, traceId: string, names: readonly string[], timeoutMs = 5000): Promise<StoredSpan[]> {
  const deadline = Date.now() + timeoutMs;
  let spans: StoredSpan[] = [];
  while (Date.now() < deadline) {
    spans = readTraceFiles(traceDir).filter((s) => s.traceId === traceId);
    if (names.every((n) => spans.some((s) => s.name === n))) return spans;
    await new Promise((r) => setTimeout(r, 250));
  }
  return spans;
}

function stageCheck(spans: StoredSpan[], traceId: string): CheckResult {
  const missing = STAGE_SPANS.filter((n) => !spans.some((s) => s.name === n));
  const orphans = orphanSpans(spans);
  const detail = `trace ${traceId}: ${spans.length} spans (${[...new Set(spans.map((s) => s.name))].join(", ")})`;
  if (missing.length > 0) {
    return fail("02.stage-spans", T1, `${detail}; missing: ${missing.join(", ")}`,
      "buildStageSpans is not creating the stage spans (a TODO stub), or tracing started after fastify loaded (then only logs work: see src/cli/serve.ts for the order).",
      "open src/observability/request-spans.ts (buildStageSpans), then npm run check-lab 02");
  }
  if (orphans.length > 0) {
    return fail("02.stage-spans", T1, `${detail}; orphans: ${orphans.map((s) => s.name).join(", ")}`,
      "A span was started without the context captured at submit (obs.traceContext), so its parent is not in the trace.",
      "pass the parent context as the third argument of tracer.startSpan()");
  }
  return pass("02.stage-spans", T1, `${detail}; 0 orphans`);
}

function logCheck(server: LabServer, traceId: string): CheckResult {
  const lines = server.logs.filter((l) => l["trace_id"] === traceId);
  const finished = lines.some((l) => l["event"] === "request_finished");
  if (finished) return pass("02.logs", T2, `${lines.length} log lines carry trace_id ${traceId}, request_finished among them`);
  return fail("02.logs", T2, `${lines.length} log lines carry trace_id ${traceId}; no request_finished line does`,
    "pino was loaded before the tracing SDK (an ESM import of pino bypasses the instrumentation), or the per-request line is logged outside the request's span.",
    "load pino with createRequire after startTracing (src/observability/logging.ts)");
}

function auditCheck(spans: StoredSpan[], traceId: string): CheckResult {
  const missing = AUDIT_SPANS.filter((n) => !spans.some((s) => s.name === n));
  const child = spans.find((s) => s.name === "audit");
  const ids = new Set(spans.map((s) => s.spanId));
  const orphans = orphanSpans(spans);
  if (missing.length > 0) {
    return fail("02.subprocess", T3, `trace ${traceId} lacks ${missing.join(", ")}`,
      "The child did not get TRACEPARENT in its environment, or did not read it back (contextFromEnv), so its spans started a new trace.",
      "open src/observability/subprocess.ts (traceparentEnv, contextFromEnv), then npm run check-lab 02");
  }
  if (!child?.parentSpanId || !ids.has(child.parentSpanId) || orphans.length > 0) {
    return fail("02.subprocess", T3, `the audit span's parent ${child?.parentSpanId ?? "(none)"} is not in the trace; orphans: ${orphans.length}`,
      "The context passed to the child is not the request's span context.", "inject the parent's context, not ROOT_CONTEXT");
  }
  return pass("02.subprocess", T3, `audit (service ${child.service}) is a child of ${spans.find((s) => s.spanId === child.parentSpanId)?.name}; 0 orphans`);
}

export async function checkLab02(env: CheckEnv): Promise<CheckResult[]> {
  const server = await env.privateServer();
  const one = await sendCompletion(server.url, { prompt: "Where does the time go", max_tokens: 16, retrieval: { top_k: 1 } });
  const out: CheckResult[] = [];
  if (one.status !== 200 || !one.traceId) {
    const why = `the request answered ${one.status} ${one.traceId ? "" : "without an x-trace-id header"}`;
    out.push(fail("02.stage-spans", T1, why, "Tracing is off (OTEL_SDK_DISABLED) or the server fails.", "npm run serve and read its log"));
    out.push(fail("02.logs", T2, why, "No trace, so nothing to join.", "fix the check above first"));
  } else {
    const spans = await waitForTrace(server.traceDir, one.traceId, STAGE_SPANS);
    out.push(stageCheck(spans, one.traceId));
    await new Promise((r) => setTimeout(r, 200));
    out.push(logCheck(server, one.traceId));
  }
  const audited = await sendCompletion(server.url, { prompt: "A trace crosses a process", max_tokens: 16, audit: true });
  if (audited.status !== 200 || !audited.traceId) {
    out.push(fail("02.subprocess", T3, `the audit request answered ${audited.status}`, "The audit child failed to run.", "npm run serve and read its log"));
  } else {
    out.push(auditCheck(await waitForTrace(server.traceDir, audited.traceId, AUDIT_SPANS), audited.traceId));
  }
  return out;
}
