// Lab 01's wrong solutions: the mistakes learners make wiring metrics, gauges, TTFT and tokens.
import type { Mutant } from "./mutant.ts";

const METRICS = "src/observability/metrics.ts";
const RENDER = "src/observability/request-metrics.ts";

export const LAB01_MUTANTS: readonly Mutant[] = [
  {
    id: "01-gauges-never-wired", lab: "01", file: METRICS, caughtBy: "01.use-gauges",
    mistake: "defined kv_cache_slots_used and queue_depth but never gave them a collect callback, so they read 0 under load",
    edits: [
      { find: `collect: readStat("kv_cache_slots_used", (s) => s.slotsUsed) });`, replace: `});` },
      { find: `collect: readStat("queue_depth", (s) => s.queueDepth) });`, replace: `});` },
    ],
  },
  {
    id: "01-slots-gauge-reads-capacity", lab: "01", file: METRICS, caughtBy: "01.use-gauges",
    mistake: "read the number of KV slots (the capacity) instead of the slots in use",
    edits: [{ find: `(s) => s.slotsUsed) });`, replace: `(s) => s.slotsTotal) });` }],
  },
  {
    id: "01-queue-gauge-reads-running", lab: "01", file: METRICS, caughtBy: "01.use-gauges",
    mistake: "took the requests running for the queue depth",
    edits: [{ find: `(s) => s.queueDepth) });`, replace: `(s) => s.running) });` }],
  },
  {
    id: "01-ttft-at-finish", lab: "01", file: RENDER, caughtBy: "01.ttft-tokens",
    mistake: "observed time to first token when the request finished, from arrival to the end",
    edits: [
      { find: `  if (ttft !== null) observeWithTrace(metrics().timeToFirstToken, { model_name: request.modelName }, ttft, obs.exemplarTraceId);\n`, replace: `  void ttft;\n` },
      { find: `  m.requestFinished.inc({ finish_reason: record.finishReason });`, replace: `  observeWithTrace(m.timeToFirstToken, model, record.seconds.generation, traceId);\n  m.requestFinished.inc({ finish_reason: record.finishReason });` },
    ],
  },
  {
    id: "01-ttft-in-milliseconds", lab: "01", file: RENDER, caughtBy: "01.ttft-tokens",
    mistake: "computed time to first token from the timings in milliseconds, in a histogram whose unit is seconds",
    edits: [{ find: `const ttft = ttftSeconds(request.timings);`, replace: `const ttft = request.timings.firstTokenMs! - request.timings.arrivedMs;` }],
  },
  {
    id: "01-first-token-counted-twice", lab: "01", file: RENDER, caughtBy: "01.ttft-tokens",
    mistake: "counted the first token as a completion token when it arrived, then every token again at the end",
    edits: [{
      find: `  const ttft = ttftSeconds(request.timings);`,
      replace: `  metrics().tokensTotal.inc({ kind: "completion", model_name: request.modelName });\n  const ttft = ttftSeconds(request.timings);`,
    }],
  },
  {
    id: "01-status-always-200", lab: "01", file: METRICS, caughtBy: "01.red",
    mistake: "wrote the status label as a constant \"200\", so errors look like successes",
    edits: [{ find: `m.requestTotal.inc({ ...labels, status: String(status) });`, replace: `m.requestTotal.inc({ ...labels, status: "200" });` }],
  },
  {
    id: "01-duration-in-milliseconds", lab: "01", file: METRICS, caughtBy: "01.module",
    mistake: "observed request durations in milliseconds in request_duration_seconds",
    edits: [{ find: `observeWithTrace(m.requestDuration, labels, durationSeconds, traceId ?? null);`, replace: `observeWithTrace(m.requestDuration, labels, durationSeconds * 1000, traceId ?? null);` }],
  },
  {
    id: "01-default-buckets", lab: "01", file: METRICS, caughtBy: "01.module",
    mistake: "left request_duration_seconds on prom-client's default buckets (5 ms to 10 s) instead of the LLM buckets",
    edits: [{ find: `    buckets: [...LLM_LATENCY_BUCKETS], enableExemplars: true, registers,`, replace: `    enableExemplars: true, registers,` }],
  },
  {
    id: "01-handler-ignores-accept", lab: "01", file: "src/observability/exposition.ts", caughtBy: "01.exposition",
    mistake: "always answered /metrics in OpenMetrics, whatever the client asked for",
    edits: [{ find: `const om = wantsOpenMetrics(req.headers.accept);`, replace: `const om = true;` }],
  },
];
