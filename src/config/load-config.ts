// Builds miniserve's one configuration object from the environment and command-line flags,
// validates every value with a message that says what to fix, and freezes it (all labs start here).
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { MiniserveError } from "../errors/codes.ts";

export interface Config {
  readonly host: string;
  readonly port: number;
  readonly modelDir: string;
  readonly modelName: string;
  readonly kvSlots: number;
  readonly queueCapacity: number;
  /** Upper bound on tokens (rows x padded length) in one prefill call. */
  readonly prefillTokenBudget: number;
  /** onnxruntime intra-op threads; the HTTP side keeps the other core. */
  readonly ortThreads: number;
  /** Largest max_tokens a request may ask for. */
  readonly maxTokensCap: number;
  /** max_tokens when a request does not say (OpenAI's completions default is 16). */
  readonly defaultMaxTokens: number;
  readonly bodyLimitBytes: number;
  readonly shutdownGraceMs: number;
  readonly retryAfterSeconds: number;
  readonly retrievalDirs: readonly string[];
  readonly retrievalMaxTopK: number;
  readonly logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  /** Folder the repo lives in: relative paths (model, corpus) resolve against it. */
  readonly rootDir: string;
}

interface Field<T> {
  env: string;
  flag: string;
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

const ROOT = resolve(import.meta.dirname, "..", "..");

const FIELDS = {
  host: { env: "HOST", flag: "host", parse: text, fallback: "127.0.0.1" },
  port: { env: "PORT", flag: "port", parse: int(0, 65535), fallback: 8000 },
  modelDir: { env: "MINISERVE_MODEL_DIR", flag: "model-dir", parse: text, fallback: "model" },
  modelName: { env: "MINISERVE_MODEL_NAME", flag: "model-name", parse: text, fallback: "miniserve-tiny" },
  kvSlots: { env: "MINISERVE_KV_SLOTS", flag: "kv-slots", parse: int(1, 256), fallback: 32 },
  queueCapacity: { env: "MINISERVE_QUEUE_CAPACITY", flag: "queue-capacity", parse: int(0, 100_000), fallback: 256 },
  prefillTokenBudget: { env: "MINISERVE_PREFILL_TOKEN_BUDGET", flag: "prefill-token-budget", parse: int(64, 65_536), fallback: 4096 },
  ortThreads: { env: "MINISERVE_ORT_THREADS", flag: "ort-threads", parse: int(1, 64), fallback: 1 },
  maxTokensCap: { env: "MINISERVE_MAX_TOKENS_CAP", flag: "max-tokens-cap", parse: int(1, 4096), fallback: 256 },
  defaultMaxTokens: { env: "MINISERVE_DEFAULT_MAX_TOKENS", flag: "default-max-tokens", parse: int(1, 4096), fallback: 16 },
  bodyLimitBytes: { env: "MINISERVE_BODY_LIMIT_BYTES", flag: "body-limit-bytes", parse: int(1024, 64 * 1024 * 1024), fallback: 256 * 1024 },
  shutdownGraceMs: { env: "MINISERVE_SHUTDOWN_GRACE_MS", flag: "shutdown-grace-ms", parse: int(0, 600_000), fallback: 10_000 },
  retryAfterSeconds: { env: "MINISERVE_RETRY_AFTER_SECONDS", flag: "retry-after-seconds", parse: int(1, 3600), fallback: 1 },
  retrievalDirs: { env: "MINISERVE_RETRIEVAL_DIRS", flag: "retrieval-dirs", parse: list, fallback: ["theory", "docs"] },
  retrievalMaxTopK: { env: "MINISERVE_RETRIEVAL_MAX_TOP_K", flag: "retrieval-max-top-k", parse: int(1, 16), fallback: 4 },
  logLevel: { env: "LOG_LEVEL", flag: "log-level", parse: level, fallback: "info" },
} satisfies { [K in keyof Omit<Config, "rootDir">]: Field<Config[K]> };

/** The flags loadConfig accepts, for --help texts. */
export function configHelp(): string {
  return Object.values(FIELDS)
    .map((f) => `  --${f.flag.padEnd(22)} env ${f.env.padEnd(32)} default ${JSON.stringify(f.fallback)}`)
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
      options: Object.fromEntries(Object.values(FIELDS).map((f) => [f.flag, { type: "string" as const }])),
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (err) {
    throw new MiniserveError("MSV_ERR_CONFIG", `${(err as Error).message}. Accepted flags:\n${configHelp()}`);
  }
  const out: Record<string, unknown> = { rootDir: ROOT };
  for (const [key, field] of Object.entries(FIELDS) as [string, Field<unknown>][]) {
    const fromFlag = flags[field.flag];
    const fromEnv = env[field.env];
    if (typeof fromFlag === "string") out[key] = field.parse(fromFlag, `--${field.flag}`);
    else if (fromEnv !== undefined) out[key] = field.parse(fromEnv, field.env);
    else out[key] = field.fallback;
  }
  const config = out as unknown as Config;
  if (config.defaultMaxTokens > config.maxTokensCap) {
    throw new MiniserveError("MSV_ERR_CONFIG", `MINISERVE_DEFAULT_MAX_TOKENS (${config.defaultMaxTokens}) must not exceed MINISERVE_MAX_TOKENS_CAP (${config.maxTokensCap}).`);
  }
  return Object.freeze({ ...config, modelDir: resolve(ROOT, config.modelDir), retrievalDirs: Object.freeze([...config.retrievalDirs]) });
}
