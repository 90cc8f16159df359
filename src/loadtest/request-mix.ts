// The documented request mix every benchmark and load test sends: short and long prompts, with and
// without retrieval, streaming and not, a spread of max_tokens. Deterministic for a given seed (lab 03).
import { seededRandom } from "../engine/sampler.ts";
import type { TextTokenizer } from "../engine/text-tokenizer.ts";

export interface MixEntry {
  readonly kind: "completion" | "chat";
  readonly path: "/v1/completions" | "/v1/chat/completions";
  readonly body: Record<string, unknown>;
  readonly promptTokens: number;
  readonly maxTokens: number;
  readonly stream: boolean;
  readonly retrieval: boolean;
}

export interface MixOptions {
  readonly size: number;
  readonly seed: number;
  readonly model: string;
  /** Generate exactly max_tokens (ignore end-of-text) so the offered work is known in advance. */
  readonly fixedLength: boolean;
}

/** Share of each prompt class and its token range; the mean prompt is ~70 tokens before retrieval. */
export const PROMPT_CLASSES = [
  { name: "short", share: 0.4, min: 8, max: 32 },
  { name: "medium", share: 0.4, min: 33, max: 96 },
  { name: "long", share: 0.2, min: 97, max: 200 },
] as const;
export const MAX_TOKENS_RANGE = { min: 8, max: 64 } as const;
export const RETRIEVAL_SHARE = 0.25;
export const RETRIEVAL_TOP_K = 2;
export const STREAM_SHARE = 0.5;
export const CHAT_SHARE = 0.3;

const WORDS = (
  "the server keeps a queue of requests and each request waits for a slot in the cache before " +
  "prefill reads the whole prompt and decode writes one token per step while the scheduler " +
  "batches every running request together so a long prompt costs more than a short one and " +
  "latency grows when the queue is deep metrics count tokens and traces show where time went"
).split(" ");

/** A prompt of exactly `tokens` tokens (BOS excluded), built from plain English words. */
function promptOf(tokens: number, tokenizer: TextTokenizer, random: () => number): string {
  const words: string[] = [];
  let text = "";
  while (tokenizer.encode(text).length < tokens) {
    words.push(WORDS[Math.floor(random() * WORDS.length)]!);
    text = words.join(" ");
  }
  // Trim characters until the count is exact; word boundaries are not important here.
  while (tokenizer.encode(text).length > tokens) text = text.slice(0, -1);
  return text;
}

export function buildRequestMix(tokenizer: TextTokenizer, opts: MixOptions): MixEntry[] {
  const random = seededRandom(opts.seed);
  const between = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const out: MixEntry[] = [];
  for (let i = 0; i < opts.size; i++) {
    let pick = random();
    const cls = PROMPT_CLASSES.find((c) => (pick -= c.share) < 0) ?? PROMPT_CLASSES[0];
    const promptTokens = between(cls.min, cls.max);
    const maxTokens = between(MAX_TOKENS_RANGE.min, MAX_TOKENS_RANGE.max);
    const stream = random() < STREAM_SHARE;
    const retrieval = random() < RETRIEVAL_SHARE;
    const chat = random() < CHAT_SHARE;
    const prompt = promptOf(promptTokens, tokenizer, random);
    const body: Record<string, unknown> = {
      model: opts.model,
      ...(chat ? { messages: [{ role: "user", content: prompt }] } : { prompt }),
      max_tokens: maxTokens,
      temperature: 0.8,
      seed: i,
      stream,
      ...(opts.fixedLength ? { ignore_eos: true } : {}),
      ...(retrieval ? { retrieval: { top_k: RETRIEVAL_TOP_K } } : {}),
    };
    out.push({
      kind: chat ? "chat" : "completion",
      path: chat ? "/v1/chat/completions" : "/v1/completions",
      body, promptTokens, maxTokens, stream, retrieval,
    });
  }
  return out;
}

/** Mean prompt tokens and output tokens of a mix: the work one request offers on average. */
export function describeMix(mix: readonly MixEntry[]): { requests: number; meanPromptTokens: number; meanMaxTokens: number; streamShare: number; retrievalShare: number; chatShare: number } {
  const n = mix.length || 1;
  const sum = (f: (e: MixEntry) => number) => mix.reduce((a, e) => a + f(e), 0);
  return {
    requests: mix.length,
    meanPromptTokens: sum((e) => e.promptTokens) / n,
    meanMaxTokens: sum((e) => e.maxTokens) / n,
    streamShare: sum((e) => (e.stream ? 1 : 0)) / n,
    retrievalShare: sum((e) => (e.retrieval ? 1 : 0)) / n,
    chatShare: sum((e) => (e.kind === "chat" ? 1 : 0)) / n,
  };
}
