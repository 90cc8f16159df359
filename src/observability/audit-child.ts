// The audit subprocess (lab 02): reads generated text on stdin, prints its statistics as JSON, and
// exports its own spans to the local trace store as children of the request span named in TRACEPARENT.
import { trace } from "@opentelemetry/api";
import { TraceFlags } from "@opentelemetry/api";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { LocalTraceStore } from "./local-trace-store.ts";
import { contextFromEnv } from "./subprocess.ts";

const parent = contextFromEnv(process.env);
const parentSpan = trace.getSpanContext(parent);
// Trace only when the parent's trace is kept: the sampling decision travels with traceparent.
const traced = parentSpan !== undefined && (parentSpan.traceFlags & TraceFlags.SAMPLED) !== 0 && !!process.env["MINISERVE_TRACE_DIR"];
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ "service.name": `${process.env["OTEL_SERVICE_NAME"] ?? "miniserve"}-audit` }),
  spanProcessors: traced ? [new SimpleSpanProcessor(new LocalTraceStore({ dir: process.env["MINISERVE_TRACE_DIR"]!, maxFileBytes: 16 * 1024 * 1024, maxTraces: 0 }))] : [],
});
const tracer = provider.getTracer("miniserve-audit");

async function readStdin(): Promise<string> {
  let text = "";
  for await (const chunk of process.stdin) text += (chunk as Buffer).toString();
  return text;
}

const root = tracer.startSpan("audit", { attributes: { "process.pid": process.pid } }, parent);
const ctx = trace.setSpan(parent, root);
const read = tracer.startSpan("audit.read_input", {}, ctx);
const text = await readStdin();
read.setAttribute("audit.input_chars", text.length);
read.end();

const compute = tracer.startSpan("audit.text_stats", {}, ctx);
const words: string[] = text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? [];
const counts = new Map<string, number>();
for (const w of words) counts.set(w, (counts.get(w) ?? 0) + 1);
const stats = {
  chars: text.length,
  words: words.length,
  lines: text.length === 0 ? 0 : text.split("\n").length,
  uniqueWords: counts.size,
  meanWordLength: words.length === 0 ? 0 : Number((words.reduce((n, w) => n + w.length, 0) / words.length).toFixed(3)),
  topWords: [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5).map(([word, count]) => ({ word, count })),
};
compute.setAttributes({ "audit.words": stats.words, "audit.unique_words": stats.uniqueWords });
compute.end();
root.end();

process.stdout.write(JSON.stringify(stats) + "\n");
// SimpleSpanProcessor exported each span as it ended; shutdown waits for the last write.
await provider.shutdown();
