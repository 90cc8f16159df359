// Errors the quiz command reports: malformed quiz files (with every problem's file and line) and the rest.
// The CLI (src/cli/quiz.ts) prints their message as one paragraph and exits 2; none of them is a crash.
import { MiniserveError } from "../errors/codes.ts";

/** One problem in a quiz file, precise enough to fix without reading the parser. */
export interface FormatIssue {
  /** Path relative to the repository root (or as given), e.g. quizzes/34/01-red-use-metrics.md */
  readonly file: string;
  /** 1-based line; 0 when the problem concerns the file as a whole. */
  readonly line: number;
  /** What is wrong and what to do about it. */
  readonly message: string;
}

export function formatIssue(issue: FormatIssue): string {
  return issue.line > 0 ? `${issue.file}:${issue.line}: ${issue.message}` : `${issue.file}: ${issue.message}`;
}

/**
 * A quiz that cannot be used because one or more of its files are malformed. All issues are collected
 * before throwing, so an author fixes a whole file in one pass instead of one error per run.
 */
export class QuizFormatError extends MiniserveError {
  readonly issues: readonly FormatIssue[];

  constructor(issues: readonly FormatIssue[]) {
    const shown = issues.slice(0, 20).map((i) => `  ${formatIssue(i)}`);
    if (issues.length > shown.length) shown.push(`  ... and ${issues.length - shown.length} more`);
    const files = [...new Set(issues.map((i) => i.file))].join(", ");
    super(
      "MSV_ERR_QUIZ_FORMAT",
      `The quiz file ${files} is malformed (${issues.length} problem${issues.length === 1 ? "" : "s"}); ` +
        `fix each line below, see quizzes/README.md for the format:\n${shown.join("\n")}`,
    );
    this.name = "QuizFormatError";
    this.issues = issues;
  }
}
