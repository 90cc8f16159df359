// The catalogue of every metric miniserve exposes: name, type, labels, buckets, unit and the question it answers.
// metrics.ts builds the prom-client metrics from it, the dashboard and docs read it (labs 01 and 03).

export type MetricType = "counter" | "gauge" | "histogram";

export interface MetricSpec {
  readonly name: string;
  readonly type: MetricType;
  readonly help: string;
  readonly labels: readonly string[];
  readonly buckets?: readonly number[];
  readonly unit: string;
  /** The operational question this metric answers (shown in the reference table). */
  readonly question: string;
  /** RED, USE, LLM or cost: where it sits in the workbook's map. */
  readonly family: "RED" | "USE" | "LLM" | "cost" | "meta";
  /** One of the six core metrics of lab 01. */
  readonly core?: boolean;
  /** Created by prom-client's collectDefaultMetrics(), not built from this entry; listed so the reference is complete. */
  readonly builtIn?: boolean;
  /** The OpenTelemetry semantic-convention name this metric is the Prometheus form of. */
  readonly otelName?: string;
}

/** Request latency across four decades: tiny completions finish in tens of ms, long ones in minutes. */
export const LLM_LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120] as const;
/** Time to first token: users notice above ~1 s; 10 s is already a failure. */
export const TTFT_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10] as const;
/** Per-token and per-stage times of a tiny CPU model are milliseconds, so these start at 1 ms. */
export const STAGE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;
export const TPOT_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5] as const;
/**
 * The OpenTelemetry GenAI server metrics' advised boundaries, exactly as the conventions state them
 * (open-telemetry/semantic-conventions-genai, docs/gen-ai/gen-ai-metrics.md, status Development).
 * Request duration doubles from 10 ms; TTFT starts at 1 ms; TPOT starts at 10 ms.
 */
export const GEN_AI_REQUEST_DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] as const;
export const GEN_AI_TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10] as const;
export const GEN_AI_TPOT_BUCKETS = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5] as const;
/** The GenAI attributes as Prometheus labels (dots become underscores); every value is bounded. */
const GEN_AI_LABELS = ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model"] as const;
export const BATCH_SIZE_BUCKETS = [1, 2, 4, 8, 12, 16, 24, 32, 48, 64] as const;
/**
 * Ten bounds per decade (the R10 preferred numbers, each about 1.26 times the last) from `from` to
 * `to`: a quantile read from them is known to within a factor of 1.26, wherever it falls in range.
 */
function r10(from: number, to: number): number[] {
  const steps = [1, 1.25, 1.6, 2, 2.5, 3.15, 4, 5, 6.3, 8];
  const out: number[] = [];
  for (let decade = Math.round(Math.log10(from)); decade < Math.round(Math.log10(to)); decade++) {
    for (const s of steps) out.push(Number((s * 10 ** decade).toPrecision(3)));
  }
  out.push(to);
  return out;
}
/**
 * Cost of one request in euros, six decades: a one-token reply of the tiny model (about 1e-8) to a
 * long reply of a real model on a CPU (about 1e-3). The p95 of cost is a headline number of lab 03,
 * so the buckets resolve it to a factor of 1.26 instead of the 1-2.5-5 layout's 2.5.
 */
export const COST_PER_REQUEST_BUCKETS_EUR = r10(1e-9, 1e-3);
/** Cost per 1000 output tokens in euros, six decades, the same resolution. */
export const COST_PER_1K_TOKENS_BUCKETS_EUR = r10(1e-7, 1e-1);

