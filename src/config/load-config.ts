// Builds miniserve's one configuration object from the environment and command-line flags,
// validates every value with a message that says what to fix, and freezes it (all labs start here).
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { MiniserveError } from "../errors/codes.ts";
import { modelNameOf } from "./model-name.ts";

export interface Config {
  readonly host: string;
  readonly port: number;
  /** A model folder (miniserve-tiny's model/ or a Hugging Face ONNX export), or an .onnx file in one. */
  readonly modelDir: string;
  /** The name /v1/models lists and requests must use: MINISERVE_MODEL_NAME, else the model folder's own. */
  readonly modelName: string;
  readonly kvSlots: number;
  /** Cap on the context served, in tokens; 0 serves the model's own context. */
  readonly maxContextTokens: number;
  /** Memory the KV cache may take with every slot at full context; a model that needs more is refused. */
  readonly kvCacheMib: number;
  readonly queueCapacity: number;
  /** Prompt tokens admitted and prefilled per scheduler step (bounds how long decoding pauses). */
  readonly prefillTokenBudget: number;
  /** onnxruntime intra-op threads; the HTTP side keeps the other core. */
  readonly ortThreads: number;
  /** Largest max_tokens a request may ask for. */
  readonly maxTokensCap: number;
  /** max_tokens when a request does not say (OpenAI's completions default is 16). */
  readonly defaultMaxTokens: number;
  readonly bodyLimitBytes: number;
  /** Time a client has to send a whole request, headers and body (node's requestTimeout). */
  readonly requestTimeoutMs: number;
  /** Time a client has to send the request headers (node's headersTimeout), at most requestTimeoutMs. */
  readonly headersTimeoutMs: number;
  /** How long an idle keep-alive connection stays open after its last response. */
  readonly keepAliveTimeoutMs: number;
  /** Socket inactivity limit, either direction; 0 = none (a queued non-streamed request is silent while it waits). */
  readonly connectionTimeoutMs: number;
  readonly shutdownGraceMs: number;
  readonly retryAfterSeconds: number;
  readonly retrievalDirs: readonly string[];
  readonly retrievalMaxTopK: number;
  /** The `"audit": true` extension (lab 02): off refuses it with a 400. */
  readonly auditEnabled: boolean;
  /** Audit child processes running at once; more are refused with 503 and Retry-After. */
  readonly auditMaxConcurrent: number;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Folder the repo lives in: relative paths (model, corpus) resolve against it. */
  readonly rootDir: string;
  // ---- observability (src/observability, labs 01–03) ----
  /** false = the bare server: no /metrics, no spans, no cost tracking, fastify's plain logger. */
  readonly observability: boolean;
  /** What one second of the machine costs, in euros (docs/observability.md derives the default). */
  readonly costRatePerSecondEur: number;
  readonly otelSdkDisabled: boolean;
  readonly otelServiceName: string;
  /** OTLP base URL (Tempo or a collector); null = no OTLP export, the local store only. */
  readonly otlpEndpoint: string | null;
  readonly otlpProtocol: "http/protobuf" | "http/json" | "grpc";
  readonly traceSampler: (typeof TRACE_SAMPLERS)[number];
  /** Ratio for the traceidratio samplers, 0..1; with the tail policy, the share of ordinary traces kept. */
  readonly traceSamplerArg: number;
  /** "tail": record every request, keep errors, slow ones and a ratio of the rest; "head": OTEL_TRACES_SAMPLER alone. */
  readonly tracePolicy: (typeof TRACE_POLICIES)[number];
  /** Tail policy: keep every trace with a span in error status. */
  readonly traceKeepErrors: boolean;
  /** Tail policy: keep every trace at least this long; 0 = no latency rule. */
  readonly traceKeepSlowerThanMs: number;
  /** Folder of the local JSONL trace store (git-ignored). */
  readonly traceDir: string;
  readonly traceFileMaxBytes: number;
  /** Traces the in-memory store keeps for the viewer. */
  readonly traceMemoryTraces: number;
}

interface Field<T> {
  env: string;
  flag: string;
  /** another flag spelling accepted for the same setting */
  alias?: string;
  parse: (raw: string, name: string) => T;
  fallback: T;
}

