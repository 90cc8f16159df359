// Finds quizzes on disk (quizzes/NN/*.md) and loads one whole quiz, checking ids are unique across chapters.
// Used by the quiz CLI and by the tests that check every quiz file in the repository.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { MiniserveError } from "../errors/codes.ts";
import { parseQuizSource } from "./parse-quiz-file.ts";
import { QuizFormatError } from "./quiz-errors.ts";
import type { FormatIssue } from "./quiz-errors.ts";
import type { Quiz, QuizChapter } from "./types.ts";

/** The workbook's root (two levels above src/quiz/), whatever the current directory is. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const DEFAULT_QUIZZES_DIR = join(REPO_ROOT, "quizzes");

/** Path as shown to the learner: relative to the repository when inside it, forward slashes. */
function displayPath(abs: string): string {
  const rel = relative(REPO_ROOT, abs);
  return (rel.startsWith("..") ? abs : rel).split(sep).join("/");
}

/** Quiz numbers that exist: folders under `dir` holding at least one chapter file, sorted numerically. */
export function listQuizNumbers(dir: string = DEFAULT_QUIZZES_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => statSync(join(dir, name)).isDirectory() && chapterFiles(join(dir, name)).length > 0)
    .sort((a, b) => Number(a) - Number(b) || a.localeCompare(b));
}

/** Chapter files of one quiz folder: every .md except a README, in name order (00-, 01-, ...). */
export function chapterFiles(quizDir: string): string[] {
  return readdirSync(quizDir)
    .filter((n) => n.endsWith(".md") && n.toLowerCase() !== "readme.md")
    .sort();
}

/**
 * Loads quiz `number` from `dir`. Throws MSV_ERR_QUIZ_UNKNOWN (listing the quizzes that exist) when there is
 * no such folder, and a QuizFormatError with every problem of every file when anything is malformed.
 */
export function loadQuiz(number: string, dir: string = DEFAULT_QUIZZES_DIR): Quiz {
  const available = listQuizNumbers(dir);
  if (!/^[0-9]+$/.test(number) || !available.includes(number)) {
    const list = available.length > 0 ? available.join(", ") : "none";
    throw new MiniserveError(
      "MSV_ERR_QUIZ_UNKNOWN",
      `There is no quiz '${number}' in ${displayPath(dir)}/. Quizzes that exist: ${list}. ` +
        `Run the command with one of those numbers, for example 'npm run quiz -- ${available[0] ?? "34"}'.`,
    );
  }
  const quizDir = join(dir, number);
  const issues: FormatIssue[] = [];
  const chapters: QuizChapter[] = [];
  const firstSeen = new Map<string, string>();
  for (const name of chapterFiles(quizDir)) {
    const abs = join(quizDir, name);
    const file = displayPath(abs);
    const result = parseQuizSource(readFileSync(abs, "utf8"), file, `quizzes/${number}/${name}`);
    issues.push(...result.issues);
    if (!result.chapter) continue;
    // The answers file maps ids to choices for the whole quiz, so an id may appear in only one chapter.
    for (const q of result.chapter.questions) {
      const where = `${q.file}:${q.line}`;
      const first = firstSeen.get(q.id);
      if (first) issues.push({ file: q.file, line: q.line, message: `question id '${q.id}' is already used at ${first}; ids must be unique across the quiz` });
      else firstSeen.set(q.id, where);
    }
    chapters.push(result.chapter);
  }
  if (issues.length > 0) throw new QuizFormatError(issues);
  return { number, chapters };
}
