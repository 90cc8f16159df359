// Does a prompt fit the context window? A constant-time bound on its size before any work, and the
// exact check after tokenizing; both answer MSV_ERR_PROMPT_TOO_LONG (labs 00 and 01 send such prompts).
import { MiniserveError } from "../errors/codes.ts";

export interface ContextWindow {
  /** Tokens the model sees at once, prompt and generated text together. */
  readonly nCtx: number;
  /** Bytes of the tokenizer's longest token. */
  readonly maxTokenBytes: number;
}

/** Prompt tokens left once max_tokens and the leading end-of-text token are reserved. */
export function promptRoom(window: ContextWindow, maxTokens: number): number {
  return Math.max(0, window.nCtx - 1 - maxTokens);
}

/**
 * Refuse a prompt that cannot fit before retrieval or tokenizing spend anything on it: a token
 * covers at most maxTokenBytes bytes, so a prompt of more bytes than the room holds is too long
 * whatever it says. Its UTF-16 length never exceeds its UTF-8 byte length, so the first test
 * needs no pass over the text and a 250 KB prompt costs microseconds.
 */
export function assertPromptFits(window: ContextWindow, prompt: string, maxTokens: number): void {
  const maxBytes = promptRoom(window, maxTokens) * window.maxTokenBytes;
  if (prompt.length <= maxBytes && Buffer.byteLength(prompt) <= maxBytes) return;
  throw new MiniserveError(
    "MSV_ERR_PROMPT_TOO_LONG",
    `The prompt is ${prompt.length} characters; with max_tokens ${maxTokens} at most ${maxBytes} bytes of text can fit the context window of ${window.nCtx} tokens (a token covers at most ${window.maxTokenBytes} bytes). Shorten the prompt or lower max_tokens.`,
    "prompt",
  );
}

/** The error for a prompt whose tokens, counted up to the room, overflowed it. */
export function promptTooLong(window: ContextWindow, maxTokens: number, passages: number): MiniserveError {
  const withRetrieval = passages > 0 ? ` (including ${passages} retrieved passages)` : "";
  return new MiniserveError(
    "MSV_ERR_PROMPT_TOO_LONG",
    `The prompt is more than ${promptRoom(window, maxTokens)} tokens${withRetrieval} and max_tokens is ${maxTokens}; together they exceed the context window of ${window.nCtx} tokens. Shorten the prompt, lower max_tokens${withRetrieval ? " or retrieval.top_k" : ""}.`,
    passages > 0 ? "retrieval" : "prompt",
  );
}
