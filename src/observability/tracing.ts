// Starts the OpenTelemetry SDK: sampler, OTLP exporter, local store, HTTP and pino instrumentation.
// It must run before http, fastify and pino load, so src/cli/serve.ts calls it first (lab 02).
import { trace } from "@opentelemetry/api";
import type { Tracer } from "@opentelemetry/api";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import { PinoInstrumentation } from "@opentelemetry/instrumentation-pino";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { NodeSDK } from "@opentelemetry/sdk-node";
import {
  AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import type { Sampler, SpanExporter } from "@opentelemetry/sdk-trace-base";
import type { Config } from "../config/index.ts";
import { LocalTraceStore } from "./local-trace-store.ts";
import { metrics, setTraceSampleRatio } from "./metrics.ts";
import { BoundedBatchProcessor } from "./span-processor.ts";
import type { DropReason } from "./span-processor.ts";

/** Paths that are never traced: probes and scrapes would drown the request traces. */
export const UNTRACED_PATHS = new Set(["/health", "/ready", "/metrics", "/favicon.ico"]);
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

export function samplerFor(config: Pick<Config, "traceSampler" | "traceSamplerArg">): { sampler: Sampler; ratio: number } {
  const ratio = config.traceSamplerArg;
  switch (config.traceSampler) {
    case "always_on": return { sampler: new AlwaysOnSampler(), ratio: 1 };
    case "always_off": return { sampler: new AlwaysOffSampler(), ratio: 0 };
    case "traceidratio": return { sampler: new TraceIdRatioBasedSampler(ratio), ratio };
    case "parentbased_always_on": return { sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), ratio: 1 };
    case "parentbased_always_off": return { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }), ratio: 0 };
    case "parentbased_traceidratio": return { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }), ratio };
  }
}

/** The OTLP exporter for the configured protocol; the SDK's own packages, loaded on demand. */
async function otlpExporter(config: Config): Promise<SpanExporter> {
  const base = config.otlpEndpoint!;
  // A short timeout: an unreachable collector must cost spans, not memory or time.
  if (config.otlpProtocol === "grpc") {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-grpc");
    return new OTLPTraceExporter({ url: base, timeoutMillis: 3000 });
  }
  const url = `${base}/v1/traces`;
  if (config.otlpProtocol === "http/json") {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-http");
    return new OTLPTraceExporter({ url, timeoutMillis: 3000 });
  }
  const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
  return new OTLPTraceExporter({ url, timeoutMillis: 3000 });
}

/** Start the SDK once per process. Returns null when configuration turns tracing off. */
export async function startTracing(config: Config): Promise<Tracing | null> {
  if (current !== null) return current;
  if (!config.observability || config.otelSdkDisabled) return null;
  // prom-client loads no HTTP module, so the metrics can exist this early.
  const drop = (reason: DropReason | "file_write_failed", n: number): void => metrics().spansDropped.inc({ reason }, n);
  const store = new LocalTraceStore({
    dir: config.traceDir, maxFileBytes: config.traceFileMaxBytes, maxTraces: config.traceMemoryTraces,
    onWriteError: (_err, n) => drop("file_write_failed", n),
  });
  const processors = [new BoundedBatchProcessor(store, { maxQueue: 8192, maxBatch: 1024, delayMs: 250, exportTimeoutMs: 2000 }, drop)];
  if (config.otlpEndpoint !== null) {
    processors.push(new BoundedBatchProcessor(await otlpExporter(config), { maxQueue: 2048, maxBatch: 512, delayMs: 1000, exportTimeoutMs: 5000 }, drop));
  }
  const { sampler, ratio } = samplerFor(config);
  setTraceSampleRatio(ratio);
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ "service.name": config.otelServiceName }),
    sampler,
    spanProcessors: processors,
    // Metrics go to Prometheus through prom-client and logs to stdout through pino. Without these
    // empty lists the SDK would also push OTLP metrics and logs to localhost:4318 by default.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (req) => UNTRACED_PATHS.has((req.url ?? "").split("?")[0]!) || (req.url ?? "").startsWith("/traces"),
        // miniserve makes no outgoing calls worth a span; the OTLP exporter's own are suppressed anyway.
        disableOutgoingRequestInstrumentation: true,
      }),
      // Inject trace_id/span_id into each line; do not also forward every line to the OTel logs SDK.
      new PinoInstrumentation({ disableLogSending: true }),
    ],
  });
  sdk.start();
  current = {
    tracer: trace.getTracer(TRACER_NAME),
    store, sampleRatio: ratio,
    forceFlush: async () => {
      await Promise.all(processors.map((p) => p.forceFlush()));
    },
    shutdown: async () => {
      await sdk.shutdown().catch(() => {});
      current = null;
    },
  };
  return current;
}