export const METRICS = {
  // ---- the six core metrics (lab 01), exactly as the lab states them ----
  requestTotal: {
    name: "request_total", type: "counter", labels: ["endpoint", "method", "status"], unit: "requests",
    help: "HTTP requests served, by route pattern, method and status code.",
    question: "How many requests per second, and what fraction fail? (RED: rate and errors)", family: "RED", core: true,
  },
  requestDuration: {
    name: "request_duration_seconds", type: "histogram", labels: ["endpoint", "method"], buckets: LLM_LATENCY_BUCKETS,
    unit: "seconds", help: "Time from request received to last byte sent, by route pattern and method.",
    question: "How long do requests take, including the long tail? (RED: duration)", family: "RED", core: true,
  },
  tokensTotal: {
    name: "tokens_total", type: "counter", labels: ["kind", "model_name"], unit: "tokens",
    help: "Tokens processed: kind=prompt for input (prefill), kind=completion for generated tokens.",
    question: "How many tokens per second go in and come out?", family: "LLM", core: true,
  },
  timeToFirstToken: {
    name: "time_to_first_token_seconds", type: "histogram", labels: ["model_name"], buckets: TTFT_BUCKETS,
    unit: "seconds", help: "Time from request received to the first generated token.",
    question: "How long does a user wait before text starts to appear?", family: "LLM", core: true,
  },
  kvCacheSlotsUsed: {
    name: "kv_cache_slots_used", type: "gauge", labels: [], unit: "slots",
    help: "KV-cache slots held by running requests, read on scrape.",
    question: "How close is the engine to its concurrency limit? (USE: saturation)", family: "USE", core: true,
  },
  queueDepth: {
    name: "queue_depth", type: "gauge", labels: [], unit: "requests",
    help: "Requests waiting for a KV-cache slot, read on scrape.",
    question: "Are requests piling up in front of the engine? (USE: saturation)", family: "USE", core: true,
  },
  // ---- LLM serving metrics beyond the six (lab 02 / lab 03) ----
  timePerOutputToken: {
    name: "time_per_output_token_seconds", type: "histogram", labels: ["model_name"], buckets: TPOT_BUCKETS,
    unit: "seconds", help: "Mean time between generated tokens of a request after the first (decode pace).",
    question: "How fast does text stream once it has started?", family: "LLM",
  },
  queueTime: {
    name: "request_queue_time_seconds", type: "histogram", labels: ["model_name"], buckets: STAGE_BUCKETS,
    unit: "seconds", help: "Time a request waited in the queue for a KV-cache slot.",
    question: "How much of the latency is waiting rather than working?", family: "LLM",
  },
  prefillTime: {
    name: "request_prefill_time_seconds", type: "histogram", labels: ["model_name"], buckets: STAGE_BUCKETS,
    unit: "seconds", help: "Wall time of the prefill step that processed the request's prompt.",
    question: "How expensive are long prompts?", family: "LLM",
  },
  decodeTime: {
    name: "request_decode_time_seconds", type: "histogram", labels: ["model_name"], buckets: STAGE_BUCKETS,
    unit: "seconds", help: "Wall time from first token to last token of a request.",
    question: "How long does generation take once started?", family: "LLM",
  },
  retrievalTime: {
    name: "retrieval_duration_seconds", type: "histogram", labels: [], buckets: STAGE_BUCKETS,
    unit: "seconds", help: "Time spent retrieving passages for requests that asked for retrieval.",
    question: "Is retrieval a bottleneck?", family: "LLM",
  },
  requestsRunning: {
    name: "requests_running", type: "gauge", labels: [], unit: "requests",
    help: "Requests holding a KV-cache slot (being prefilled or decoded), read on scrape.",
    question: "How many requests is the engine working on right now?", family: "USE",
  },
  batchSize: {
    name: "batch_size", type: "histogram", labels: ["phase"], buckets: BATCH_SIZE_BUCKETS,
    unit: "requests", help: "Rows in each engine step, phase=prefill or decode.",
    question: "Is continuous batching actually batching?", family: "LLM",
  },
  requestFinished: {
    name: "request_finished_total", type: "counter", labels: ["finish_reason"], unit: "requests",
    help: "Generations finished, by finish_reason (stop, length, abort).",
    question: "Do requests end naturally, hit max_tokens, or get cancelled?", family: "LLM",
  },
  kvCacheSlotsCapacity: {
    name: "kv_cache_slots_capacity", type: "gauge", labels: [], unit: "slots",
    help: "KV-cache slots configured in the pool.", question: "What is the ceiling for kv_cache_slots_used?", family: "USE",
  },
  queueCapacity: {
    name: "queue_capacity", type: "gauge", labels: [], unit: "requests",
    help: "Maximum number of requests the waiting queue holds before answering 503.",
    question: "What is the ceiling for queue_depth?", family: "USE",
  },
  // ---- OpenTelemetry GenAI server metrics: the conventions' names, units and boundaries ----
  genAiRequestDuration: {
    name: "gen_ai_server_request_duration_seconds", otelName: "gen_ai.server.request.duration", type: "histogram",
    labels: [...GEN_AI_LABELS, "error_type"], buckets: GEN_AI_REQUEST_DURATION_BUCKETS, unit: "seconds",
    help: "Generation request duration, request received to last byte sent (OpenTelemetry gen_ai.server.request.duration).",
    question: "How long do generation requests take, resolved down to 10 ms?", family: "LLM",
  },
  genAiTimeToFirstToken: {
    name: "gen_ai_server_time_to_first_token_seconds", otelName: "gen_ai.server.time_to_first_token", type: "histogram",
    labels: GEN_AI_LABELS, buckets: GEN_AI_TTFT_BUCKETS, unit: "seconds",
    help: "Time from request received to the first generated token, successful generations (OpenTelemetry gen_ai.server.time_to_first_token).",
    question: "How long does a user wait for the first token, resolved down to 1 ms?", family: "LLM",
  },
  genAiTimePerOutputToken: {
    name: "gen_ai_server_time_per_output_token_seconds", otelName: "gen_ai.server.time_per_output_token", type: "histogram",
    labels: GEN_AI_LABELS, buckets: GEN_AI_TPOT_BUCKETS, unit: "seconds",
    help: "Time per output token after the first, successful generations (OpenTelemetry gen_ai.server.time_per_output_token).",
    question: "How fast do tokens stream, in the conventions' buckets (10 ms floor)?", family: "LLM",
  },
  // ---- cost (lab 03) ----
  costPerRequest: {
    name: "cost_per_request_eur", type: "histogram", labels: ["model_name"], buckets: COST_PER_REQUEST_BUCKETS_EUR,
    unit: "euros", help: "Cost of each finished request: retrieval + prefill + decode, in euros.",
    question: "What does one request cost, at the median and in the tail?", family: "cost",
  },
  costPer1kOutputTokens: {
    name: "cost_per_1k_output_tokens_eur", type: "histogram", labels: ["model_name"], buckets: COST_PER_1K_TOKENS_BUCKETS_EUR,
    unit: "euros", help: "Cost of each finished request divided by its output tokens, times 1000.",
    question: "What does generated text cost per 1000 tokens, mean and p95?", family: "cost",
  },
  costStageTotal: {
    name: "cost_stage_eur_total", type: "counter", labels: ["stage"], unit: "euros",
    help: "Cost accumulated per stage (retrieval, prefill, decode), in euros.",
    question: "Which stage is the money going to?", family: "cost",
  },
  costIdentityViolations: {
    name: "cost_identity_violations_total", type: "counter", labels: [], unit: "requests",
    help: "Requests whose stage costs did not add up to their total within 0.1 %.",
    question: "Is the cost accounting still consistent?", family: "cost",
  },
  // ---- the observability pipeline itself ----
  traceSampleRatio: {
    name: "trace_sample_ratio", type: "gauge", labels: [], unit: "ratio",
    help: "Configured fraction of requests whose traces are kept (1 = all).",
    question: "How much of the per-request detail in traces is a sample?", family: "meta",
  },
  spansDropped: {
    name: "trace_spans_dropped_total", type: "counter", labels: ["exporter", "reason"], unit: "spans",
    help: "Spans that never reached an exporter, by exporter (local, otlp) and reason (queue full, export failure or timeout, shutdown, file write).",
    question: "Is the tracing pipeline losing data, and on the way to which backend?", family: "meta",
  },
  subscriberErrors: {
    name: "observability_subscriber_errors_total", type: "counter", labels: ["event"], unit: "errors",
    help: "Lifecycle-event subscribers that threw and were skipped, by engine event.",
    question: "Is the instrumentation itself failing (while requests still succeed)?", family: "meta",
  },
  requestStateEvicted: {
    name: "observability_request_state_evicted_total", type: "counter", labels: [], unit: "requests",
    help: "Per-request observation state dropped because the bounded table was full (a request never finished).",
    question: "Is per-request state leaking?", family: "meta",
  },
  traceDecisions: {
    name: "trace_sampling_decisions_total", type: "counter", labels: ["decision", "rule"], unit: "traces",
    help: "Traces the sampling policy kept or dropped, by the rule that decided: error, slow, ratio (keep); route, none (drop).",
    question: "What share of traces is kept, and which rule keeps them?", family: "meta",
  },
  traceOrphanSpans: {
    name: "trace_orphan_spans_total", type: "counter", labels: [], unit: "spans",
    help: "Exported spans whose parent never reached the exporters within their trace.",
    question: "Are traces arriving broken, with spans cut from their parent? Must stay 0.", family: "meta",
  },
  // ---- the bounds that keep hostile load from costing everyone else ----
  auditRefused: {
    name: "audit_refused_total", type: "counter", labels: ["reason"], unit: "requests",
    help: "Requests for \"audit\": true refused: reason=busy (every audit slot taken, 503) or disabled (MINISERVE_AUDIT=off, 400).",
    question: "Are audit requests turned away, and why?", family: "USE",
  },
  auditRunning: {
    name: "audit_subprocesses_running", type: "gauge", labels: [], unit: "processes",
    help: "Audit slots held now: a request holds one from admission until its child process exits.",
    question: "How many audit child processes (~70 MB each) is the server paying for? (USE: utilisation)", family: "USE",
  },
  // ---- USE of the process itself: prom-client's default metrics (the subset miniserve keeps) ----
  processCpu: {
    name: "process_cpu_seconds_total", type: "counter", labels: [], unit: "seconds", builtIn: true,
    help: "Total user and system CPU time spent in seconds.",
    question: "How busy is the server process? rate() of it is cores in use (USE: utilisation)", family: "USE",
  },
  processCpuUser: {
    name: "process_cpu_user_seconds_total", type: "counter", labels: [], unit: "seconds", builtIn: true,
    help: "Total user CPU time spent in seconds.", question: "Is the CPU time our code (user) or the kernel's (system)?", family: "USE",
  },
  processCpuSystem: {
    name: "process_cpu_system_seconds_total", type: "counter", labels: [], unit: "seconds", builtIn: true,
    help: "Total system CPU time spent in seconds.", question: "Is the kernel (network, memory) taking a large share?", family: "USE",
  },
  processStartTime: {
    name: "process_start_time_seconds", type: "gauge", labels: [], unit: "seconds since epoch", builtIn: true,
    help: "Start time of the process since unix epoch in seconds.", question: "Did the server restart?", family: "USE",
  },
  processRss: {
    name: "process_resident_memory_bytes", type: "gauge", labels: [], unit: "bytes", builtIn: true,
    help: "Resident memory size in bytes.", question: "How much memory does the process (model included) hold? (USE: saturation)", family: "USE",
  },
  processOpenFds: {
    name: "process_open_fds", type: "gauge", labels: [], unit: "file descriptors", builtIn: true,
    help: "Number of open file descriptors.", question: "Are connections or files leaking?", family: "USE",
  },
  heapUsed: {
    name: "nodejs_heap_size_used_bytes", type: "gauge", labels: [], unit: "bytes", builtIn: true,
    help: "Process heap size used from Node.js in bytes.", question: "Is the JavaScript heap growing without bound?", family: "USE",
  },
  heapTotal: {
    name: "nodejs_heap_size_total_bytes", type: "gauge", labels: [], unit: "bytes", builtIn: true,
    help: "Process heap size from Node.js in bytes.", question: "How much heap has V8 reserved?", family: "USE",
  },
  eventLoopLag: {
    name: "nodejs_eventloop_lag_seconds", type: "gauge", labels: [], unit: "seconds", builtIn: true,
    help: "Lag of event loop in seconds.", question: "Is the event loop blocked right now?", family: "USE",
  },
  eventLoopLagP50: {
    name: "nodejs_eventloop_lag_p50_seconds", type: "gauge", labels: [], unit: "seconds", builtIn: true,
    help: "The 50th percentile of the recorded event loop delays.", question: "What is the typical event-loop delay?", family: "USE",
  },
  eventLoopLagP99: {
    name: "nodejs_eventloop_lag_p99_seconds", type: "gauge", labels: [], unit: "seconds", builtIn: true,
    help: "The 99th percentile of the recorded event loop delays.",
    question: "Does the HTTP thread stall (a long step or a slow subscriber delays every response)? (USE: saturation)", family: "USE",
  },
} as const satisfies Record<string, MetricSpec>;

export type MetricKey = keyof typeof METRICS;
