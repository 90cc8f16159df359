// Reads an --answers file (YAML or JSON) into an answer sheet: question id → chosen option keys.
// Options are named by their stable key (a, b, c... in authored order) or by their text, never by shuffled position.
import { readFileSync } from "node:fs";
import { LineCounter, isMap, isScalar, isSeq, parseDocument } from "yaml";
import type { Node } from "yaml";
import { MiniserveError } from "../errors/codes.ts";
import { allQuestions } from "./types.ts";
import type { AnswerSheet, Quiz, QuizQuestion } from "./types.ts";

export interface ParsedAnswers {
  readonly sheet: AnswerSheet;
  /** Ids of questions the file leaves out; they are graded as wrong, and the CLI lists them. */
  readonly unanswered: readonly string[];
}

/** Text comparison ignores case, backticks and runs of whitespace, so "`rate()`" matches "rate()". */
export function normalizeOptionText(text: string): string {
  return text.replace(/`/g, "").replace(/\s+/g, " ").trim().toLowerCase();
}

/** The option key a written choice names: a key ("b") first, then the option's text. */
export function resolveChoice(question: QuizQuestion, choice: string): string | null {
  const trimmed = choice.trim();
  const byKey = question.options.find((o) => o.key === trimmed.toLowerCase());
  if (byKey && trimmed.length === 1) return byKey.key;
  const wanted = normalizeOptionText(trimmed);
  return question.options.find((o) => normalizeOptionText(o.text) === wanted)?.key ?? null;
}

function fail(file: string, problems: string[]): never {
  const shown = problems.slice(0, 20);
  if (problems.length > shown.length) shown.push(`... and ${problems.length - shown.length} more`);
  throw new MiniserveError(
    "MSV_ERR_ANSWERS_FORMAT",
    `The answers file ${file} cannot be used; fix the following and run again (format: quizzes/README.md, "Answers file"):\n` +
      shown.map((p) => `  ${p}`).join("\n"),
  );
}

/** Parses answers text; `file` is only used in messages. Throws MSV_ERR_ANSWERS_FORMAT listing every problem. */
export function parseAnswers(text: string, file: string, quiz: Quiz): ParsedAnswers {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  if (doc.errors.length > 0) {
    fail(file, doc.errors.map((e) => `${file}:${e.linePos?.[0]?.line ?? 1}: not valid YAML/JSON: ${e.message.split("\n")[0]}`));
  }
  const at = (node: Node | null | undefined): string => `${file}:${node?.range ? lineCounter.linePos(node.range[0]).line : 1}`;
  const root = doc.contents;
  if (!isMap(root)) fail(file, [`${at(root)}: the file must be a mapping with an 'answers:' key (and optionally 'quiz: ${quiz.number}')`]);

  const problems: string[] = [];
  let answersNode: unknown = null;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (key === "answers") answersNode = pair.value;
    else if (key === "quiz") {
      const v = isScalar(pair.value) ? String(pair.value.value) : "";
      if (v !== quiz.number) problems.push(`${at(pair.key as Node)}: 'quiz: ${v}' does not match the quiz being graded (${quiz.number})`);
    } else problems.push(`${at(pair.key as Node)}: unknown top-level key '${key}'; only 'quiz' and 'answers' are allowed`);
  }
  if (!isMap(answersNode)) fail(file, [...problems, `${at(root)}: 'answers:' must be a mapping of question id → option key or text`]);

  const byId = new Map(allQuestions(quiz).map((q) => [q.id, q]));
  const sheet = new Map<string, string[]>();
  for (const pair of answersNode.items) {
    const where = at(pair.key as Node);
    const id = isScalar(pair.key) ? String(pair.key.value) : "";
    const question = byId.get(id);
    if (!question) {
      problems.push(`${where}: quiz ${quiz.number} has no question '${id}'; ids are the '## id (kind)' headings in quizzes/${quiz.number}/*.md`);
      continue;
    }
    if (sheet.has(id)) {
      problems.push(`${where}: question '${id}' is answered twice; keep one entry`);
      continue;
    }
    const raw = isSeq(pair.value) ? pair.value.items : [pair.value];
    const choices: string[] = [];
    for (const item of raw) {
      if (!isScalar(item) || (typeof item.value !== "string" && typeof item.value !== "number")) {
        problems.push(`${where}: the answer to '${id}' must be an option key like b, an option's text, or a list of those`);
        continue;
      }
      const key = resolveChoice(question, String(item.value));
      if (key === null) {
        const valid = question.options.map((o) => `${o.key} = "${o.text}"`).join("; ");
        problems.push(`${at(item)}: '${String(item.value)}' is not an option of '${id}'; use a key or the exact text: ${valid}`);
      } else if (!choices.includes(key)) choices.push(key);
    }
    if (question.kind === "single" && choices.length > 1) {
      problems.push(`${where}: '${id}' is single choice; give one option, not ${choices.length}`);
    }
    sheet.set(id, choices);
  }
  if (problems.length > 0) fail(file, problems);
  const unanswered = [...byId.keys()].filter((id) => (sheet.get(id)?.length ?? 0) === 0);
  return { sheet, unanswered };
}

/** Reads and parses an answers file from disk; a missing file is reported like any other answers problem. */
export function readAnswersFile(path: string, quiz: Quiz): ParsedAnswers {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "it does not exist" : (err as Error).message;
    throw new MiniserveError("MSV_ERR_ANSWERS_FORMAT", `The answers file ${path} cannot be read (${reason}). Pass the path of a YAML or JSON answers file to --answers.`);
  }
  return parseAnswers(text, path, quiz);
}
