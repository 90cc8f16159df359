// Parses one quiz markdown file (quizzes/NN/<chapter>.md) into typed questions using markdown-it's token stream.
// Every malformed construct becomes a FormatIssue naming the file, the line and the fix (see quizzes/README.md).
import type { Token } from "markdown-it";
import { splitFrontMatter, resolveFromQuizFile, THEORY_FILE_PATTERN } from "./front-matter.ts";
import { markdown, inlineText, inlineLinks, tokenLine } from "./markdown-text.ts";
import type { FormatIssue } from "./quiz-errors.ts";
import type { QuestionKind, QuizChapter, QuizOption, QuizQuestion, TheoryLink } from "./types.ts";

export interface ParseResult {
  /** Null when the file has any issue: a half-parsed chapter must never be graded. */
  readonly chapter: QuizChapter | null;
  readonly issues: readonly FormatIssue[];
}

const HEADING = /^([a-z0-9]+(?:-[a-z0-9]+)*)\s*\((single|multiple)\)$/;
const SLUG = /^[\p{L}\p{M}\p{N}_-]+$/u;
/** " — " (em dash) is the documented separator; " -- " is accepted for keyboards without one. */
const SEPARATORS = [" — ", " -- "];

interface Draft {
  id: string;
  kind: QuestionKind;
  line: number;
  prompt: string[];
  theory: TheoryLink | null;
  options: QuizOption[] | null;
  /** List items written, including ones that failed to parse (those already have their own issue). */
  optionItems: number;
}

/** Index just after the token that closes the block opened at `start` (same nesting level). */
function skipBlock(tokens: Token[], start: number): number {
  const open = tokens[start];
  if (!open || open.nesting !== 1) return start + 1;
  for (let i = start + 1; i < tokens.length; i++) {
    const t = tokens[i];
    if (t && t.nesting === -1 && t.level === open.level) return i + 1;
  }
  return tokens.length;
}

function parseOption(inline: Token, index: number, line: number, file: string, issues: FormatIssue[]): QuizOption | null {
  const raw = inlineText(inline);
  const marker = raw.slice(0, 4);
  if (!["[x] ", "[X] ", "[ ] "].includes(marker)) {
    issues.push({ file, line, message: "each option must start with '[x] ' (correct) or '[ ] ' (wrong), like '- [x] text — why'" });
    return null;
  }
  const rest = raw.slice(4);
  const sep = SEPARATORS.map((s) => ({ s, at: rest.indexOf(s) })).filter((x) => x.at >= 0).sort((a, b) => a.at - b.at)[0];
  if (!sep) {
    issues.push({ file, line, message: "the option has no explanation; write it as '- [ ] option text — why it is right or wrong' (space, em dash, space)" });
    return null;
  }
  const text = rest.slice(0, sep.at).trim();
  const explanation = rest.slice(sep.at + sep.s.length).trim();
  if (text === "") issues.push({ file, line, message: "the option text before the ' — ' is empty" });
  if (explanation === "") issues.push({ file, line, message: "the explanation after the ' — ' is empty; say why this option is right or wrong" });
  if (text === "" || explanation === "") return null;
  return { key: String.fromCharCode(97 + index), text, correct: marker !== "[ ] ", explanation, line };
}

function parseOptionList(tokens: Token[], start: number, end: number, off: number, file: string, issues: FormatIssue[]): { options: QuizOption[]; items: number } {
  const options: QuizOption[] = [];
  const listLevel = tokens[start]!.level;
  let index = 0;
  for (let i = start + 1; i < end; i++) {
    const t = tokens[i]!;
    if (t.type !== "list_item_open" || t.level !== listLevel + 1) continue;
    const line = tokenLine(t, off);
    const itemEnd = skipBlock(tokens, i);
    const inner = tokens.slice(i + 1, itemEnd - 1);
    const blocks = inner.filter((x) => x.level === t.level + 1 && x.nesting !== -1);
    const inline = inner.find((x) => x.type === "inline");
    if (blocks.length !== 1 || blocks[0]?.type !== "paragraph_open" || !inline) {
      issues.push({ file, line, message: "an option must be a single line '- [x] text — why' with no nested list or extra paragraph" });
    } else {
      const opt = parseOption(inline, index, line, file, issues);
      if (opt) options.push(opt);
    }
    index++;
    i = itemEnd - 1;
  }
  return { options, items: index };
}

function parseTheoryLine(inline: Token, line: number, file: string, linkBase: string, issues: FormatIssue[]): TheoryLink | null {
  const links = inlineLinks(inline);
  if (links.length !== 1) {
    issues.push({ file, line, message: "the 'Theory:' line needs exactly one link, like 'Theory: [Heading](../../theory/01-red-use-metrics.md#heading-slug)'" });
    return null;
  }
  const href = links[0]!;
  const hash = href.indexOf("#");
  const path = hash < 0 ? href : href.slice(0, hash);
  const slug = hash < 0 ? "" : href.slice(hash + 1);
  const resolved = resolveFromQuizFile(linkBase, path);
  if (/^[a-z]+:/i.test(href) || !THEORY_FILE_PATTERN.test(resolved)) {
    issues.push({ file, line, message: `the theory link '${href}' must be relative and point into theory/, like ../../theory/01-red-use-metrics.md#heading-slug` });
    return null;
  }
  if (!SLUG.test(slug)) {
    issues.push({ file, line, message: `the theory link '${href}' needs a '#heading-slug' naming the section the question tests` });
    return null;
  }
  return { href, file: resolved, slug };
}

