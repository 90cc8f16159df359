// The fastify side: RED metrics per route pattern, x-trace-id/traceparent response headers, the
// per-request log line, the respond span, /metrics and the trace viewer routes (labs 01–02).
import type { Socket } from "node:net";
import { context, isSpanContextValid, trace, TraceFlags } from "@opentelemetry/api";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { markTimedOut, unfinishedStatus } from "./client-close.ts";
import { metricsHandler } from "./exposition.ts";
import type { Logger } from "./logging.ts";
import { promptHash, requestLogFields } from "./logging.ts";
import { recordGenAiRequest } from "./gen-ai-metrics.ts";
import { metrics, recordRequest } from "./metrics.ts";
import { respondSpan } from "./request-spans.ts";
import { RequestObservation } from "./request-state.ts";
import type { TraceLink } from "./request-state.ts";
import { registerTraceViewer } from "./trace-viewer.ts";
import type { Tracing } from "./tracing.ts";

/** What the HTTP layer remembers per request; WeakMaps, so nothing outlives the request object. */
interface HttpFacts {
  readonly startNs: bigint;
  readonly traceId: string | null;
  readonly spanId: string | null;
  readonly sampled: boolean;
  errorCode?: string;
  /** Set by whichever of onResponse and the raw 'close' event records the request first. */
  recorded?: boolean;
}

/** Refusals of the audit extension, counted from the error code the route threw. */
const AUDIT_REFUSALS: Readonly<Record<string, string>> = { MSV_ERR_AUDIT_BUSY: "busy", MSV_ERR_AUDIT_DISABLED: "disabled" };

/** What the route passes in: the parameters it validated (no second parse of the body). */
export interface ValidatedRequest {
  readonly kind: "completion" | "chat";
  readonly model: string;
  readonly prompt: string;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly stream: boolean;
  readonly retrievalTopK: number;
}

export interface HttpObservability {
  readonly plugin: (app: FastifyInstance) => void;
  /** Called by the route inside the HTTP server span: the request's observation, handed to the engine as its tag. */
  readonly observeRequest: (req: FastifyRequest, params: ValidatedRequest) => RequestObservation;
}

/** The request's place in its trace, read from the context active in the route handler. */
function traceLink(): TraceLink | null {
  const ctx = context.active();
  const span = trace.getSpan(ctx);
  const sc = span?.spanContext();
  if (!span || !sc || !isSpanContextValid(sc)) return null;
  const recording = span.isRecording();
  return { context: ctx, rootSpan: span, traceId: sc.traceId, spanId: sc.spanId, recording, sampled: (sc.traceFlags & TraceFlags.SAMPLED) !== 0 && recording };
}

