// What happens to a span after it ends (lab 02): the sampling policy's tail decision, then one
// bounded batch processor per exporter (local store, OTLP), each counting its drops by exporter and
// reason. A failing OTLP endpoint costs spans, never requests, and logs one line a minute at most.
import type { SpanExporter, SpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Config } from "../config/index.ts";
import { LocalTraceStore } from "./local-trace-store.ts";
import { metrics } from "./metrics.ts";
import type { Logger } from "./logging.ts";
import { TailSamplingProcessor } from "./tail-sampler.ts";
import type { TracePolicy } from "./sampling-policy.ts";
import { BoundedBatchProcessor } from "./span-processor.ts";
import type { DropReason } from "./span-processor.ts";
import { zeroPipelineSeries } from "./series-init.ts";

export type ExporterName = "local" | "otlp";
type Dropped = DropReason | "file_write_failed";

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

/**
 * One warning per minute at most while OTLP drops spans, with the count since the last warning.
 * The logger is loaded on first use: loading pino before the SDK started would leave every other
 * log line of the process without its trace_id.
 */
function otlpWarner(config: Config, intervalMs = 60_000): (reason: Dropped, spans: number) => void {
  let lastMs = -Infinity;
  let since = 0;
  let logger: Logger | null = null;
  return (reason, spans) => {
    since += spans;
    const now = Date.now();
    if (now - lastMs < intervalMs) return;
    lastMs = now;
    const count = since;
    since = 0;
    void import("./logging.ts").then(({ createLogger }) => {
      logger ??= createLogger(config);
      logger.warn({ event: "otlp_export_failed", endpoint: config.otlpEndpoint, reason, spans_dropped: count },
        "spans could not be exported over OTLP; the local store still has them (this line repeats at most once a minute)");
    }, () => {});
  };
}

export interface SpanPipeline {
  readonly processor: SpanProcessor;
  readonly store: LocalTraceStore;
}

export async function spanPipeline(config: Config, policy: TracePolicy): Promise<SpanPipeline> {
  const m = metrics();
  const warnOtlp = otlpWarner(config);
  const dropped = (exporter: ExporterName) => (reason: Dropped, n: number): void => {
    m.spansDropped.inc({ exporter, reason }, n);
    if (exporter === "otlp") warnOtlp(reason, n);
  };
  const store = new LocalTraceStore({
    dir: config.traceDir, maxFileBytes: config.traceFileMaxBytes, maxTraces: config.traceMemoryTraces,
    onWriteError: (_err, n) => dropped("local")("file_write_failed", n),
  });
  const exporters: ExporterName[] = ["local"];
  const downstream = [new BoundedBatchProcessor(store, { maxQueue: 8192, maxBatch: 1024, delayMs: 250, exportTimeoutMs: 2000 }, dropped("local"))];
  if (config.otlpEndpoint !== null) {
    exporters.push("otlp");
    downstream.push(new BoundedBatchProcessor(await otlpExporter(config), { maxQueue: 2048, maxBatch: 512, delayMs: 1000, exportTimeoutMs: 5000 }, dropped("otlp")));
  }
  zeroPipelineSeries(exporters);
  const processor = new TailSamplingProcessor(downstream, policy, {
    onDecision: (keep, rule) => m.traceDecisions.inc({ decision: keep ? "keep" : "drop", rule }),
    onOrphans: (n) => m.traceOrphanSpans.inc(n),
  });
  return { processor, store };
}
