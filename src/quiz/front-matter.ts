// Splits and validates the YAML front matter at the top of a quiz file (quiz, chapter, title, theory).
// Used by parse-quiz-file.ts; front matter is YAML, not markdown, so it is cut off before markdown-it runs.
import { posix } from "node:path";
import { parse as parseYaml } from "yaml";
import type { FormatIssue } from "./quiz-errors.ts";

export interface FrontMatter {
  readonly quiz: string;
  readonly chapter: string;
  readonly title: string;
  /** Theory file relative to the repository root, e.g. theory/00-motivation.md */
  readonly theoryFile: string;
}

export interface SplitResult {
  readonly frontMatter: FrontMatter | null;
  /** The markdown after the closing '---'. */
  readonly body: string;
  /** Number of lines before the body, so token lines can be reported as file lines. */
  readonly bodyLineOffset: number;
}

/**
 * Resolves a link written in a quiz file (relative to that file) to a path from the repository root.
 * quizzes/34/00-motivation.md + ../../theory/00-motivation.md → theory/00-motivation.md
 */
export function resolveFromQuizFile(quizFile: string, href: string): string {
  return posix.normalize(posix.join(posix.dirname(quizFile.split("\\").join("/")), href));
}

export const THEORY_FILE_PATTERN = /^theory\/\d{2}-[a-z0-9-]+\.md$/;

/** `file` names the file in messages; `linkBase` is its place in the workbook (quizzes/NN/<chapter>.md). */
export function splitFrontMatter(source: string, file: string, issues: FormatIssue[], linkBase: string = file): SplitResult {
  const lines = source.replace(/^\uFEFF/, "").split(/\r?\n/);
  const missing = (): SplitResult => {
    issues.push({
      file,
      line: 1,
      message:
        "the file must start with YAML front matter: a '---' line, then quiz, chapter, title and theory keys, then a closing '---' line",
    });
    return { frontMatter: null, body: source, bodyLineOffset: 0 };
  };
  if (lines[0]?.trim() !== "---") return missing();
  const close = lines.findIndex((l, i) => i > 0 && l.trim() === "---");
  if (close < 0) return missing();
  const body = lines.slice(close + 1).join("\n");
  let data: unknown;
  try {
    data = parseYaml(lines.slice(1, close).join("\n"));
  } catch (err) {
    issues.push({ file, line: 2, message: `the front matter is not valid YAML (${(err as Error).message.split("\n")[0]})` });
    return { frontMatter: null, body, bodyLineOffset: close + 1 };
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    issues.push({ file, line: 2, message: "the front matter must be a YAML mapping with quiz, chapter, title and theory keys" });
    return { frontMatter: null, body, bodyLineOffset: close + 1 };
  }
  const record = data as Record<string, unknown>;
  const lineOf = (key: string): number => {
    const at = lines.findIndex((l, i) => i > 0 && i < close && l.startsWith(`${key}:`));
    return at < 0 ? 1 : at + 1;
  };
  const text = (key: string): string | null => {
    const v = record[key];
    if ((typeof v === "string" && v.trim() !== "") || typeof v === "number") return String(v).trim();
    issues.push({ file, line: lineOf(key), message: `the front matter needs a non-empty '${key}:' value` });
    return null;
  };
  const quiz = text("quiz");
  const chapter = text("chapter");
  const title = text("title");
  const theoryHref = text("theory");
  for (const key of Object.keys(record)) {
    if (!["quiz", "chapter", "title", "theory"].includes(key)) {
      issues.push({ file, line: lineOf(key), message: `unknown front matter key '${key}'; allowed keys are quiz, chapter, title, theory` });
    }
  }
  // The folder and file name are what the CLI and the answers file go by, so the front matter must agree.
  const base = linkBase.split("\\").join("/");
  const folder = posix.basename(posix.dirname(base));
  const stem = posix.basename(base, ".md");
  if (quiz !== null && quiz !== folder) {
    issues.push({ file, line: lineOf("quiz"), message: `quiz: ${quiz} does not match the folder name '${folder}'; use quiz: ${folder}` });
  }
  if (chapter !== null && chapter !== stem) {
    issues.push({ file, line: lineOf("chapter"), message: `chapter: ${chapter} does not match the file name; use chapter: ${stem}` });
  }
  let theoryFile: string | null = null;
  if (theoryHref !== null) {
    theoryFile = resolveFromQuizFile(linkBase, theoryHref);
    if (!THEORY_FILE_PATTERN.test(theoryFile)) {
      issues.push({
        file,
        line: lineOf("theory"),
        message: `theory: ${theoryHref} must be a relative link to a theory chapter, like ../../theory/${stem}.md`,
      });
      theoryFile = null;
    }
  }
  const ok = quiz !== null && chapter !== null && title !== null && theoryFile !== null;
  return {
    frontMatter: ok && theoryFile !== null ? { quiz, chapter, title, theoryFile } : null,
    body,
    bodyLineOffset: close + 1,
  };
}
