import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Tokenizer } from "../../src/engine/index.ts";

const tokenizer = Tokenizer.fromFile("model/tokenizer.json");

test("round-trips ASCII, multibyte UTF-8, emoji and whitespace", () => {
  const samples = [
    "Return the number of items in the queue.",
    "naïve café — señor Müller, 東京 und Zürich",
    "emoji: 🦊🚀 👩‍👩‍👧 and flags 🇪🇸",
    "  tabs\tand\n\nnewlines   \r\n",
    "",
    "x",
    "\u{10FFFF}\u0000 control and the last code point",
  ];
  for (const text of samples) assert.equal(tokenizer.decode(tokenizer.encode(text)), text, JSON.stringify(text));
});

test("matches the ids the Python build produced (same merges, same pre-tokenisation)", () => {
  const cases = JSON.parse(readFileSync("model/fixtures/tokenizer-cases.json", "utf8")) as { text: string; ids: number[] }[];
  assert.ok(cases.length >= 10);
  for (const c of cases) assert.deepEqual(tokenizer.encode(c.text), c.ids, JSON.stringify(c.text));
});

test("merges compress English: fewer tokens than bytes", () => {
  const text = "The server returns the number of tokens in the response and the time it took.";
  const ids = tokenizer.encode(text);
  assert.ok(ids.length < Buffer.byteLength(text) / 2, `${ids.length} tokens for ${Buffer.byteLength(text)} bytes`);
  assert.ok(ids.every((id) => id >= 0 && id < tokenizer.vocabSize && id !== tokenizer.eotId));
});

test("a stream decoder holds back a character split across tokens", () => {
  const bytes = Buffer.from("é🦊", "utf8");
  const decoder = tokenizer.streamDecoder();
  const pieces = [...bytes].map((b) => decoder.push(b)); // one byte-token at a time
  assert.equal(pieces.join("") + decoder.flush(), "é🦊");
  assert.equal(pieces[0], ""); // first byte of é alone is not a character yet
});
