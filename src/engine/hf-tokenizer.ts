// A Hugging Face tokenizer.json run by @huggingface/tokenizers (BPE, WordPiece, Unigram; byte-level
// or SentencePiece-style), with incremental detokenization for streaming. Used for "hf-decoder" models.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Tokenizer as HfLibraryTokenizer } from "@huggingface/tokenizers";
import { MiniserveError } from "../errors/codes.ts";
import { ChatTemplate } from "./chat-template.ts";
import { readJson } from "./hf-config.ts";
import type { ModelConfig } from "./model-config.ts";
import type { ChatTurn, TextTokenizer, TokenTextStream } from "./text-tokenizer.ts";

const DECODE = { skip_special_tokens: true, clean_up_tokenization_spaces: false } as const;

export class HfTokenizer implements TextTokenizer {
  readonly maxTokenBytes: number;

  private constructor(
    private readonly library: HfLibraryTokenizer,
    private readonly chat: ChatTemplate | null,
    /** what an empty prompt becomes: the model needs at least one token to start from */
    private readonly startId: number,
  ) {
    // A token's string in the vocabulary is never shorter in UTF-8 than the text it stands for
    // (byte-level tokens spell each byte as one character, SentencePiece's "▁" is 3 bytes for a space).
    let longest = 1;
    for (const token of library.get_vocab(true).keys()) longest = Math.max(longest, Buffer.byteLength(token));
    this.maxTokenBytes = longest;
  }

  static load(model: ModelConfig, bosId: number | null = null): HfTokenizer {
    const json = readJson(model.tokenizerFile, "tokenizer.json");
    const configFile = join(model.dir, "tokenizer_config.json");
    const tokenizerConfig = existsSync(configFile) ? readJson(configFile, "tokenizer_config.json") : {};
    let library: HfLibraryTokenizer;
    try {
      library = new HfLibraryTokenizer(json, tokenizerConfig);
      library.encode("miniserve checks the tokenizer once", { add_special_tokens: true });
    } catch (err) {
      throw new MiniserveError("MSV_ERR_MODEL_TOKENIZER", `@huggingface/tokenizers cannot load ${model.tokenizerFile} (${(err as Error).message}). It implements the BPE, WordPiece and Unigram models with the normalizers, pre-tokenizers and decoders its README lists; take the tokenizer.json of a model that uses those.`);
    }
    return new HfTokenizer(library, ChatTemplate.fromFolder(model.dir, tokenizerConfig), bosId ?? model.eotId);
  }

  encode(text: string): number[] {
    return text === "" ? [] : this.library.encode(text, { add_special_tokens: false }).ids;
  }

  /**
   * The tokenizer's own post-processor decides whether a BOS comes first, as transformers does. The
   * library has no early stop: the whole prompt is encoded, and the engine's byte bound keeps it short.
   */
  promptIds(prompt: string): number[] {
    const ids = prompt === "" ? [] : this.library.encode(prompt, { add_special_tokens: true }).ids;
    return ids.length > 0 ? ids : this.startId >= 0 ? [this.startId] : [0];
  }

  /** The template writes its special tokens as text, so they are not added again (apply_chat_template's rule). */
  chatIds(messages: readonly ChatTurn[]): number[] | null {
    if (this.chat === null) return null;
    return this.encode(this.chat.render(messages));
  }

  decode(ids: readonly number[]): string {
    return ids.length === 0 ? "" : this.library.decode([...ids], DECODE);
  }

  streamDecoder(): TokenTextStream {
    return new HfTextStream(this);
  }
}

/**
 * Incremental detokenization as text-generation-inference and vLLM do it: decode a short window of
 * recent ids and emit only what the newest ids added. Decoding a token alone would lose what depends
 * on its neighbours (SentencePiece's leading space, a UTF-8 character split across byte tokens).
 */
class HfTextStream implements TokenTextStream {
  /** ids still decoded with the next one: the last emitted ones (the window's left context), then the pending ones */
  private ids: number[] = [];
  /** how many of `ids` were already emitted */
  private read = 0;

  constructor(private readonly tokenizer: HfTokenizer) {}

  push(id: number): string {
    this.ids.push(id);
    const delta = this.pending();
    // U+FFFD at the end: the newest bytes do not make a whole character yet; wait for more.
    if (delta === "" || delta.endsWith("\uFFFD")) return "";
    this.ids = this.ids.slice(this.read);
    this.read = this.ids.length;
    return delta;
  }

  flush(): string {
    const delta = this.pending();
    this.ids = [];
    this.read = 0;
    return delta;
  }

  /** What the ids not emitted yet add to the text, decoded after their left context. */
  private pending(): string {
    const before = this.tokenizer.decode(this.ids.slice(0, this.read));
    const now = this.tokenizer.decode(this.ids);
    return now.length > before.length ? now.slice(before.length) : "";
  }
}
