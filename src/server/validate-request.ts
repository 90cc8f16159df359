// Validates OpenAI-style completion and chat bodies into one normalized request, with messages
// that name the field and say what to send instead (every lab's first curl ends up here).
import { MiniserveError } from "../errors/codes.ts";
import type { Config } from "../config/index.ts";

export interface ChatMessage {
  /** "developer" is OpenAI's newer name for the system role; both become "System:" lines. */
  readonly role: "system" | "developer" | "user" | "assistant";
  readonly content: string;
}

export interface GenerationParams {
  readonly kind: "completion" | "chat";
  readonly model: string;
  /** the completion's prompt, or the chat flattened into plain text (for models without a chat template) */
  readonly prompt: string;
  /** a chat's turns: the engine renders them with the model's chat template when it has one */
  readonly messages: readonly ChatMessage[] | undefined;
  /** the text retrieval searches for: the prompt, or the last user message of a chat */
  readonly query: string;
  readonly maxTokens: number;
  readonly temperature: number;
  readonly topP: number;
  readonly seed: number | undefined;
  readonly stop: readonly string[];
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly retrievalTopK: number;
  readonly ignoreEos: boolean;
  /** miniserve extension (lab 02): run the audit subprocess on the output, traced across the process boundary. */
  readonly audit: boolean;
}

const COMMON = ["model", "max_tokens", "temperature", "top_p", "seed", "stop", "stream", "stream_options", "n", "user",
  "frequency_penalty", "presence_penalty", "logprobs", "retrieval", "ignore_eos", "audit"] as const;
const COMPLETION_FIELDS = new Set<string>([...COMMON, "prompt", "echo", "best_of", "suffix"]);
const CHAT_FIELDS = new Set<string>([...COMMON, "messages", "max_completion_tokens", "top_logprobs"]);

function bad(param: string, message: string): never {
  throw new MiniserveError("MSV_ERR_INVALID_FIELD", message, param);
}

function optionalNumber(body: Record<string, unknown>, key: string, min: number, max: number, fallback: number, integer = false): number {
  const v = body[key];
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    bad(key, `'${key}' must be ${integer ? "an integer" : "a number"} from ${min} to ${max}; got ${JSON.stringify(v)}.`);
  }
  if (v < min || v > max) bad(key, `'${key}' must be from ${min} to ${max}; got ${v}.`);
  return v;
}

/** Options with only a neutral value: accepted so standard clients work, refused otherwise. */
function neutralOnly(body: Record<string, unknown>, key: string, neutral: readonly unknown[], hint: string): void {
  const v = body[key];
  if (v === undefined || v === null) return;
  if (!neutral.includes(v)) bad(key, `'${key}' is not supported by miniserve (${hint}); got ${JSON.stringify(v)}.`);
}

function readStop(body: Record<string, unknown>): string[] {
  const v = body["stop"];
  if (v === undefined || v === null) return [];
  const items = typeof v === "string" ? [v] : v;
  if (!Array.isArray(items) || items.length > 4 || items.some((s) => typeof s !== "string" || s.length === 0 || s.length > 64)) {
    bad("stop", "'stop' must be a non-empty string or an array of up to 4 non-empty strings of at most 64 characters.");
  }
  return items as string[];
}

function readRetrieval(body: Record<string, unknown>, config: Config): number {
  const v = body["retrieval"];
  if (v === undefined || v === null) return 0;
  if (typeof v !== "object" || Array.isArray(v)) bad("retrieval", `'retrieval' must be an object such as {"top_k": 3}.`);
  const r = v as Record<string, unknown>;
  const extra = Object.keys(r).filter((k) => k !== "top_k");
  if (extra.length > 0) bad("retrieval", `'retrieval' takes only "top_k"; remove ${extra.map((k) => `"${k}"`).join(", ")}.`);
  const k = r["top_k"];
  if (typeof k !== "number" || !Number.isInteger(k) || k < 1 || k > config.retrievalMaxTopK) {
    bad("retrieval.top_k", `'retrieval.top_k' must be an integer from 1 to ${config.retrievalMaxTopK}; got ${JSON.stringify(k)}.`);
  }
  return k;
}

const ROLES = ["system", "developer", "user", "assistant"] as const;

/** A message's content: a string, or OpenAI's array of content parts of which only text parts are read. */
function readContent(v: unknown, at: string): string {
  if (typeof v === "string") return v;
  if (!Array.isArray(v) || v.length === 0) bad(at, `'${at}' must be a string or a non-empty array of text parts such as [{"type": "text", "text": "Hello"}].`);
  return v.map((part: unknown, j) => {
    const p = part as Record<string, unknown> | null;
    if (typeof p !== "object" || p === null || Array.isArray(p)) bad(`${at}[${j}]`, `'${at}[${j}]' must be an object such as {"type": "text", "text": "Hello"}.`);
    if (p["type"] !== "text") {
      bad(`${at}[${j}].type`, `'${at}[${j}]' is a ${JSON.stringify(p["type"])} part; miniserve-tiny reads text only. Send {"type": "text", "text": "..."} parts or a plain string.`);
    }
    if (typeof p["text"] !== "string") bad(`${at}[${j}].text`, `'${at}[${j}].text' must be a string.`);
    return p["text"];
  }).join("\n");
}

