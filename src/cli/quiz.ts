// The `quiz` command: `npm run quiz -- 34` asks the theory questions of quiz 34 in the terminal and grades them;
// `--answers FILE` grades a written answer sheet instead (exit 0 passed, 1 failed, 2 usage or file errors).
import { parseArgs } from "node:util";
import { checkbox, confirm, select } from "@inquirer/prompts";
import { MiniserveError } from "../errors/codes.ts";
import { exitWithError } from "./cli-errors.ts";
import {
  DEFAULT_PROGRESS_FILE, DEFAULT_QUIZZES_DIR, attemptFrom, describeRecord, formatReport, grade, listQuizNumbers,
  loadQuiz, randomSeed, readAnswersFile, recordAttempt, rendererFor, runInteractive,
} from "../quiz/index.ts";
import type { GradeReport, QuizPrompts, AttemptRecord } from "../quiz/index.ts";

const EXIT_PASSED = 0;
const EXIT_FAILED = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

const HELP = `Usage: npm run quiz -- <number> [options]      (or: npx quiz <number>, tsx src/cli/quiz.ts <number>)

Asks the theory questions of quiz <number> (quizzes/<number>/*.md) in the terminal: arrow keys or the
option's number to choose, space to toggle in multiple-choice questions, enter to confirm. After each
answer every option is explained; at the end you get a score per chapter and pass/fail (70 % overall),
and may retry the questions you missed. Your best result is kept in .progress/quiz.json.

Options:
  --answers FILE        grade a YAML/JSON answers file instead of asking (see quizzes/README.md);
                        prints the score per chapter, exits 0 when passed and 1 when failed
  --seed N              shuffle options in a repeatable order (default: random)
  --no-save             do not record the result in the progress file
  --progress-file FILE  where to keep results (default: .progress/quiz.json in the repository)
  --quizzes-dir DIR     read quizzes from DIR instead of quizzes/ (for checking a draft quiz)
  -h, --help            show this help

Exit codes: 0 passed, 1 failed, 2 bad arguments or malformed quiz/answers file, 130 interrupted (Ctrl-C).`;

function usage(message: string): MiniserveError {
  return new MiniserveError("MSV_ERR_QUIZ_USAGE", `${message} Run 'npm run quiz -- --help' for usage.`);
}

function parseCli(argv: string[]) {
  try {
    return parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        answers: { type: "string" },
        seed: { type: "string" },
        "no-save": { type: "boolean", default: false },
        "progress-file": { type: "string" },
        "quizzes-dir": { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (err) {
    throw usage(`${(err as Error).message}.`);
  }
}

/**
 * The real terminal prompts; numbers are shown so an option can be picked by typing its number. The answered
 * prompt is echoed after a neutral "›" instead of inquirer's green ✔, which read as "right" before a wrong
 * answer's "✘ Not quite". The highlighted choice is bold, not cyan, so cyan inline code stays visible in it.
 */
const theme = { prefix: { idle: "?", done: "›" }, style: { highlight: (text: string) => `\x1b[1m${text}\x1b[22m` } };
const inquirerPrompts: QuizPrompts = {
  single: (message, choices) => select({ message, choices: [...choices], loop: false, theme: { ...theme, indexMode: "number" } }),
  multiple: (message, choices) =>
    checkbox({
      message,
      choices: choices.map((c, i) => ({ value: c.value, name: `${i + 1}. ${c.name}`, short: c.short })),
      loop: false,
      theme,
      validate: (picked) => (picked.length > 0 ? true : "Choose at least one option (space toggles it)."),
    }),
  confirm: (message) => confirm({ message, default: true, theme }),
};

/** Set once the first full pass is recorded, so Ctrl-C during a retry round is not reported as "nothing saved". */
let savedThisRun = false;

function save(enabled: boolean, quiz: string, attempt: AttemptRecord, path: string): void {
  if (!enabled) return;
  savedThisRun = true;
  const outcome = recordAttempt(quiz, attempt, path);
  for (const w of outcome.warnings) console.error(`warning: ${w}`);
  if (outcome.warnings.length > 0 && !outcome.improved) return;
  console.log(describeRecord(quiz, outcome));
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseCli(argv);
  if (values.help) {
    console.log(HELP);
    return EXIT_PASSED;
  }
  const quizzesDir = values["quizzes-dir"] ?? DEFAULT_QUIZZES_DIR;
  if (positionals.length !== 1) {
    const known = listQuizNumbers(quizzesDir).join(", ") || "none";
    throw usage(`Give exactly one quiz number (quizzes that exist: ${known}), for example 'npm run quiz -- 34'.`);
  }
  let seed = randomSeed();
  if (values.seed !== undefined) {
    if (!/^\d+$/.test(values.seed)) throw usage(`--seed must be a non-negative integer, not '${values.seed}'.`);
    seed = Number(values.seed) >>> 0;
  }
  const quiz = loadQuiz(positionals[0]!, quizzesDir);
  const progressFile = values["progress-file"] ?? DEFAULT_PROGRESS_FILE;
  const saving = !values["no-save"];

  if (values.answers !== undefined) {
    const { sheet, unanswered } = readAnswersFile(values.answers, quiz);
    const report: GradeReport = grade(quiz, sheet);
    if (unanswered.length > 0) console.log(`Unanswered (graded as wrong): ${unanswered.join(", ")}`);
    for (const r of report.results.filter((x) => !x.correct && x.chosen.length > 0)) {
      console.log(`missed: ${r.question.id} → ${r.question.theory.file}#${r.question.theory.slug}`);
    }
    console.log(formatReport(report));
    save(saving, quiz.number, attemptFrom(report, "answers"), progressFile);
    return report.passed ? EXIT_PASSED : EXIT_FAILED;
  }

  if (!process.stdin.isTTY) {
    throw usage(
      `The interactive quiz needs a terminal, but standard input is not one (piped, redirected or run by a script). ` +
        `Run 'npm run quiz -- ${quiz.number}' directly in a terminal, or grade a written answer sheet with ` +
        `'npm run quiz -- ${quiz.number} --answers my-answers.yaml' (format in quizzes/README.md).`,
    );
  }
  const outcome = await runInteractive(quiz, { prompts: inquirerPrompts, print: (t) => console.log(t), seed, render: rendererFor(process.stdout) }, (report) =>
    save(saving, quiz.number, attemptFrom(report, "interactive"), progressFile),
  );
  return outcome.report.passed ? EXIT_PASSED : EXIT_FAILED;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // Ctrl-C inside a prompt rejects with ExitPromptError: leave quietly, nothing half-saved.
    if (err instanceof Error && err.name === "ExitPromptError") {
      console.error(savedThisRun ? "\nQuiz stopped; your result was already saved." : "\nQuiz stopped; nothing was saved for this attempt.");
      process.exitCode = EXIT_INTERRUPTED;
    } else {
      // Same shape as every other workbook command: "error CODE: message" plus the docs/errors.md anchor.
      exitWithError(err, EXIT_USAGE);
    }
  },
);
