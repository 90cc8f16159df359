// The retrieval stage: BM25 search (minisearch) over the workbook's passages, prepended to the prompt.
// Its time is the retrieval_duration_seconds metric and the "retrieval" cost stage (lab 03).
import MiniSearch from "minisearch";
import type { Retriever } from "../engine/engine.ts";
import type { RetrievedPassage } from "../engine/request.ts";
import type { Passage } from "./passages.ts";

export class Bm25Retriever implements Retriever {
  private readonly index: MiniSearch<Passage>;
  readonly size: number;

  constructor(passages: readonly Passage[]) {
    // minisearch scores with BM25+; the source heading is a second, lighter field.
    this.index = new MiniSearch<Passage>({
      fields: ["text", "source"],
      storeFields: ["source", "text"],
      searchOptions: { boost: { text: 2 }, combineWith: "OR" },
    });
    this.index.addAll(passages as Passage[]);
    this.size = passages.length;
  }

  search(query: string, topK: number): RetrievedPassage[] {
    // Long prompts make many terms; the first 32 carry enough signal and bound the search time.
    const terms = query.split(/\s+/).filter(Boolean).slice(0, 32).join(" ");
    if (terms.length === 0) return [];
    return this.index.search(terms).slice(0, topK).map((hit) => ({
      id: String(hit.id),
      source: String(hit["source"]),
      text: String(hit["text"]),
      score: hit.score,
    }));
  }

  format(passages: readonly RetrievedPassage[], prompt: string): string {
    if (passages.length === 0) return prompt;
    const context = passages.map((p, i) => `[${i + 1}] ${p.text}`).join("\n");
    return `Context:\n${context}\n\n${prompt}`;
  }
}
