// Turns markdown-it inline tokens into plain terminal text; shared by the quiz parser and the heading-slug check.
// The quiz runner prints questions in a terminal, so inline markup is flattened rather than rendered as HTML.
import MarkdownIt from "markdown-it";
import type { Token } from "markdown-it";

/**
 * One shared parser. Typographer stays off so "--" and quotes reach the parser unchanged,
 * and HTML is off so a stray "<" in a question is text, not a tag.
 */
export const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

export interface FlattenOptions {
  /** Keep backticks around inline code (nice in the terminal); slugs drop them like GitHub does. */
  readonly keepBackticks?: boolean;
}

/** Plain text of an inline token's children: text, code, link text, emphasis content. */
export function inlineText(inline: Token, opts: FlattenOptions = {}): string {
  const parts: string[] = [];
  for (const child of inline.children ?? []) {
    switch (child.type) {
      case "text":
      case "html_inline":
        parts.push(child.content);
        break;
      case "code_inline":
        parts.push(opts.keepBackticks === false ? child.content : `\`${child.content}\``);
        break;
      case "softbreak":
      case "hardbreak":
        parts.push(" ");
        break;
      case "image":
        parts.push(child.content);
        break;
      default:
        // link_open/close, em/strong open/close carry no text of their own.
        break;
    }
  }
  return parts.join("").replace(/\s+/g, " ").trim();
}

/** Every link target (href) inside an inline token, in order. */
export function inlineLinks(inline: Token): string[] {
  const hrefs: string[] = [];
  for (const child of inline.children ?? []) {
    if (child.type === "link_open") hrefs.push(String(child.attrGet("href") ?? ""));
  }
  return hrefs;
}

/** 1-based first line of a block token, offset by lines removed before parsing (front matter). */
export function tokenLine(token: Token, lineOffset: number): number {
  return (token.map?.[0] ?? 0) + 1 + lineOffset;
}
