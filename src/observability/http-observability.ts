// The fastify side: RED metrics per route pattern, x-trace-id/traceparent response headers, the
// per-request log line, the respond span, /metrics and the trace viewer routes (labs 01–02).
import { context, isSpanContextValid, trace, TraceFlags } from "@opentelemetry/api";
import type { FastifyInstance, FastifyRequest } from "fastify";
import { metricsHandler } from "./exposition.ts";
import type { Logger } from "./logging.ts";
import { promptHash, requestLogFields } from "./logging.ts";
import { recordRequest } from "./metrics.ts";
import { respondSpan } from "./request-spans.ts";
import { OBS_META_KEY, RequestObservation } from "./request-state.ts";
import { registerTraceViewer } from "./trace-viewer.ts";
import type { Tracing } from "./tracing.ts";

/** What the HTTP layer remembers per request; WeakMaps, so nothing outlives the request object. */
interface HttpFacts {
  readonly startNs: bigint;
  readonly traceId: string | null;
  readonly spanId: string | null;
  readonly sampled: boolean;
  errorCode?: string;
}

export interface HttpObservability {
  readonly plugin: (app: FastifyInstance) => void;
  readonly requestMeta: (req: FastifyRequest) => Record<string, unknown>;
}

function promptText(body: Record<string, unknown>): string {
  const p = body["prompt"];
  if (typeof p === "string") return p;
  if (Array.isArray(p) && typeof p[0] === "string") return p[0];
  return JSON.stringify(body["messages"] ?? "");
}

export function createHttpObservability(opts: { tracing: Tracing | null; logger: Logger }): HttpObservability {
  const facts = new WeakMap<FastifyRequest, HttpFacts>();
  const observations = new WeakMap<FastifyRequest, RequestObservation>();
  const tracer = opts.tracing?.tracer ?? null;

  /** Runs in the route handler, inside the HTTP server span: capture its context for the stage spans. */
  const requestMeta = (req: FastifyRequest): Record<string, unknown> => {
    const obs = new RequestObservation();
    const ctx = context.active();
    const span = trace.getSpan(ctx);
    const sc = span?.spanContext();
    if (span && sc && isSpanContextValid(sc)) {
      obs.traceContext = ctx;
      obs.rootSpan = span;
      obs.traceId = sc.traceId;
      obs.spanId = sc.spanId;
      obs.sampled = (sc.traceFlags & TraceFlags.SAMPLED) !== 0 && span.isRecording();
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    obs.operation = req.routeOptions.url === "/v1/chat/completions" ? "chat" : "text_completion";
    const max = body["max_completion_tokens"] ?? body["max_tokens"];
    obs.maxTokens = typeof max === "number" ? max : null;
    obs.temperature = typeof body["temperature"] === "number" ? body["temperature"] : null;
    const prompt = promptText(body);
    obs.promptChars = prompt.length;
    if (opts.logger.isLevelEnabled("info")) obs.promptSha256 = promptHash(prompt);
    observations.set(req, obs);
    return { [OBS_META_KEY]: obs };
  };

  const plugin = (app: FastifyInstance): void => {
    app.addHook("onRequest", (req, reply, done) => {
      const sc = trace.getActiveSpan()?.spanContext();
      const valid = sc !== undefined && isSpanContextValid(sc);
      facts.set(req, {
        startNs: process.hrtime.bigint(),
        traceId: valid ? sc.traceId : null,
        spanId: valid ? sc.spanId : null,
        sampled: valid && (sc.traceFlags & TraceFlags.SAMPLED) !== 0,
      });
      if (valid) {
        // The caller learns where its trace is, and can continue it (W3C trace context out).
        void reply.header("x-trace-id", sc.traceId);
        void reply.header("traceparent", `00-${sc.traceId}-${sc.spanId}-0${sc.traceFlags & TraceFlags.SAMPLED}`);
        const route = req.routeOptions.url;
        const span = trace.getActiveSpan();
        if (route && span?.isRecording()) {
          span.updateName(`${req.method} ${route}`);
          span.setAttribute("http.route", route);
        }
      }
      done();
    });

    app.addHook("onError", (req, _reply, err, done) => {
      const f = facts.get(req);
      if (f) f.errorCode = (err as { code?: string }).code;
      done();
    });

    app.addHook("onResponse", (req, reply, done) => {
      const f = facts.get(req);
      const durationMs = f ? Number(process.hrtime.bigint() - f.startNs) / 1e6 : 0;
      // The route pattern, never the raw URL: unknown paths all land in one series.
      const endpoint = req.routeOptions.url ?? "unmatched";
      const status = reply.statusCode;
      recordRequest(endpoint, req.method, status, durationMs / 1000, f?.sampled ? f.traceId ?? undefined : undefined);
      const obs = observations.get(req);
      if (obs && tracer) respondSpan(tracer, obs, status);
      if (obs || status >= 400) {
        const fields = requestLogFields(obs, {
          httpRequestId: req.id, endpoint, method: req.method, status, durationMs,
          traceId: f?.traceId ?? null, spanId: f?.spanId ?? null, errorCode: f?.errorCode,
        });
        if (fields["event"] === "request_finished") opts.logger.info(fields, "request finished");
        else opts.logger.warn(fields, fields["event"] === "request_aborted" ? "request aborted" : "request failed");
      }
      done();
    });

    app.get("/metrics", metricsHandler);
    if (opts.tracing) registerTraceViewer(app, opts.tracing.store);
  };
  return { plugin, requestMeta };
}

