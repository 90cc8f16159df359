// GitHub-style heading slugs, and the list of slugs a markdown file defines.
// The quiz tests use it to check that every question's theory link points at a real heading.
import { readFileSync } from "node:fs";
import { markdown, inlineText } from "./markdown-text.ts";

/**
 * The slug GitHub gives a heading (the github-slugger algorithm): lowercase, drop every character
 * that is not a letter, mark, number, connector punctuation, space or hyphen, then spaces become hyphens.
 * "Why no Summaries?" → "why-no-summaries"; "`rate()` and error ratio" → "rate-and-error-ratio".
 */
export function githubSlug(headingText: string): string {
  return headingText
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
    .replace(/ /g, "-");
}

/**
 * Slugs of every heading in a markdown document, in order. Like GitHub, a repeated slug gets
 * "-1", "-2"... appended, so the second "Example" heading is reachable as #example-1.
 */
export function headingSlugs(markdownSource: string): string[] {
  const tokens = markdown.parse(markdownSource, {});
  const seen = new Map<string, number>();
  const slugs: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const inline = tokens[i + 1];
    if (token?.type !== "heading_open" || inline?.type !== "inline") continue;
    const base = githubSlug(inlineText(inline, { keepBackticks: false }));
    let slug = base;
    let n = seen.get(base) ?? 0;
    while (seen.has(slug)) slug = `${base}-${++n}`;
    seen.set(base, n);
    seen.set(slug, 0);
    slugs.push(slug);
  }
  return slugs;
}

/** Heading slugs of a markdown file on disk. */
export function headingSlugsOfFile(path: string): string[] {
  return headingSlugs(readFileSync(path, "utf8"));
}