function finish(d: Draft, chapter: string, file: string, issues: FormatIssue[]): QuizQuestion | null {
  const before = issues.length;
  const at = (message: string): void => void issues.push({ file, line: d.line, message: `question '${d.id}': ${message}` });
  if (d.prompt.length === 0) at("the question text is missing; write it as a paragraph under the heading");
  if (d.theory === null) at("the 'Theory: [..](../../theory/NN-chapter.md#slug)' line is missing");
  const options = d.options ?? [];
  if (d.options === null) at("the option list is missing; add lines like '- [x] right answer — why' and '- [ ] wrong answer — why'");
  else if (d.optionItems < 2) at("a question needs at least two options");
  const correct = options.filter((o) => o.correct).length;
  if (d.options !== null && options.length > 0 && correct === 0) at("no option is marked correct; mark the right one(s) with '[x]'");
  if (d.kind === "single" && correct > 1) at(`it is declared (single) but ${correct} options are marked [x]; keep one, or declare it (multiple)`);
  const texts = new Set<string>();
  for (const o of options) {
    const norm = o.text.toLowerCase();
    if (texts.has(norm)) issues.push({ file, line: o.line, message: `question '${d.id}': two options have the text '${o.text}'; make them distinct` });
    texts.add(norm);
  }
  if (issues.length > before || d.theory === null) return null;
  return { id: d.id, kind: d.kind, prompt: d.prompt.join("\n\n"), options, theory: d.theory, chapter, file, line: d.line };
}

/**
 * Parses a quiz file's text. `file` is the path shown in messages. `linkBase` is where the file sits in the
 * workbook layout (quizzes/NN/<chapter>.md), against which relative theory links resolve; it defaults to `file`
 * and differs only for fixtures kept elsewhere.
 */
export function parseQuizSource(source: string, file: string, linkBase: string = file): ParseResult {
  const issues: FormatIssue[] = [];
  const { frontMatter, body, bodyLineOffset: off } = splitFrontMatter(source, file, issues, linkBase);
  const tokens = markdown.parse(body, {});
  const questions: QuizQuestion[] = [];
  const ids = new Map<string, number>();
  let draft: Draft | null = null;
  const chapter = frontMatter?.chapter ?? "";
  const close = (): void => {
    if (draft) {
      const q = finish(draft, chapter, file, issues);
      if (q) questions.push(q);
    }
    draft = null;
  };

  for (let i = 0; i < tokens.length; ) {
    const t = tokens[i]!;
    const line = tokenLine(t, off);
    const end = skipBlock(tokens, i);
    const inline = tokens[i + 1]?.type === "inline" ? tokens[i + 1]! : null;
    if (t.type === "heading_open" && t.tag === "h2" && inline) {
      close();
      const text = inlineText(inline, { keepBackticks: false });
      const m = HEADING.exec(text);
      if (!m) {
        issues.push({ file, line, message: `question heading '## ${text}' must read '## question-id (single)' or '## question-id (multiple)', id in lowercase kebab-case` });
      } else {
        const [, id, kind] = m as unknown as [string, string, QuestionKind];
        const first = ids.get(id);
        if (first !== undefined) issues.push({ file, line, message: `duplicate question id '${id}' (first used on line ${first}); ids must be unique` });
        else ids.set(id, line);
        draft = { id, kind, line, prompt: [], theory: null, options: null, optionItems: 0 };
      }
    } else if (draft === null) {
      // Anything before the first question (a title, an introduction) is for readers of the file only.
    } else if (t.type === "heading_open") {
      issues.push({ file, line, message: `only '## id (kind)' headings are allowed after the first question; '${t.markup}' is not` });
    } else if (t.type === "paragraph_open" && inline) {
      const text = inlineText(inline);
      const d: Draft = draft;
      if (/^theory:/i.test(text)) {
        if (d.theory) issues.push({ file, line, message: `question '${d.id}' has two 'Theory:' lines; keep one` });
        else d.theory = parseTheoryLine(inline, line, file, linkBase, issues) ?? d.theory;
      } else if (d.options !== null) {
        issues.push({ file, line, message: `question '${d.id}': text after the option list; put the question text above the options` });
      } else {
        d.prompt.push(text);
      }
    } else if ((t.type === "fence" || t.type === "code_block") && draft) {
      (draft as Draft).prompt.push(t.content.replace(/\n$/, "").split("\n").map((l) => `    ${l}`).join("\n"));
    } else if (t.type === "bullet_list_open") {
      const d: Draft = draft;
      if (d.options !== null) issues.push({ file, line, message: `question '${d.id}' has a second option list; put every option in one list` });
      else {
        const parsed = parseOptionList(tokens, i, end, off, file, issues);
        d.options = parsed.options;
        d.optionItems = parsed.items;
      }
    } else if (t.type === "ordered_list_open") {
      issues.push({ file, line, message: "options must be a bullet list ('- [x] ...'), not a numbered list: the runner numbers them after shuffling" });
    } else if (t.type !== "hr") {
      issues.push({ file, line, message: `unexpected ${t.type.replace(/_open$/, "")} inside question '${(draft as Draft).id}'; see quizzes/README.md for what a question may contain` });
    }
    i = end;
  }
  close();
  if (frontMatter && questions.length === 0 && issues.length === 0) {
    issues.push({ file, line: 0, message: "the file has no questions; add at least one '## question-id (single)' section" });
  }
  if (!frontMatter || issues.length > 0) return { chapter: null, issues };
  return {
    chapter: { quiz: frontMatter.quiz, chapter: frontMatter.chapter, title: frontMatter.title, theoryFile: frontMatter.theoryFile, file, questions },
    issues,
  };
}
