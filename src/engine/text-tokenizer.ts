// What the engine needs from a tokenizer, whichever library implements it: miniserve-tiny's own
// byte-level BPE (tokenizer.ts) or a Hugging Face tokenizer.json (hf-tokenizer.ts). Lab 01 counts its tokens.

/** Turns one stream of generated ids into text, holding back characters not complete yet. */
export interface TokenTextStream {
  push(id: number): string;
  flush(): string;
}

/** One chat turn as the engine hands it to a chat template. */
export interface ChatTurn {
  readonly role: string;
  readonly content: string;
}

export interface TextTokenizer {
  /** At least the UTF-8 bytes of text one token can stand for: a text of n bytes is at least n / maxTokenBytes tokens. */
  readonly maxTokenBytes: number;
  /** Plain text to ids, no special tokens added; with a limit, counting may stop once more than `limit` ids are found. */
  encode(text: string, limit?: number): number[];
  /**
   * A completion prompt as the model expects a document to begin (end-of-text or BOS first, per the
   * model). With a limit, counting may stop once more than `limit` ids are found: the prompt is too long.
   */
  promptIds(prompt: string, limit?: number): number[];
  /**
   * A chat rendered by the model's own chat template, with the assistant's turn opened; null when
   * the model has no template (the caller then sends the chat flattened into plain text).
   */
  chatIds(messages: readonly ChatTurn[]): number[] | null;
  streamDecoder(): TokenTextStream;
}
