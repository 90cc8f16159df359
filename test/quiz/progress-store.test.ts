// The progress store: best result kept per quiz, atomic writes, and a corrupt file replaced with a warning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeRecord, readProgress, recordAttempt } from "../../src/quiz/index.ts";
import type { AttemptRecord } from "../../src/quiz/index.ts";

function attempt(correct: number, total = 10): AttemptRecord {
  return { at: new Date(2025, 0, correct + 1).toISOString(), mode: "answers", correct, total, percent: (correct / total) * 100, passed: correct >= 7, chapters: {} };
}

test("keeps the best attempt and counts attempts", () => {
  const dir = mkdtempSync(join(tmpdir(), "quiz-progress-"));
  const file = join(dir, "nested", "quiz.json");
  assert.equal(recordAttempt("34", attempt(6), file).improved, true);
  assert.equal(recordAttempt("34", attempt(8), file).improved, true);
  const worse = recordAttempt("34", attempt(5), file);
  assert.equal(worse.improved, false);
  assert.equal(worse.best.correct, 8);
  const { data, warning } = readProgress(file);
  assert.equal(warning, null);
  assert.equal(data.quizzes["34"]?.attempts, 3);
  assert.equal(data.quizzes["34"]?.last.correct, 5);
  // The atomic write leaves no temporary file behind.
  assert.deepEqual(readdirSync(join(dir, "nested")), ["quiz.json"]);
});

test("a corrupt file is reported, set aside and replaced without throwing", () => {
  const dir = mkdtempSync(join(tmpdir(), "quiz-progress-"));
  const file = join(dir, "quiz.json");
  writeFileSync(file, "{ not json");
  const outcome = recordAttempt("34", attempt(9), file);
  assert.equal(outcome.warnings.length, 1);
  assert.match(outcome.warnings[0]!, /was corrupt .*moved to .*quiz\.json\.corrupt/);
  assert.ok(existsSync(`${file}.corrupt`));
  assert.equal(JSON.parse(readFileSync(file, "utf8")).quizzes["34"].best.correct, 9);

  writeFileSync(file, JSON.stringify({ version: 1, quizzes: { "34": { best: "nope" } } }));
  const read = readProgress(file);
  assert.match(read.warning ?? "", /expected \{version: 1/);
  assert.deepEqual(read.data.quizzes, {});
});

test("the saved best changes only for a first result, a pass or a higher score, and the line says which", () => {
  const file = join(mkdtempSync(join(tmpdir(), "quiz-progress-")), "quiz.json");
  const say = (a: AttemptRecord) => describeRecord("34", recordAttempt("34", a, file));
  assert.match(say(attempt(5)), /^Saved as your first result for quiz 34: 50\.0 %, below the pass mark/);
  assert.match(say(attempt(4)), /^Your best for quiz 34 stays 50\.0 %, below the pass mark/);
  assert.match(say(attempt(6)), /^Higher than your previous best \(50\.0 %\): 60\.0 % saved as your best for quiz 34, still below the pass mark/);
  assert.match(say(attempt(8)), /^New best for quiz 34: 80\.0 %, a pass \(was 60\.0 %, below the pass mark\)/);
  // A lower, failing attempt never prints "New best": the pass stays the saved best.
  const lower = say(attempt(6));
  assert.doesNotMatch(lower, /New best/);
  assert.match(lower, /^Your best for quiz 34 stays 80\.0 %, a pass/);
  assert.equal(readProgress(file).data.quizzes["34"]?.best.correct, 8);
  assert.equal(readProgress(file).data.quizzes["34"]?.last.correct, 6);
  // Shares are compared, not raw counts: 8 of 11 is below 8 of 10 although the count is equal.
  assert.match(describeRecord("34", recordAttempt("34", attempt(8, 11), file)), /stays 80\.0 %/);
});