function fail(name: string, raw: string, expected: string): never {
  throw new MiniserveError("MSV_ERR_CONFIG", `${name} must be ${expected}; got ${JSON.stringify(raw)}.`);
}

function int(min: number, max: number) {
  return (raw: string, name: string): number => {
    const n = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(n) || n < min || n > max) fail(name, raw, `an integer from ${min} to ${max}`);
    return n;
  };
}

const text = (raw: string, name: string): string => (raw.trim() === "" ? fail(name, raw, "a non-empty string") : raw.trim());
const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
const level = (raw: string, name: string): Config["logLevel"] =>
  (LOG_LEVELS as readonly string[]).includes(raw) ? (raw as Config["logLevel"]) : fail(name, raw, `one of ${LOG_LEVELS.join(", ")}`);
const list = (raw: string, name: string): string[] => {
  const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
  return items.length > 0 ? items : fail(name, raw, "a comma-separated list of folders");
};

const onOff = (raw: string, name: string): boolean => {
  const v = raw.trim().toLowerCase();
  if (["on", "true", "1", "yes"].includes(v)) return true;
  if (["off", "false", "0", "no"].includes(v)) return false;
  return fail(name, raw, "on or off (true/false also work)");
};
const positiveNumber = (max: number) => (raw: string, name: string): number => {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n <= 0 || n > max) fail(name, raw, `a number above 0 and at most ${max}`);
  return n;
};
const ratio = (raw: string, name: string): number => {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) fail(name, raw, "a number from 0 to 1 (1 keeps every trace)");
  return n;
};
const url = (raw: string, name: string): string | null => {
  const v = raw.trim();
  if (v === "") return null;
  try {
    const u = new URL(v);
    if (u.protocol === "http:" || u.protocol === "https:") return v.replace(/\/+$/, "");
  } catch {
    // reported below
  }
  return fail(name, raw, "an http:// or https:// URL such as http://127.0.0.1:4318 (empty = no OTLP export)");
};
const OTLP_PROTOCOLS = ["http/protobuf", "http/json", "grpc"] as const;
const protocol = (raw: string, name: string): Config["otlpProtocol"] =>
  (OTLP_PROTOCOLS as readonly string[]).includes(raw.trim()) ? (raw.trim() as Config["otlpProtocol"]) : fail(name, raw, `one of ${OTLP_PROTOCOLS.join(", ")}`);
export const TRACE_SAMPLERS = ["always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off", "parentbased_traceidratio"] as const;
export const TRACE_POLICIES = ["tail", "head"] as const;
const policy = (raw: string, name: string): Config["tracePolicy"] =>
  (TRACE_POLICIES as readonly string[]).includes(raw.trim()) ? (raw.trim() as Config["tracePolicy"]) : fail(name, raw, `one of ${TRACE_POLICIES.join(", ")}`);
const sampler = (raw: string, name: string): Config["traceSampler"] =>
  (TRACE_SAMPLERS as readonly string[]).includes(raw.trim()) ? (raw.trim() as Config["traceSampler"]) : fail(name, raw, `one of ${TRACE_SAMPLERS.join(", ")}`);

const ROOT = resolve(import.meta.dirname, "..", "..");

