// The interactive runner's logic with scripted prompts: shuffled choices, per-option feedback, the saved
// first pass, and the retry of missed questions. (A real terminal run is covered by interactive-pty.test.ts.)
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { displayOrder, loadQuiz, runInteractive } from "../../src/quiz/index.ts";
import type { GradeReport, PromptChoice, QuizPrompts } from "../../src/quiz/index.ts";

const quiz = loadQuiz("77", fileURLToPath(new URL("./fixtures/good", import.meta.url)));
const [single, multiple] = quiz.chapters[0]!.questions;

test("wrong answer, graded and saved once, then a retry of only the missed question", async () => {
  const seen: { message: string; choices: readonly PromptChoice[] }[] = [];
  const printed: string[] = [];
  let multipleCalls = 0;
  const confirms: string[] = [];
  const prompts: QuizPrompts = {
    single: async (message, choices) => {
      seen.push({ message, choices });
      return "b"; // right
    },
    multiple: async (message, choices) => {
      seen.push({ message, choices });
      return ++multipleCalls === 1 ? ["a"] : ["a", "c"]; // first incomplete (wrong), then right
    },
    confirm: async (message) => {
      confirms.push(message);
      return true;
    },
  };
  const graded: GradeReport[] = [];
  const outcome = await runInteractive(quiz, { prompts, print: (t) => printed.push(t), seed: 5 }, (r) => graded.push(r));

  // Choices are offered in the seeded display order, by stable key.
  assert.deepEqual(seen[0]!.choices.map((c) => c.value), displayOrder(single!, 5).map((o) => o.key));
  assert.match(seen[1]!.message, /several may be right/);
  assert.equal(graded.length, 1);
  assert.equal(outcome.report.overall.correct, 1);
  assert.equal(outcome.report.passed, false);
  // Feedback explains every option, marks the learner's choice and names the theory section.
  const text = printed.join("\n");
  assert.match(text, /✘ Not quite\./);
  assert.match(text, /\[✔ right\] \(your choice\) `queue_depth`\n\s+Saturation of the engine\./);
  assert.match(text, /\[✘ wrong\] `request_total`\n\s+A RED signal/);
  assert.match(text, /Theory: theory\/01-red-use-metrics\.md#the-six-core-metrics/);
  assert.match(text, /00-sample\s+1\/2 \(50\.0 %\)/);
  // Only the missed multiple-choice question is asked again, and then no further retry is offered.
  assert.deepEqual(confirms, ["Retry the 1 missed question? (practice only; the saved result stays)"]);
  assert.equal(outcome.retries.length, 1);
  assert.deepEqual(outcome.retries[0]!.results.map((r) => [r.question.id, r.correct]), [[multiple!.id, true]]);
  assert.match(text, /Every question is now answered right\./);
});
