// The typed shape of a parsed quiz: chapters, questions, options and theory links.
// Produced by the quiz parser (parse-quiz-file.ts) and read by the grader, runner and --answers mode.

/** Single choice: exactly one option is correct. Multiple choice: one or more are. */
export type QuestionKind = "single" | "multiple";

export interface QuizOption {
  /**
   * Stable key of the option: "a", "b", "c"... in the order the author wrote them.
   * Answers files may name an option by this key; it never depends on the shuffled display order.
   */
  readonly key: string;
  /** Option text as shown to the learner (inline markdown flattened to plain text). */
  readonly text: string;
  readonly correct: boolean;
  /** One line saying why this option is right or wrong. */
  readonly explanation: string;
  /** 1-based line in the quiz file, for error messages. */
  readonly line: number;
}

/** Where in the theory a question's answer is taught. */
export interface TheoryLink {
  /** The link exactly as written, e.g. ../../theory/01-red-use-metrics.md#why-no-summaries */
  readonly href: string;
  /** Path of the theory file relative to the repository root, e.g. theory/01-red-use-metrics.md */
  readonly file: string;
  /** The heading slug after '#'. */
  readonly slug: string;
}

export interface QuizQuestion {
  /** Unique across the whole quiz (all chapters), lowercase kebab-case. */
  readonly id: string;
  readonly kind: QuestionKind;
  /** The question text (may span several paragraphs). */
  readonly prompt: string;
  readonly options: readonly QuizOption[];
  readonly theory: TheoryLink;
  /** Chapter id this question belongs to, e.g. 01-red-use-metrics. */
  readonly chapter: string;
  /** Quiz file path relative to the repository root, and the question heading's 1-based line. */
  readonly file: string;
  readonly line: number;
}

export interface QuizChapter {
  /** Quiz number the file belongs to, e.g. "34" (the folder name). */
  readonly quiz: string;
  /** Chapter id, equal to the file name without .md, e.g. 00-motivation. */
  readonly chapter: string;
  readonly title: string;
  /** Theory file the chapter tests, relative to the repository root. */
  readonly theoryFile: string;
  readonly file: string;
  readonly questions: readonly QuizQuestion[];
}

export interface Quiz {
  readonly number: string;
  /** Chapters in file-name order (00-, 01-, ...). */
  readonly chapters: readonly QuizChapter[];
}

/** The learner's choice for one question: the keys of the options they picked. */
export type AnswerSheet = ReadonlyMap<string, readonly string[]>;

/** Every question of a quiz, in chapter then file order. */
export function allQuestions(quiz: Quiz): QuizQuestion[] {
  return quiz.chapters.flatMap((c) => [...c.questions]);
}
