import { test } from "node:test";
import assert from "node:assert/strict";
import { Bm25Retriever, MAX_PASSAGE_CHARS, loadPassages, splitMarkdown } from "../../src/retrieval/index.ts";

const md = `# Queue depth

The queue holds requests that wait for a free KV-cache slot before prefill can start.

\`\`\`ts
const notAPassage = "code blocks are skipped";
\`\`\`

## Buckets

Latency buckets must cover four decades, from fifty milliseconds to two minutes, or the tail hides.

| a | table |
|---|---|
`;

test("splits markdown into passages under their heading, skipping code and tables", () => {
  const passages = splitMarkdown(md, "theory/x.md");
  assert.deepEqual(passages.map((p) => p.source), ["theory/x.md#queue-depth", "theory/x.md#buckets"]);
  assert.ok(passages.every((p) => !p.text.includes("notAPassage") && !p.text.includes("|")));
});

test("long paragraphs are cut into passages of bounded size", () => {
  const long = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} talks about tokens and slots.`).join(" ");
  const passages = splitMarkdown(long, "a.md");
  assert.ok(passages.length > 3);
  assert.ok(passages.every((p) => p.text.length <= MAX_PASSAGE_CHARS));
});

test("BM25 ranks the passage that shares the query's rare words first", () => {
  const r = new Bm25Retriever(splitMarkdown(md, "theory/x.md"));
  const hits = r.search("why do latency buckets span four decades", 2);
  assert.equal(hits[0]!.source, "theory/x.md#buckets");
  assert.ok(hits[0]!.score > 0);
  assert.deepEqual(r.search("   ", 3), []);
  assert.match(r.format(hits.slice(0, 1), "Q?"), /^Context:\n\[1\] Latency buckets.*\n\nQ\?$/s);
});

test("the shipped corpus (docs/ and theory/) is indexed", () => {
  const passages = loadPassages(process.cwd(), ["theory", "docs"]);
  assert.ok(passages.length >= 20, `only ${passages.length} passages`);
  const r = new Bm25Retriever(passages);
  assert.ok(r.search("KV cache slot", 3).length === 3);
});
