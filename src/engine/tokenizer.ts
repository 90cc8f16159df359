// Byte-level BPE tokenizer: text -> token ids -> text, round-tripping any UTF-8 input.
// The merges are learned at model build time (model/build/tokenizer.py); lab 01 counts its tokens.
import { readFileSync } from "node:fs";
import type { TextTokenizer, TokenTextStream } from "./text-tokenizer.ts";

interface TokenizerFile {
  type: "byte-bpe";
  vocab_size: number;
  eot_id: number;
  pretokenize: string;
  merges: [number, number][];
}

/** Chunks encoded so far; prompts repeat words a lot, so a bounded memo saves most of the BPE work. */
const CHUNK_CACHE_LIMIT = 20_000;

export class Tokenizer implements TextTokenizer {
  readonly vocabSize: number;
  readonly eotId: number;
  /** Bytes of the longest token: a text of n UTF-8 bytes is at least n / maxTokenBytes tokens. */
  readonly maxTokenBytes: number;
  private readonly pattern: RegExp;
  /** rank of a merge, keyed by left * vocabSize + right; lower rank merges first. */
  private readonly ranks = new Map<number, number>();
  /** the bytes each token id stands for. */
  private readonly tokenBytes: Uint8Array[] = [];
  private readonly cache = new Map<string, readonly number[]>();
  private readonly encoder = new TextEncoder();

  constructor(spec: TokenizerFile) {
    if (spec.type !== "byte-bpe") throw new Error(`unsupported tokenizer type ${String(spec.type)}`);
    this.vocabSize = spec.vocab_size;
    this.eotId = spec.eot_id;
    this.pattern = new RegExp(spec.pretokenize, "gu");
    for (let b = 0; b < 256; b++) this.tokenBytes.push(Uint8Array.of(b));
    spec.merges.forEach(([left, right], rank) => {
      this.ranks.set(left * this.vocabSize + right, rank);
      const a = this.tokenBytes[left];
      const b = this.tokenBytes[right];
      if (!a || !b) throw new Error(`merge ${rank} refers to unknown token ${left} or ${right}`);
      const merged = new Uint8Array(a.length + b.length);
      merged.set(a, 0);
      merged.set(b, a.length);
      this.tokenBytes.push(merged);
    });
    this.maxTokenBytes = Math.max(...this.tokenBytes.map((b) => b.length));
  }

  static fromFile(path: string): Tokenizer {
    return new Tokenizer(JSON.parse(readFileSync(path, "utf8")) as TokenizerFile);
  }

  /** Token ids of `text`; with a limit, stops once more than `limit` ids are found (the caller only needs to know it is too long). */
  encode(text: string, limit = Infinity): number[] {
    const out: number[] = [];
    for (const match of text.matchAll(this.pattern)) {
      if (out.length > limit) break;
      const chunk = match[0];
      let ids = this.cache.get(chunk);
      if (ids === undefined) {
        ids = this.encodeChunk(chunk);
        if (this.cache.size >= CHUNK_CACHE_LIMIT) this.cache.clear();
        this.cache.set(chunk, ids);
      }
      for (const id of ids) out.push(id);
    }
    return out;
  }

  /** Every prompt starts with the end-of-text token: the model learned documents begin after it. */
  promptIds(prompt: string, limit = Infinity): number[] {
    return [this.eotId, ...this.encode(prompt, limit - 1)];
  }

  /** miniserve-tiny is a base model without a chat template: chats are sent flattened into text. */
  chatIds(): null {
    return null;
  }

  /** Standard BPE: repeatedly merge the adjacent pair with the lowest rank until none is mergeable. */
  private encodeChunk(chunk: string): number[] {
    let ids: number[] = Array.from(this.encoder.encode(chunk));
    while (ids.length > 1) {
      let bestRank = Infinity;
      let bestPair = -1;
      for (let i = 0; i < ids.length - 1; i++) {
        const rank = this.ranks.get(ids[i]! * this.vocabSize + ids[i + 1]!);
        if (rank !== undefined && rank < bestRank) {
          bestRank = rank;
          bestPair = ids[i]! * this.vocabSize + ids[i + 1]!;
        }
      }
      if (bestPair < 0) break;
      const left = Math.floor(bestPair / this.vocabSize);
      const right = bestPair % this.vocabSize;
      const mergedId = 256 + bestRank;
      const next: number[] = [];
      for (let i = 0; i < ids.length; i++) {
        if (i < ids.length - 1 && ids[i] === left && ids[i + 1] === right) {
          next.push(mergedId);
          i++;
        } else next.push(ids[i]!);
      }
      ids = next;
    }
    return ids;
  }

  /** Bytes of a token; the end-of-text token has none. */
  bytesOf(id: number): Uint8Array {
    return this.tokenBytes[id] ?? new Uint8Array(0);
  }

  decode(ids: readonly number[]): string {
    const decoder = this.streamDecoder();
    let text = "";
    for (const id of ids) text += decoder.push(id);
    return text + decoder.flush();
  }

  /** A decoder for one stream of tokens: holds back bytes of a UTF-8 character split across tokens. */
  streamDecoder(): StreamDecoder {
    return new StreamDecoder(this);
  }
}

export class StreamDecoder implements TokenTextStream {
  private readonly decoder = new TextDecoder("utf-8", { fatal: false });
  constructor(private readonly tokenizer: Tokenizer) {}

  push(id: number): string {
    return this.decoder.decode(this.tokenizer.bytesOf(id), { stream: true });
  }

  flush(): string {
    return this.decoder.decode();
  }
}