export function createHttpObservability(opts: { tracing: Tracing | null; logger: Logger }): HttpObservability {
  const facts = new WeakMap<FastifyRequest, HttpFacts>();
  const observations = new WeakMap<FastifyRequest, RequestObservation>();
  const tracer = opts.tracing?.tracer ?? null;

  const observeRequest = (req: FastifyRequest, p: ValidatedRequest): RequestObservation => {
    const obs = new RequestObservation(
      p.model, traceLink(), p.kind === "chat" ? "chat" : "text_completion",
      { maxTokens: p.maxTokens, temperature: p.temperature, topP: p.topP, stream: p.stream, retrievalTopK: p.retrievalTopK > 0 ? p.retrievalTopK : null },
      { chars: p.prompt.length, sha256: opts.logger.isLevelEnabled("info") ? promptHash(p.prompt) : null },
    );
    observations.set(req, obs);
    return obs;
  };

  /** The per-request log line, from the observation when there is one. */
  const logRequest = (req: FastifyRequest, f: HttpFacts | undefined, status: number, durationMs: number, override: Record<string, unknown> = {}): void => {
    const obs = observations.get(req);
    const endpoint = req.routeOptions.url ?? "unmatched";
    if (!obs && status < 400) return;
    const fields = {
      ...requestLogFields(obs, {
        httpRequestId: req.id, endpoint, method: req.method, status, durationMs,
        traceId: f?.traceId ?? null, spanId: f?.spanId ?? null, errorCode: f?.errorCode,
      }),
      ...override,
    };
    if (fields["event"] === "request_finished") opts.logger.info(fields, "request finished");
    else opts.logger.warn(fields, fields["event"] === "request_aborted" ? "request aborted" : "request failed");
  };

  /** RED for one request, once: the route pattern, never the raw URL (unknown paths share one series). */
  const record = (req: FastifyRequest, f: HttpFacts | undefined, status: number): number => {
    const durationMs = f ? Number(process.hrtime.bigint() - f.startNs) / 1e6 : 0;
    if (f) f.recorded = true;
    recordRequest(req.routeOptions.url ?? "unmatched", req.method, status, durationMs / 1000, f?.sampled ? f.traceId ?? undefined : undefined);
    recordGenAiRequest(req.routeOptions.url, observations.get(req), status, f?.errorCode, durationMs / 1000, f?.sampled ? f.traceId : null);
    return durationMs;
  };

  /**
   * The raw response's 'close' fires for every request, once, even when the client aborts a stream
   * (fastify's onResponse then never runs) or the server cuts a request that arrives too slowly.
   * A response closed unfinished is recorded here: 499 (client went away) or 408 (timed out).
   */
  const onClose = (req: FastifyRequest, reply: FastifyReply): void => {
    const f = facts.get(req);
    if (f?.recorded) return;
    const status = unfinishedStatus(req.raw, reply.raw);
    if (status === null) return; // written in full: onResponse records it
    const durationMs = record(req, f, status);
    logRequest(req, f, status, durationMs, status === 499
      ? { event: "request_aborted", abort_reason: "client closed the connection before the response was complete" }
      : { event: "request_failed", error_code: "MSV_ERR_REQUEST_TIMEOUT" });
  };

  const plugin = (app: FastifyInstance): void => {
    const active = new WeakMap<Socket, FastifyRequest>();
    const connectedAt = new WeakMap<Socket, bigint>();
    /** Bytes a connection had sent when its last request ended: a timeout with nothing new is no request. */
    const readAtLastRequest = new WeakMap<Socket, number>();
    app.server.on("connection", (socket: Socket) => connectedAt.set(socket, process.hrtime.bigint()));
    // Node cuts a connection whose request is not in by the timeout, before or after fastify saw it.
    app.server.on("clientError", (err: Error & { code?: string }, socket: Socket) => {
      if (err.code !== "ERR_HTTP_REQUEST_TIMEOUT") return;
      markTimedOut(socket);
      if (active.has(socket)) return; // its response's 'close' records it as 408
      // A connection opened ahead of use, or kept alive after its last answer, sent no request: the
      // server closes it quietly, and RED has nothing to count.
      if (socket.bytesRead === (readAtLastRequest.get(socket) ?? 0)) return;
      const since = connectedAt.get(socket);
      const durationMs = since === undefined ? 0 : Number(process.hrtime.bigint() - since) / 1e6;
      recordRequest("unmatched", "OTHER", 408, durationMs / 1000);
      opts.logger.warn({ event: "request_failed", endpoint: "unmatched", status: 408, duration_ms: Math.round(durationMs), error_code: "MSV_ERR_REQUEST_TIMEOUT" }, "request headers did not arrive in time");
    });

    app.addHook("onRequest", (req, reply, done) => {
      const sc = trace.getActiveSpan()?.spanContext();
      const valid = sc !== undefined && isSpanContextValid(sc);
      facts.set(req, {
        startNs: process.hrtime.bigint(),
        traceId: valid ? sc.traceId : null,
        spanId: valid ? sc.spanId : null,
        sampled: valid && (sc.traceFlags & TraceFlags.SAMPLED) !== 0,
      });
      const socket = req.raw.socket;
      active.set(socket, req);
      reply.raw.once("close", () => {
        readAtLastRequest.set(socket, socket.bytesRead);
        if (active.get(socket) === req) active.delete(socket);
        onClose(req, reply);
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
      const code = (err as { code?: string }).code;
      if (f) f.errorCode = code;
      const refusal = code === undefined ? undefined : AUDIT_REFUSALS[code];
      if (refusal) metrics().auditRefused.inc({ reason: refusal });
      done();
    });

    app.addHook("onResponse", (req, reply, done) => {
      const f = facts.get(req);
      if (f?.recorded) return done();
      const status = reply.statusCode;
      const durationMs = record(req, f, status);
      const obs = observations.get(req);
      if (obs && tracer) respondSpan(tracer, obs, status);
      logRequest(req, f, status, durationMs);
      done();
    });

    app.get("/metrics", metricsHandler);
    if (opts.tracing) registerTraceViewer(app, opts.tracing.store);
  };
  return { plugin, observeRequest };
}

