// Splits the workbook's own markdown (theory chapters, docs) into short passages for retrieval.
// Short passages keep the retrieval stage's extra prefill bounded (lab 03 prices it).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

export interface Passage {
  readonly id: string;
  /** file and heading the passage came from, e.g. "theory/01-red-use-metrics.md#buckets" */
  readonly source: string;
  readonly text: string;
}

/** At ~3 characters per token this is ~80 tokens: three passages stay well inside the context. */
export const MAX_PASSAGE_CHARS = 240;

function listMarkdown(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch {
    return [];
  }
  const out: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...listMarkdown(path));
    else if (name.endsWith(".md")) out.push(path);
  }
  return out;
}

/** Markdown to plain sentences: drop code blocks, tables, images and link targets. */
function plain(block: string): string {
  return block
    .replace(/!\[[^\]]*\]\([^)]*\)/g, "")
    .replace(/\[([^\]]+)\]\([^)]*\)/g, "$1")
    .replace(/[`*_>#]/g, "")
    .replace(/\s+/g, " ")
    .trim();
}

/** Cut long text at sentence (or word) ends so each piece fits MAX_PASSAGE_CHARS. */
function pieces(text: string): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > MAX_PASSAGE_CHARS) {
    const window = rest.slice(0, MAX_PASSAGE_CHARS);
    let cut = Math.max(window.lastIndexOf(". "), window.lastIndexOf("? "), window.lastIndexOf("! "));
    cut = cut > MAX_PASSAGE_CHARS / 3 ? cut + 1 : window.lastIndexOf(" ");
    if (cut <= 0) cut = MAX_PASSAGE_CHARS;
    out.push(rest.slice(0, cut).trim());
    rest = rest.slice(cut).trim();
  }
  if (rest.length > 0) out.push(rest);
  return out;
}

export function slugify(heading: string): string {
  return heading.toLowerCase().trim().replace(/[^\p{L}\p{N}\s-]/gu, "").replace(/\s+/g, "-");
}

export function splitMarkdown(markdown: string, file: string): Passage[] {
  const passages: Passage[] = [];
  let heading = "";
  let inFence = false;
  for (const block of markdown.split(/\n\s*\n/)) {
    const trimmed = block.trim();
    const fences = (trimmed.match(/^```/gm) ?? []).length;
    if (inFence || trimmed.startsWith("```")) {
      if (fences % 2 === 1) inFence = !inFence;
      continue;
    }
    const headingMatch = /^(#{1,6})\s+(.*)$/m.exec(trimmed);
    if (headingMatch && trimmed.startsWith("#")) heading = slugify(headingMatch[2]!);
    if (trimmed.startsWith("|") || trimmed.startsWith("<")) continue;
    const text = plain(trimmed.replace(/^#{1,6}\s+.*$/m, ""));
    if (text.split(" ").length < 6) continue;
    for (const piece of pieces(text)) {
      passages.push({ id: `${file}#${passages.length}`, source: heading ? `${file}#${heading}` : file, text: piece });
    }
  }
  return passages;
}

/** Every passage of every markdown file under the given folders, paths relative to `root`. */
export function loadPassages(root: string, dirs: readonly string[]): Passage[] {
  const out: Passage[] = [];
  for (const dir of dirs) {
    for (const file of listMarkdown(join(root, dir))) {
      out.push(...splitMarkdown(readFileSync(file, "utf8"), relative(root, file)));
    }
  }
  return out;
}