function readMessages(body: Record<string, unknown>): ChatMessage[] {
  const v = body["messages"];
  if (v === undefined) throw new MiniserveError("MSV_ERR_MISSING_FIELD", `'messages' is required: an array such as [{"role": "user", "content": "Hello"}].`, "messages");
  if (!Array.isArray(v) || v.length === 0) bad("messages", "'messages' must be a non-empty array of {role, content} objects.");
  return v.map((m: unknown, i) => {
    const msg = m as Record<string, unknown> | null;
    if (typeof msg !== "object" || msg === null || Array.isArray(msg)) bad(`messages[${i}]`, `'messages[${i}]' must be an object with "role" and "content".`);
    const role = msg["role"];
    if (!(ROLES as readonly unknown[]).includes(role)) {
      bad(`messages[${i}].role`, `'messages[${i}].role' must be "system", "developer", "user" or "assistant"; got ${JSON.stringify(role)}.`);
    }
    return { role: role as ChatMessage["role"], content: readContent(msg["content"], `messages[${i}].content`) };
  });
}

/** The plain-text form a small base model can continue: one line per turn, then "Assistant:". */
export function formatChat(messages: readonly ChatMessage[]): string {
  const name = { system: "System", developer: "System", user: "User", assistant: "Assistant" } as const;
  return `${messages.map((m) => `${name[m.role]}: ${m.content}`).join("\n")}\nAssistant:`;
}

export function validateGeneration(kind: "completion" | "chat", raw: unknown, config: Config): GenerationParams {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new MiniserveError("MSV_ERR_INVALID_BODY", "The request body must be a JSON object, e.g. {\"model\": \"miniserve-tiny\", \"prompt\": \"Hello\"}.");
  }
  const body = raw as Record<string, unknown>;
  const known = kind === "chat" ? CHAT_FIELDS : COMPLETION_FIELDS;
  const unknown = Object.keys(body).filter((k) => !known.has(k));
  if (unknown.length > 0) {
    throw new MiniserveError("MSV_ERR_UNKNOWN_FIELD", `Unknown field ${unknown.map((k) => `'${k}'`).join(", ")}. Accepted fields: ${[...known].join(", ")}.`, unknown[0]!);
  }
  const model = body["model"];
  if (model === undefined) throw new MiniserveError("MSV_ERR_MISSING_FIELD", `'model' is required; this server serves "${config.modelName}".`, "model");
  if (typeof model !== "string") bad("model", `'model' must be a string such as "${config.modelName}".`);
  if (model !== config.modelName) {
    throw new MiniserveError("MSV_ERR_UNKNOWN_MODEL", `The model '${model}' does not exist here; use "${config.modelName}" (GET /v1/models lists it).`, "model");
  }

  let prompt: string;
  let query: string;
  let messages: ChatMessage[] | undefined;
  if (kind === "completion") {
    let p = body["prompt"];
    if (p === undefined) throw new MiniserveError("MSV_ERR_MISSING_FIELD", "'prompt' is required: the text to continue.", "prompt");
    if (Array.isArray(p) && p.length === 1) p = p[0];
    if (typeof p !== "string") bad("prompt", "'prompt' must be a string (or an array holding exactly one string).");
    prompt = query = p;
    neutralOnly(body, "echo", [false], "the prompt is never echoed");
    neutralOnly(body, "best_of", [1], "only best_of 1");
    neutralOnly(body, "suffix", [""], "no insertion mode");
  } else {
    messages = readMessages(body);
    prompt = formatChat(messages);
    query = [...messages].reverse().find((m) => m.role === "user")?.content ?? prompt;
    neutralOnly(body, "top_logprobs", [0], "no log-probabilities");
  }
  neutralOnly(body, "n", [1], "one choice per request; send several requests instead");
  neutralOnly(body, "logprobs", [false, 0], "no log-probabilities");
  neutralOnly(body, "frequency_penalty", [0], "no penalties");
  neutralOnly(body, "presence_penalty", [0], "no penalties");
  if (body["user"] !== undefined && typeof body["user"] !== "string") bad("user", "'user' must be a string.");

  // OpenAI's chat API deprecates max_tokens for max_completion_tokens; when both come, the newer one counts.
  const maxKey = kind === "chat" && body["max_completion_tokens"] !== undefined && body["max_completion_tokens"] !== null ? "max_completion_tokens" : "max_tokens";
  const maxTokens = optionalNumber(body, maxKey, 1, config.maxTokensCap, config.defaultMaxTokens, true);
  const ignoreEos = body["ignore_eos"] ?? false;
  if (typeof ignoreEos !== "boolean") bad("ignore_eos", "'ignore_eos' must be true or false.");
  const audit = body["audit"] ?? false;
  if (typeof audit !== "boolean") bad("audit", "'audit' must be true or false (true runs the text-statistics subprocess on the output).");
  if (audit && !config.auditEnabled) {
    throw new MiniserveError("MSV_ERR_AUDIT_DISABLED", "'audit' is turned off on this server (MINISERVE_AUDIT=off); send the request without it.", "audit");
  }
  const stream = body["stream"] ?? false;
  if (typeof stream !== "boolean") bad("stream", "'stream' must be true or false.");
  const options = body["stream_options"];
  let includeUsage = false;
  if (options !== undefined && options !== null) {
    if (typeof options !== "object" || Array.isArray(options)) bad("stream_options", `'stream_options' must be an object such as {"include_usage": true}.`);
    const iu = (options as Record<string, unknown>)["include_usage"];
    if (iu !== undefined && typeof iu !== "boolean") bad("stream_options.include_usage", "'stream_options.include_usage' must be true or false.");
    includeUsage = iu === true;
  }
  return {
    kind, model, prompt, messages, query, maxTokens, stream, includeUsage, ignoreEos, audit,
    temperature: optionalNumber(body, "temperature", 0, 2, 1),
    topP: optionalNumber(body, "top_p", 0.01, 1, 1),
    seed: body["seed"] === undefined || body["seed"] === null ? undefined : optionalNumber(body, "seed", 0, 2 ** 32 - 1, 0, true),
    stop: readStop(body),
    retrievalTopK: readRetrieval(body, config),
  };
}