const FIELDS = {
  host: { env: "HOST", flag: "host", parse: text, fallback: "127.0.0.1" },
  port: { env: "PORT", flag: "port", parse: int(0, 65535), fallback: 8000 },
  modelDir: { env: "MINISERVE_MODEL_DIR", flag: "model-dir", alias: "model", parse: text, fallback: "model" },
  // "" = the model's own name (model-config.json's "name", else the folder's name), filled in below.
  modelName: { env: "MINISERVE_MODEL_NAME", flag: "model-name", parse: text, fallback: "" },
  kvSlots: { env: "MINISERVE_KV_SLOTS", flag: "kv-slots", parse: int(1, 256), fallback: 32 },
  maxContextTokens: { env: "MINISERVE_MAX_CONTEXT_TOKENS", flag: "max-context-tokens", parse: int(0, 1_048_576), fallback: 0 },
  kvCacheMib: { env: "MINISERVE_KV_CACHE_MIB", flag: "kv-cache-mib", parse: int(1, 1_048_576), fallback: 2048 },
  queueCapacity: { env: "MINISERVE_QUEUE_CAPACITY", flag: "queue-capacity", parse: int(0, 100_000), fallback: 256 },
  prefillTokenBudget: { env: "MINISERVE_PREFILL_TOKEN_BUDGET", flag: "prefill-token-budget", parse: int(16, 65_536), fallback: 512 },
  ortThreads: { env: "MINISERVE_ORT_THREADS", flag: "ort-threads", parse: int(1, 64), fallback: 1 },
  maxTokensCap: { env: "MINISERVE_MAX_TOKENS_CAP", flag: "max-tokens-cap", parse: int(1, 4096), fallback: 256 },
  defaultMaxTokens: { env: "MINISERVE_DEFAULT_MAX_TOKENS", flag: "default-max-tokens", parse: int(1, 4096), fallback: 16 },
  bodyLimitBytes: { env: "MINISERVE_BODY_LIMIT_BYTES", flag: "body-limit-bytes", parse: int(1024, 64 * 1024 * 1024), fallback: 256 * 1024 },
  requestTimeoutMs: { env: "MINISERVE_REQUEST_TIMEOUT_MS", flag: "request-timeout-ms", parse: int(100, 600_000), fallback: 30_000 },
  headersTimeoutMs: { env: "MINISERVE_HEADERS_TIMEOUT_MS", flag: "headers-timeout-ms", parse: int(100, 600_000), fallback: 10_000 },
  keepAliveTimeoutMs: { env: "MINISERVE_KEEP_ALIVE_TIMEOUT_MS", flag: "keep-alive-timeout-ms", parse: int(100, 600_000), fallback: 72_000 },
  connectionTimeoutMs: { env: "MINISERVE_CONNECTION_TIMEOUT_MS", flag: "connection-timeout-ms", parse: int(0, 3_600_000), fallback: 0 },
  shutdownGraceMs: { env: "MINISERVE_SHUTDOWN_GRACE_MS", flag: "shutdown-grace-ms", parse: int(0, 600_000), fallback: 10_000 },
  retryAfterSeconds: { env: "MINISERVE_RETRY_AFTER_SECONDS", flag: "retry-after-seconds", parse: int(1, 3600), fallback: 1 },
  retrievalDirs: { env: "MINISERVE_RETRIEVAL_DIRS", flag: "retrieval-dirs", parse: list, fallback: ["theory", "docs"] },
  retrievalMaxTopK: { env: "MINISERVE_RETRIEVAL_MAX_TOP_K", flag: "retrieval-max-top-k", parse: int(1, 16), fallback: 4 },
  auditEnabled: { env: "MINISERVE_AUDIT", flag: "audit", parse: onOff, fallback: true },
  auditMaxConcurrent: { env: "MINISERVE_AUDIT_MAX_CONCURRENT", flag: "audit-max-concurrent", parse: int(1, 64), fallback: 2 },
  logLevel: { env: "LOG_LEVEL", flag: "log-level", parse: level, fallback: "info" },
  observability: { env: "MINISERVE_OBSERVABILITY", flag: "observability", parse: onOff, fallback: true },
  // US$0.08925/h (AWS c7i.large on-demand list price) x 0.92 EUR/US$ / 3600 s; docs/observability.md shows the sums.
  costRatePerSecondEur: { env: "COST_RATE_PER_SECOND_EUR", flag: "cost-rate-per-second-eur", parse: positiveNumber(1), fallback: 0.00002281 },
  otelSdkDisabled: { env: "OTEL_SDK_DISABLED", flag: "otel-sdk-disabled", parse: onOff, fallback: false },
  otelServiceName: { env: "OTEL_SERVICE_NAME", flag: "otel-service-name", parse: text, fallback: "miniserve" },
  otlpEndpoint: { env: "OTEL_EXPORTER_OTLP_ENDPOINT", flag: "otlp-endpoint", parse: url, fallback: null },
  otlpProtocol: { env: "OTEL_EXPORTER_OTLP_PROTOCOL", flag: "otlp-protocol", parse: protocol, fallback: "http/protobuf" },
  traceSampler: { env: "OTEL_TRACES_SAMPLER", flag: "traces-sampler", parse: sampler, fallback: "parentbased_traceidratio" },
  traceSamplerArg: { env: "OTEL_TRACES_SAMPLER_ARG", flag: "traces-sampler-arg", parse: ratio, fallback: 1 },
  tracePolicy: { env: "MINISERVE_TRACE_POLICY", flag: "trace-policy", parse: policy, fallback: "tail" },
  traceKeepErrors: { env: "MINISERVE_TRACE_KEEP_ERRORS", flag: "trace-keep-errors", parse: onOff, fallback: true },
  traceKeepSlowerThanMs: { env: "MINISERVE_TRACE_KEEP_SLOWER_THAN_MS", flag: "trace-keep-slower-than-ms", parse: int(0, 3_600_000), fallback: 1000 },
  traceDir: { env: "MINISERVE_TRACE_DIR", flag: "trace-dir", parse: text, fallback: ".data/traces" },
  traceFileMaxBytes: { env: "MINISERVE_TRACE_FILE_MAX_BYTES", flag: "trace-file-max-bytes", parse: int(64 * 1024, 1024 * 1024 * 1024), fallback: 16 * 1024 * 1024 },
  traceMemoryTraces: { env: "MINISERVE_TRACE_MEMORY_TRACES", flag: "trace-memory-traces", parse: int(1, 100_000), fallback: 500 },
} satisfies { [K in keyof Omit<Config, "rootDir">]: Field<Config[K]> };

