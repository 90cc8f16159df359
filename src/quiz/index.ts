// Public surface of the quiz module: parsing quiz files, grading, shuffling, progress and the interactive runner.
// src/cli/quiz.ts and the tests under test/quiz/ import from here.
export type { AnswerSheet, QuestionKind, Quiz, QuizChapter, QuizOption, QuizQuestion, TheoryLink } from "./types.ts";
export { allQuestions } from "./types.ts";
export type { FormatIssue } from "./quiz-errors.ts";
export { QuizFormatError, formatIssue } from "./quiz-errors.ts";
export type { ParseResult } from "./parse-quiz-file.ts";
export { parseQuizSource } from "./parse-quiz-file.ts";
export { splitFrontMatter, resolveFromQuizFile } from "./front-matter.ts";
export { githubSlug, headingSlugs, headingSlugsOfFile } from "./heading-slugs.ts";
export { DEFAULT_QUIZZES_DIR, REPO_ROOT, chapterFiles, listQuizNumbers, loadQuiz } from "./load-quiz.ts";
export type { ChapterScore, GradeReport, QuestionResult, ScoreLine } from "./grader.ts";
export { PASS_PERCENT, formatPercent, formatReport, formatScore, grade, isCorrect, isPass } from "./grader.ts";
export { questionRandom, randomSeed, seededRandom, shuffled } from "./shuffle.ts";
export type { AttemptRecord, BestChange, ProgressFile, ProgressRead, QuizProgress, RecordOutcome } from "./progress-store.ts";
export { DEFAULT_PROGRESS_FILE, attemptFrom, beats, describeRecord, readProgress, recordAttempt, writeJsonAtomic } from "./progress-store.ts";
export type { ParsedAnswers } from "./answers-file.ts";
export { normalizeOptionText, parseAnswers, readAnswersFile, resolveChoice } from "./answers-file.ts";
export type { ChapterBalance, GuessStrategy } from "./option-balance.ts";
export { COMPARED_POSITIONS, chapterBalance, gradeStrategy, guessStrategies, strictlyLongest, visibleLength } from "./option-balance.ts";
export type { TextRenderer } from "./terminal-text.ts";
export { colouredCode, keepBackticks, rendererFor, wantsColour, withoutBackticks } from "./terminal-text.ts";
export type { InteractiveOutcome, PromptChoice, QuizPrompts, RunnerIO } from "./runner.ts";
export { askQuestions, displayOrder, explainAnswer, runInteractive } from "./runner.ts";
