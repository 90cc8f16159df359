// Builds OpenAI-compatible response bodies and Server-Sent-Event chunks for completions and chat.
// The official `openai` client parses these; lab 00's demo request prints one.
import type { GenerationResult } from "../engine/index.ts";
import type { MiniserveError } from "../errors/codes.ts";
import type { GenerationParams } from "./validate-request.ts";

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export function usageOf(result: GenerationResult): Usage {
  return {
    prompt_tokens: result.promptTokens,
    completion_tokens: result.completionTokens,
    total_tokens: result.promptTokens + result.completionTokens,
  };
}

export function errorBody(err: MiniserveError): { error: { message: string; type: string; param: string | null; code: string } } {
  return { error: { message: err.message, type: err.type, param: err.param, code: err.code } };
}

/** Stamps id, object, created and model on every body and chunk of one response. */
export class ResponseShaper {
  readonly created = Math.floor(Date.now() / 1000);
  constructor(readonly id: string, readonly params: GenerationParams) {}

  private head(object: string): { id: string; object: string; created: number; model: string } {
    return { id: this.id, object, created: this.created, model: this.params.model };
  }

  full(result: GenerationResult): object {
    if (this.params.kind === "chat") {
      return {
        ...this.head("chat.completion"),
        choices: [{ index: 0, message: { role: "assistant", content: result.text }, logprobs: null, finish_reason: result.finishReason }],
        usage: usageOf(result),
      };
    }
    return {
      ...this.head("text_completion"),
      choices: [{ index: 0, text: result.text, logprobs: null, finish_reason: result.finishReason }],
      usage: usageOf(result),
    };
  }

  /** The first chunk of a chat stream announces the role, as OpenAI's does. */
  roleChunk(): object | null {
    if (this.params.kind !== "chat") return null;
    return { ...this.head("chat.completion.chunk"), choices: [{ index: 0, delta: { role: "assistant", content: "" }, logprobs: null, finish_reason: null }] };
  }

  deltaChunk(text: string): object {
    if (this.params.kind === "chat") {
      return { ...this.head("chat.completion.chunk"), choices: [{ index: 0, delta: { content: text }, logprobs: null, finish_reason: null }] };
    }
    return { ...this.head("text_completion"), choices: [{ index: 0, text, logprobs: null, finish_reason: null }] };
  }

  finalChunk(result: GenerationResult): object {
    if (this.params.kind === "chat") {
      return { ...this.head("chat.completion.chunk"), choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: result.finishReason }] };
    }
    return { ...this.head("text_completion"), choices: [{ index: 0, text: "", logprobs: null, finish_reason: result.finishReason }] };
  }

  /** Sent after the final chunk when the client asked for stream_options.include_usage. */
  usageChunk(result: GenerationResult): object {
    const object = this.params.kind === "chat" ? "chat.completion.chunk" : "text_completion";
    return { ...this.head(object), choices: [], usage: usageOf(result) };
  }
}

export function sseData(payload: object | string): string {
  return `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`;
}