/** The flags loadConfig accepts, for --help texts. */
export function configHelp(): string {
  return Object.values(FIELDS)
    .map((f: Field<unknown>) => `  --${(f.flag + (f.alias ? `, --${f.alias}` : "")).padEnd(22)} env ${f.env.padEnd(32)} default ${JSON.stringify(f.fallback)}`)
    .join("\n");
}

/**
 * Flags win over the environment, which wins over defaults. Throws MiniserveError
 * (MSV_ERR_CONFIG) naming the variable or flag and the accepted values.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, argv: readonly string[] = []): Config {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: [...argv],
      options: Object.fromEntries(Object.values(FIELDS).flatMap((f: Field<unknown>) => [f.flag, ...(f.alias ? [f.alias] : [])].map((flag) => [flag, { type: "string" as const }]))),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new MiniserveError("MSV_ERR_CONFIG", `${(err as Error).message}. Accepted flags:\n${configHelp()}`);
  }
  const out: Record<string, unknown> = { rootDir: ROOT };
  for (const [key, field] of Object.entries(FIELDS) as [string, Field<unknown>][]) {
    const flag = field.alias !== undefined && typeof flags[field.alias] === "string" ? field.alias : field.flag;
    const fromFlag = flags[flag];
    const fromEnv = env[field.env];
    if (typeof fromFlag === "string") out[key] = field.parse(fromFlag, `--${flag}`);
    else if (fromEnv !== undefined) out[key] = field.parse(fromEnv, field.env);
    else out[key] = field.fallback;
  }
  const config = out as unknown as Config;
  if (config.defaultMaxTokens > config.maxTokensCap) {
    throw new MiniserveError("MSV_ERR_CONFIG", `MINISERVE_DEFAULT_MAX_TOKENS (${config.defaultMaxTokens}) must not exceed MINISERVE_MAX_TOKENS_CAP (${config.maxTokensCap}).`);
  }
  // node refuses a headers timeout longer than the request timeout: the headers are part of the request.
  if (config.headersTimeoutMs > config.requestTimeoutMs) {
    throw new MiniserveError("MSV_ERR_CONFIG", `MINISERVE_HEADERS_TIMEOUT_MS (${config.headersTimeoutMs}) must not exceed MINISERVE_REQUEST_TIMEOUT_MS (${config.requestTimeoutMs}).`);
  }
  const modelDir = resolve(ROOT, config.modelDir);
  return Object.freeze({
    ...config, modelDir, modelName: config.modelName || modelNameOf(modelDir),
    traceDir: resolve(ROOT, config.traceDir), retrievalDirs: Object.freeze([...config.retrievalDirs]),
  });
}
