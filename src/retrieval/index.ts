// Public surface of the retrieval stage (used by miniserve and lab 03).
export { Bm25Retriever } from "./bm25-retriever.ts";
export { loadPassages, splitMarkdown, slugify, MAX_PASSAGE_CHARS } from "./passages.ts";
export type { Passage } from "./passages.ts";
