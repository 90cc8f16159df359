// Starts the OpenTelemetry SDK: sampler, OTLP exporter, local store, HTTP and pino instrumentation.
// It must run before http, fastify and pino load, so src/cli/serve.ts calls it first (lab 02).
import { SpanStatusCode, trace } from "@opentelemetry/api";
import type { Span, Tracer } from "@opentelemetry/api";
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PinoInstrumentation } from "@opentelemetry/instrumentation-pino";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import type { Config } from "../config/index.ts";
import { unfinishedStatus } from "./client-close.ts";
import type { LocalTraceStore } from "./local-trace-store.ts";
import { setTraceSampleRatio } from "./metrics.ts";
import { PolicySampler, UNTRACED_PATHS, samplerFor } from "./sampling-policy.ts";
import type { TracePolicy } from "./sampling-policy.ts";
import { spanPipeline } from "./trace-pipeline.ts";

export { UNTRACED_PATHS };
export const TRACER_NAME = "miniserve";

export interface Tracing {
  readonly tracer: Tracer;
  readonly store: LocalTraceStore;
  /** The configured fraction of new traces kept (the trace_sample_ratio gauge). */
  readonly sampleRatio: number;
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

let current: Tracing | null = null;

/** The tracing started in this process, or null (observability off, SDK disabled, started after the server was imported). */
export function activeTracing(): Tracing | null {
  return current;
}

/** The policy the tail processor applies; with the head policy only the sampler's own flag keeps a trace. */
function policyOf(config: Config, ratio: number): TracePolicy {
  if (config.tracePolicy === "head") return { ratio, keepErrors: false, keepSlowerThanMs: 0 };
  return { ratio, keepErrors: config.traceKeepErrors, keepSlowerThanMs: config.traceKeepSlowerThanMs };
}

/**
 * A server span whose response was never completed: the client went away (499) or was cut for
 * sending too slowly (408). Without this the span would end looking like the 200 it never sent.
 */
function markUnfinished(span: Span, request: IncomingMessage | { socket?: unknown }, response: ServerResponse | IncomingMessage): void {
  if (!("writableFinished" in response) || !("headers" in request)) return;
  const status = unfinishedStatus(request as IncomingMessage, response);
  if (status === null) return;
  span.setAttribute("http.response.status_code", status);
  span.setAttribute("error.type", status === 499 ? "client_closed_request" : "request_timeout");
  span.setStatus({ code: SpanStatusCode.ERROR, message: status === 499 ? "client closed the connection before the response was complete" : "the request did not arrive within the request timeout" });
}

/** Start the SDK once per process. Returns null when configuration turns tracing off. */
export async function startTracing(config: Config): Promise<Tracing | null> {
  if (current !== null) return current;
  if (!config.observability || config.otelSdkDisabled) return null;
  // prom-client loads no HTTP module, so the metrics can exist this early.
  const { sampler, ratio } = config.tracePolicy === "tail"
    ? { sampler: new PolicySampler(config.traceSamplerArg), ratio: config.traceSamplerArg }
    : samplerFor(config);
  setTraceSampleRatio(ratio);
  const { processor, store } = await spanPipeline(config, policyOf(config, ratio));
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ "service.name": config.otelServiceName }),
    sampler,
    spanProcessors: [processor],
    // Metrics go to Prometheus through prom-client and logs to stdout through pino. Without these
    // empty lists the SDK would also push OTLP metrics and logs to localhost:4318 by default.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? "").split("?")[0]!) || (req.url ?? "").startsWith("/traces"),
        // miniserve makes no outgoing calls worth a span; the OTLP exporter's own are suppressed anyway.
        disableOutgoingRequestInstrumentation: true,
        // Runs as the response closes, before the span ends: the only moment an abort can still be recorded on it.
        applyCustomAttributesOnSpan: markUnfinished,
      }),
      // Inject trace_id/span_id into each line; do not also forward every line to the OTel logs SDK.
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  current = {
    tracer: trace.getTracer(TRACER_NAME),
    store, sampleRatio: ratio,
    forceFlush: () => processor.forceFlush(),
    shutdown: async () => {
      await sdk.shutdown().catch(() => {});
      current = null;
    },
  };
  return current;
}
