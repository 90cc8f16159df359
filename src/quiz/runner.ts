// The interactive quiz loop: ask each question with shuffled options, explain every option, score, offer retries.
// Prompts are injected (QuizPrompts), so the CLI plugs in @inquirer/prompts and tests plug in scripted answers.
import { formatReport, grade } from "./grader.ts";
import type { GradeReport } from "./grader.ts";
import { questionRandom, shuffled } from "./shuffle.ts";
import { keepBackticks, withoutBackticks } from "./terminal-text.ts";
import type { TextRenderer } from "./terminal-text.ts";
import { allQuestions } from "./types.ts";
import type { Quiz, QuizOption, QuizQuestion } from "./types.ts";

export interface PromptChoice {
  /** The option's stable key; what the prompt returns. */
  readonly value: string;
  readonly name: string;
  /** The option as echoed once chosen: plain text, no backticks or colour. */
  readonly short: string;
}

export interface QuizPrompts {
  single(message: string, choices: readonly PromptChoice[]): Promise<string>;
  multiple(message: string, choices: readonly PromptChoice[]): Promise<string[]>;
  confirm(message: string): Promise<boolean>;
}

export interface RunnerIO {
  readonly prompts: QuizPrompts;
  readonly print: (text: string) => void;
  /** Session seed for option shuffling; fixed in tests and with `quiz --seed N`. */
  readonly seed: number;
  /** How inline code is shown (default: in backticks); the CLI colours it on a terminal. */
  readonly render?: TextRenderer;
}

export interface InteractiveOutcome {
  /** The graded first pass over every question: the result that counts and is saved. */
  readonly report: GradeReport;
  /** One report per "retry the missed questions" round; practice only, never saved. */
  readonly retries: readonly GradeReport[];
}

/** The options in the order this session shows them; the order depends only on the seed, the id and the round. */
export function displayOrder(question: QuizQuestion, seed: number, round = 0): QuizOption[] {
  return shuffled(question.options, questionRandom(seed + round, question.id));
}

/** Feedback after an answer: verdict, then every option in display order with why it is right or wrong. */
export function explainAnswer(
  question: QuizQuestion, shown: readonly QuizOption[], chosen: readonly string[], correct: boolean, render: TextRenderer = keepBackticks,
): string {
  const lines = [correct ? "✔ Correct." : "✘ Not quite."];
  shown.forEach((o, i) => {
    const mark = o.correct ? "✔ right" : "✘ wrong";
    const picked = chosen.includes(o.key) ? " (your choice)" : "";
    lines.push(`  ${i + 1}. [${mark}]${picked} ${render(o.text)}`, `       ${render(o.explanation)}`);
  });
  lines.push(`  Theory: ${question.theory.file}#${question.theory.slug}`);
  return lines.join("\n");
}

/** Asks `questions` once and returns the chosen keys per question id, printing feedback after each. */
export async function askQuestions(quiz: Quiz, questions: readonly QuizQuestion[], io: RunnerIO, round = 0): Promise<Map<string, string[]>> {
  const sheet = new Map<string, string[]>();
  let chapter = "";
  for (const [index, question] of questions.entries()) {
    if (question.chapter !== chapter) {
      chapter = question.chapter;
      const title = quiz.chapters.find((c) => c.chapter === chapter)?.title ?? "";
      io.print(`\n=== ${chapter}: ${title} ===`);
    }
    const render = io.render ?? keepBackticks;
    const shown = displayOrder(question, io.seed, round);
    const choices = shown.map((o) => ({ value: o.key, name: render(o.text), short: withoutBackticks(o.text) }));
    const head = `[${index + 1}/${questions.length}] ${render(question.prompt)}`;
    const chosen =
      question.kind === "single"
        ? [await io.prompts.single(head, choices)]
        : await io.prompts.multiple(`${head}\n  (several may be right: space toggles, enter confirms)`, choices);
    sheet.set(question.id, chosen);
    const correct = grade(quiz, sheet, [question]).results[0]?.correct ?? false;
    io.print(explainAnswer(question, shown, chosen, correct, render));
  }
  return sheet;
}

/**
 * A full session: every question, the per-chapter report, `onGraded` (the CLI saves the best result there),
 * then as many "retry the missed questions" rounds as the learner wants.
 */
export async function runInteractive(quiz: Quiz, io: RunnerIO, onGraded: (report: GradeReport) => void = () => {}): Promise<InteractiveOutcome> {
  const questions = allQuestions(quiz);
  io.print(
    `Quiz ${quiz.number}: ${questions.length} questions in ${quiz.chapters.length} chapters; pass mark 70 % overall. ` +
      "Arrow keys or numbers pick an option; Ctrl-C quits without saving.",
  );
  const sheet = await askQuestions(quiz, questions, io);
  const report = grade(quiz, sheet, questions);
  io.print(`\n${formatReport(report)}`);
  onGraded(report);

  const retries: GradeReport[] = [];
  let missed = report.results.filter((r) => !r.correct).map((r) => r.question);
  let round = 1;
  while (missed.length > 0) {
    const again = await io.prompts.confirm(`Retry the ${missed.length} missed question${missed.length === 1 ? "" : "s"}? (practice only; the saved result stays)`);
    if (!again) break;
    const retrySheet = await askQuestions(quiz, missed, io, round++);
    const retry = grade(quiz, retrySheet, missed);
    retries.push(retry);
    const fixed = retry.results.filter((r) => r.correct).length;
    io.print(`\nRetry: ${fixed} of ${missed.length} now right.`);
    missed = retry.results.filter((r) => !r.correct).map((r) => r.question);
  }
  if (missed.length === 0 && retries.length > 0) io.print("Every question is now answered right.");
  return { report, retries };
}
