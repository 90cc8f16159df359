// Every error miniserve and the workbook's commands can report, with a stable code.
// docs/errors.md documents each code with "how to fix"; test/errors/codes.test.ts keeps both in sync.

export interface ErrorSpec {
  /** HTTP status when the error reaches a client over HTTP; CLIs exit non-zero instead. */
  readonly statusCode: number;
  /** OpenAI-style error type sent in `{"error": {"type": ...}}`. */
  readonly type: "invalid_request_error" | "not_found_error" | "server_error" | "overloaded_error" | "config_error" | "cli_error";
  /** Short human summary used when no more specific message is given. */
  readonly summary: string;
}

export const ERROR_CODES = {
  // --- HTTP API: request validation (lab 00 onwards) ---
  MSV_ERR_INVALID_JSON: { statusCode: 400, type: "invalid_request_error", summary: "The request body is not valid JSON." },
  MSV_ERR_INVALID_BODY: { statusCode: 400, type: "invalid_request_error", summary: "The request body must be a JSON object." },
  MSV_ERR_MISSING_FIELD: { statusCode: 400, type: "invalid_request_error", summary: "A required field is missing." },
  MSV_ERR_INVALID_FIELD: { statusCode: 400, type: "invalid_request_error", summary: "A field has the wrong type or an out-of-range value." },
  MSV_ERR_UNKNOWN_FIELD: { statusCode: 400, type: "invalid_request_error", summary: "The request has a field miniserve does not know." },
  MSV_ERR_PROMPT_TOO_LONG: { statusCode: 400, type: "invalid_request_error", summary: "The prompt (with retrieved passages) plus max_tokens does not fit the context window." },
  MSV_ERR_UNKNOWN_MODEL: { statusCode: 404, type: "not_found_error", summary: "The requested model is not served here." },
  MSV_ERR_NOT_FOUND: { statusCode: 404, type: "not_found_error", summary: "No route matches this method and path." },
  MSV_ERR_METHOD_NOT_ALLOWED: { statusCode: 405, type: "invalid_request_error", summary: "The path exists, but not with this method; the Allow header lists the methods it takes." },
  MSV_ERR_REQUEST_TIMEOUT: { statusCode: 408, type: "invalid_request_error", summary: "The request's headers or body did not arrive within the server's time limit." },
  MSV_ERR_AUDIT_DISABLED: { statusCode: 400, type: "invalid_request_error", summary: "The audit extension is turned off on this server." },
  MSV_ERR_BODY_TOO_LARGE: { statusCode: 413, type: "invalid_request_error", summary: "The request body is larger than the server accepts." },
  MSV_ERR_UNSUPPORTED_MEDIA_TYPE: { statusCode: 415, type: "invalid_request_error", summary: "The request body must be sent as application/json." },
  // --- HTTP API: capacity and lifecycle ---
  MSV_ERR_QUEUE_FULL: { statusCode: 503, type: "overloaded_error", summary: "The waiting queue is full; retry after the Retry-After delay." },
  MSV_ERR_AUDIT_BUSY: { statusCode: 503, type: "overloaded_error", summary: "Every audit subprocess slot is in use; retry after the Retry-After delay." },
  MSV_ERR_SHUTTING_DOWN: { statusCode: 503, type: "overloaded_error", summary: "The server is shutting down and accepts no new work." },
  MSV_ERR_NOT_READY: { statusCode: 503, type: "overloaded_error", summary: "The model is not loaded yet." },
  MSV_ERR_INTERNAL: { statusCode: 500, type: "server_error", summary: "An unexpected error inside the server." },
  // --- configuration (startup) ---
  MSV_ERR_CONFIG: { statusCode: 500, type: "config_error", summary: "A configuration value from the environment or the command line is invalid." },
  MSV_ERR_MODEL_FILE: { statusCode: 500, type: "config_error", summary: "The model files could not be loaded." },
  MSV_ERR_MODEL_NO_CACHE: { statusCode: 500, type: "config_error", summary: "The model's ONNX graph takes no past key/values: it was exported without a KV cache." },
  MSV_ERR_MODEL_UNSUPPORTED: { statusCode: 500, type: "config_error", summary: "The model folder holds a model miniserve cannot run (an encoder-decoder, an unknown graph input, a float16 cache, files from different models)." },
  MSV_ERR_MODEL_TOKENIZER: { statusCode: 500, type: "config_error", summary: "The model's tokenizer or chat template cannot be loaded." },
  MSV_ERR_MODEL_MEMORY: { statusCode: 500, type: "config_error", summary: "The KV cache for every slot at the model's context would exceed the memory configured for it." },
  // --- quiz CLI ---
  MSV_ERR_QUIZ_UNKNOWN: { statusCode: 400, type: "cli_error", summary: "No quiz with this number exists under quizzes/." },
  MSV_ERR_QUIZ_FORMAT: { statusCode: 400, type: "cli_error", summary: "A quiz file is malformed; the message names the file, the line and what to fix." },
  MSV_ERR_ANSWERS_FORMAT: { statusCode: 400, type: "cli_error", summary: "The --answers file is malformed or names a question or option the quiz does not have." },
  MSV_ERR_QUIZ_USAGE: { statusCode: 400, type: "cli_error", summary: "The quiz command got invalid arguments, or was started interactively without a terminal." },
  // --- stack CLI ---
  MSV_ERR_STACK_USAGE: { statusCode: 400, type: "cli_error", summary: "The stack command got an unknown command or option; it prints its usage." },
  MSV_ERR_STACK_NOT_INSTALLED: { statusCode: 500, type: "cli_error", summary: "No Docker daemon answers and no prometheus binary is on PATH." },
  MSV_ERR_STACK_PORT_IN_USE: { statusCode: 500, type: "cli_error", summary: "Another process already listens on the port Prometheus should use." },
  MSV_ERR_STACK_START_FAILED: { statusCode: 500, type: "cli_error", summary: "A stack component exited or did not become ready in time; the message names its log." },
  MSV_ERR_STACK_DOCKER: { statusCode: 500, type: "cli_error", summary: "A docker compose command failed, or the Compose plugin is missing." },
  // --- viewer ---
  MSV_ERR_VIEWER_USAGE: { statusCode: 400, type: "cli_error", summary: "The viewer or render-dashboard command got an unknown or invalid option; it prints its usage." },
  MSV_ERR_VIEWER_PORT_IN_USE: { statusCode: 500, type: "cli_error", summary: "Another process already listens on the port the viewer should use." },
  MSV_ERR_VIEWER_PROMETHEUS: { statusCode: 500, type: "cli_error", summary: "render-dashboard could not reach Prometheus, so it has nothing to draw." },
  MSV_ERR_START_USAGE: { statusCode: 400, type: "cli_error", summary: "npm start got an unknown or invalid option; it prints its usage." },
  // --- load test ---
  MSV_ERR_LOADTEST_USAGE: { statusCode: 400, type: "cli_error", summary: "The loadtest or capacity command got an unknown or invalid option; it prints its usage." },
  MSV_ERR_LOADTEST_TARGET: { statusCode: 400, type: "cli_error", summary: "The load test only targets miniserve on this machine (127.0.0.1, localhost or [::1])." },
  MSV_ERR_LOADTEST_UNREACHABLE: { statusCode: 500, type: "cli_error", summary: "Nothing answers at the target URL: miniserve is not running there." },
  MSV_ERR_LOADTEST_NOT_READY: { statusCode: 500, type: "cli_error", summary: "miniserve answers but GET /ready says it does not accept work (still loading or shutting down)." },
  // --- labs ---
  MSV_ERR_LAB_USAGE: { statusCode: 400, type: "cli_error", summary: "A lab command (check-lab, lab, progress) got an unknown lab number, command or option; it prints its usage." },
  MSV_ERR_LAB_BACKUP_EXISTS: { statusCode: 400, type: "cli_error", summary: "Switching a lab would overwrite an existing backup of the learner's files; nothing was changed." },
  MSV_ERR_LAB_FILES: { statusCode: 500, type: "cli_error", summary: "A lab's starter or reference files are missing, so the lab cannot be switched." },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** An error that carries a stable code; the HTTP layer turns it into an OpenAI-style body. */
export class MiniserveError extends Error {
  readonly code: ErrorCode;
  readonly statusCode: number;
  readonly type: ErrorSpec["type"];
  /** The request field the error is about, when there is one (OpenAI's `param`). */
  readonly param: string | null;

  constructor(code: ErrorCode, message?: string, param: string | null = null) {
    const spec: ErrorSpec = ERROR_CODES[code];
    super(message ?? spec.summary);
    this.name = "MiniserveError";
    this.code = code;
    this.statusCode = spec.statusCode;
    this.type = spec.type;
    this.param = param;
  }
}

export function isMiniserveError(err: unknown): err is MiniserveError {
  return err instanceof MiniserveError;
}
