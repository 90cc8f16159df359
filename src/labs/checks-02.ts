// Lab 02's four stop conditions: the span tree has exactly the statement's shape and times, aborted
// generations carry error status (completed ones do not), the log line carries the trace id, and the
// audit child's spans sit under the request's "audit.subprocess" span.
import { readTraceFiles } from "../observability/local-trace-store.ts";
import type { StoredSpan } from "../observability/local-trace-store.ts";
import { condition } from "./check-types.ts";
import type { LabChecks } from "./check-types.ts";
import { sendCompletion } from "./lab-server.ts";
import { AUDIT_SPANS, TREE_SPANS, auditTreeProblems, spanTreeProblems } from "./span-tree.ts";
import { streamCompletion } from "./stream-probe.ts";

/** Waits until the trace holds every span named (exports run every 250 ms); returns what it has. */
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

const GEN = "text_completion miniserve-tiny";
const TREE_NEXT = "open src/observability/request-spans.ts (buildStageSpans), then npm run check-lab -- 02 --only span-tree";

export const LAB02_CHECKS: LabChecks = [
  condition("02.span-tree", "one request's trace has the statement's tree: server → generation → retrieve, tokenize, queue, prefill, decode; respond under the server span; engine times; no orphans", async (env, v) => {
    const server = await env.ownServer();
    const one = await sendCompletion(server.url, { prompt: "Where does the time go", max_tokens: 16, retrieval: { top_k: 1 } });
    if (one.status !== 200 || !one.traceId) {
      return v.fail(`the request answered ${one.status}${one.traceId ? "" : " without an x-trace-id header"}`, "Tracing is off (OTEL_SDK_DISABLED) or the server fails.", "npm run serve and read its log");
    }
    const spans = await waitForTrace(server.traceDir, one.traceId, TREE_SPANS);
    await new Promise((r) => setTimeout(r, 200));
    const log = server.logs.find((l) => l["trace_id"] === one.traceId && l["event"] === "request_finished") ?? null;
    const problems = spanTreeProblems(spans, log);
    const names = [...new Set(spans.map((s) => s.name))].join(", ");
    if (problems.length === 0) return v.pass(`trace ${one.traceId}: ${spans.length} spans (${names}); shape, times and the log line's numbers agree; 0 orphans`);
    return v.fail(`trace ${one.traceId}: ${problems.slice(0, 4).join("; ")}`,
      spans.length <= 2
        ? "buildStageSpans does not create the stage spans (a TODO stub), or tracing started after fastify loaded (see src/cli/serve.ts for the order)."
        : "A span is started with the wrong parent context (stages belong under the generation span: trace.setSpan(obs.traceContext, gen)), without the engine's times (startTime and end(time) from request.timings), or without its attributes.",
      TREE_NEXT);
  }),

  condition("02.error-status", "an aborted request's server, generation and decode spans carry error status; a completed one's do not", async (env, v) => {
    const server = await env.ownServer();
    const cut = await streamCompletion(server.url, { prompt: "A client that goes away", max_tokens: 256, ignore_eos: true }, { abortAfterChunks: 3 });
    const fine = await sendCompletion(server.url, { prompt: "A client that stays", max_tokens: 8 });
    if (!cut.traceId || !fine.traceId || fine.status !== 200) {
      return v.fail(`the requests answered ${cut.status} and ${fine.status} without both trace ids`, "Tracing is off or the server fails.", "npm run serve and read its log");
    }
    const abortedSpans = await waitForTrace(server.traceDir, cut.traceId, [GEN, "decode", "POST /v1/completions"]);
    const fineSpans = await waitForTrace(server.traceDir, fine.traceId, [GEN, "decode", "respond"]);
    const status = (spans: StoredSpan[], name: string) => spans.find((s) => s.name === name)?.status;
    const problems: string[] = [];
    // The server span is the HTTP layer's (status 499 when the client goes away); the generation and
    // decode spans are the learner's.
    for (const name of [GEN, "decode", "POST /v1/completions"]) {
      const st = status(abortedSpans, name);
      if (st?.code !== "error") problems.push(`aborted request: "${name}" status is ${st?.code ?? "missing"}`);
    }
    const wrongly = fineSpans.filter((s) => s.status.code === "error").map((s) => s.name);
    if (wrongly.length > 0) problems.push(`completed request: ${wrongly.join(", ")} marked as errors`);
    if (problems.length === 0) {
      return v.pass(`aborted after ${cut.chunks} chunks: the server span, "${GEN}" and "decode" are errors (${status(abortedSpans, GEN)?.message ?? ""}); the completed request has no error span`);
    }
    return v.fail(problems.join("; "), "The error status is never set when request.finishReason is \"abort\", or is set on every request.",
      "in buildStageSpans, setStatus({ code: SpanStatusCode.ERROR, message: request.abortReason }) on the generation and decode spans when aborted");
  }),

  condition("02.logs", "the request's log lines carry its trace_id, the request_finished line among them", async (env, v) => {
    const server = await env.ownServer();
    const one = await sendCompletion(server.url, { prompt: "Log lines join traces", max_tokens: 8 });
    await new Promise((r) => setTimeout(r, 300));
    const lines = server.logs.filter((l) => one.traceId !== null && l["trace_id"] === one.traceId);
    if (lines.some((l) => l["event"] === "request_finished")) return v.pass(`${lines.length} log lines carry trace_id ${one.traceId}, request_finished among them`);
    return v.fail(`${lines.length} log lines carry trace_id ${one.traceId ?? "(no x-trace-id header)"}; no request_finished line does`,
      "pino was loaded before the tracing SDK (an ESM import of pino bypasses the instrumentation), or the per-request line is logged outside the request's span.",
      "load pino with createRequire after startTracing (src/observability/logging.ts)");
  }),

  condition("02.subprocess", "the audit child's spans are in the request's trace, under its \"audit.subprocess\" span", async (env, v) => {
    const server = await env.ownServer();
    const audited = await sendCompletion(server.url, { prompt: "A trace crosses a process", max_tokens: 16, audit: true });
    if (audited.status !== 200 || !audited.traceId) {
      return v.fail(`the audit request answered ${audited.status}`, "The audit child failed to run.", "npm run serve and read its log");
    }
    const spans = await waitForTrace(server.traceDir, audited.traceId, AUDIT_SPANS);
    const problems = auditTreeProblems(spans);
    if (problems.length === 0) {
      const child = spans.find((s) => s.name === "audit")!;
      return v.pass(`audit (service ${child.service}) is a child of audit.subprocess, its two steps under it; 0 orphans`);
    }
    return v.fail(`trace ${audited.traceId}: ${problems.join("; ")}`,
      "The child did not get TRACEPARENT in its environment, or did not read it back (contextFromEnv), so its spans started a new trace or hang from the wrong span.",
      "open src/observability/subprocess.ts (traceparentEnv, contextFromEnv), then npm run check-lab -- 02 --only subprocess");
  }),
];
