// Trace context across a process boundary: the parent passes W3C traceparent to a child through
// its environment (TRACEPARENT), the child re-establishes it; used by the audit extension (lab 02).
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { ROOT_CONTEXT, SpanStatusCode, context, defaultTextMapGetter, defaultTextMapSetter, trace } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
/** Same name as tracing.ts uses; not imported from there so the server does not load the SDK. */
const TRACER_NAME = "miniserve";

const propagator = new W3CTraceContextPropagator();

/** TRACEPARENT (and TRACESTATE) for a child process; empty when the context holds no valid span. */
export function traceparentEnv(ctx: Context): Record<string, string> {
  // BEGIN LAB 02 BLOCK C: inject ctx with the W3C propagator into a carrier object and return
  //   {TRACEPARENT, TRACESTATE} (only the keys that are set) for the child's environment.
  // STARTER: void ctx; void propagator; void defaultTextMapSetter;
  // STARTER: return {};
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, defaultTextMapSetter);
  const out: Record<string, string> = {};
  if (carrier["traceparent"]) out["TRACEPARENT"] = carrier["traceparent"];
  if (carrier["tracestate"]) out["TRACESTATE"] = carrier["tracestate"];
  return out;
  // END LAB 02 BLOCK C
}

/** The parent's context in a child process, from TRACEPARENT/TRACESTATE (ROOT_CONTEXT when absent). */
export function contextFromEnv(env: NodeJS.ProcessEnv): Context {
  // BEGIN LAB 02 BLOCK C: the child's side: read TRACEPARENT/TRACESTATE from env into a carrier and
  //   extract it with the same propagator, so the child's first span has the request's span as parent.
  // STARTER: void env; void defaultTextMapGetter;
  // STARTER: return ROOT_CONTEXT;
  const carrier: Record<string, string> = {};
  if (env["TRACEPARENT"]) carrier["traceparent"] = env["TRACEPARENT"];
  if (env["TRACESTATE"]) carrier["tracestate"] = env["TRACESTATE"];
  return propagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  // END LAB 02 BLOCK C
}

export interface AuditResult {
  readonly chars: number;
  readonly words: number;
  readonly lines: number;
  readonly uniqueWords: number;
  readonly meanWordLength: number;
  readonly topWords: readonly { word: string; count: number }[];
  /** Wall time of the whole subprocess stage, spawn included, in ms. */
  readonly elapsedMs: number;
}

const CHILD_SCRIPT = fileURLToPath(new URL("./audit-child.ts", import.meta.url));

/**
 * Run the audit child on a generation's text: a real node process computing text statistics.
 * The "audit.subprocess" span here measures the spawn and the wait; its context goes to the child as
 * TRACEPARENT, so the child's spans join the request's trace underneath it.
 */
export async function runAudit(text: string, opts: { traceDir: string; timeoutMs?: number; parent?: Context }): Promise<AuditResult> {
  const parent = opts.parent ?? context.active();
  const started = performance.now();
  const span = trace.getTracer(TRACER_NAME).startSpan("audit.subprocess", { attributes: { "process.command": "audit-child" } }, parent);
  // The child's spans go under this span: the spawn-and-wait stage contains the child's work.
  const env = { ...process.env, ...traceparentEnv(trace.setSpan(parent, span)), MINISERVE_TRACE_DIR: opts.traceDir };
  try {
    const stdout = await new Promise<string>((resolve, reject) => {
      // --import tsx: the child is TypeScript like the rest of the workbook.
      const child = spawn(process.execPath, ["--import", "tsx", CHILD_SCRIPT], { env, stdio: ["pipe", "pipe", "pipe"], timeout: opts.timeoutMs ?? 15_000 });
      let out = "";
      let err = "";
      child.stdout.on("data", (b: Buffer) => (out += b.toString()));
      child.stderr.on("data", (b: Buffer) => (err += b.toString()));
      child.on("error", reject);
      child.on("close", (code, signal) => {
        span.setAttribute("process.pid", child.pid ?? -1);
        if (code === 0) resolve(out);
        else reject(new Error(`the audit child exited with ${signal ?? `code ${code}`}: ${err.trim().slice(0, 300)}`));
      });
      child.stdin.end(text);
    });
    const stats = JSON.parse(stdout) as Omit<AuditResult, "elapsedMs">;
    return { ...stats, elapsedMs: performance.now() - started };
  } catch (err) {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    span.end();
  }
}
