// The quiz command end to end as a real process: --answers pass/fail, bad answers files, unknown quiz,
// malformed quiz file, and the non-terminal refusal. Every error must be a message with exit 2, not a stack trace.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { stringify } from "yaml";
import { allQuestions, loadQuiz, REPO_ROOT } from "../../src/quiz/index.ts";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), "quiz-cli-"));
const progress = join(tmp, "progress.json");

function quiz(...args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", "src/cli/quiz.ts", ...args, "--progress-file", progress], {
    cwd: REPO_ROOT, encoding: "utf8", input: "", env: { ...process.env, FORCE_COLOR: "0" },
  });
  assert.doesNotMatch(r.stderr, /\n\s+at .*:\d+:\d+/, `stack trace printed:\n${r.stderr}`);
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test("a full set of right answers passes (exit 0) and the result is saved", () => {
  // Built from the quiz itself, half by key and half by option text, so content edits do not break it.
  const answers: Record<string, string | string[]> = {};
  allQuestions(loadQuiz("34")).forEach((q, i) => {
    const right = q.options.filter((o) => o.correct).map((o) => (i % 2 === 0 ? o.key : o.text));
    answers[q.id] = q.kind === "single" ? right[0]! : right;
  });
  const file = join(tmp, "pass.yaml");
  writeFileSync(file, stringify({ quiz: 34, answers }));
  const r = quiz("34", "--answers", file);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /00-motivation\s+\d+\/\d+ \(100\.0 %\)/);
  assert.match(r.out, /03-tracing-and-logging\s+\d+\/\d+ \(100\.0 %\)/);
  assert.match(r.out, /PASSED: 100\.0 %/);
  assert.equal(JSON.parse(readFileSync(progress, "utf8")).quizzes["34"].best.percent, 100);
});

test("a failing answer sheet exits 1 with per-chapter scores", () => {
  const r = quiz("34", "--answers", `${fixtures}answers-fail.yaml`, "--no-save");
  assert.equal(r.code, 1, r.err);
  assert.match(r.out, /01-red-use-metrics\s+1\/\d+/);
  assert.match(r.out, /missed: hourly-price-to-rate → theory\/02-cost-accounting\.md#from-hourly-price-to-euros-per-second/);
  assert.match(r.out, /FAILED: /);
});

test("a lower, failing sheet after a pass prints FAILED and keeps the pass as the best, never 'New best'", () => {
  const file = join(tmp, "lower.json");
  const lowerProgress = join(tmp, "lower-progress.json");
  const answers = Object.fromEntries(allQuestions(loadQuiz("34")).map((q, i) => {
    const right = q.options.filter((o) => o.correct).map((o) => o.key);
    const wrong = q.options.find((o) => !o.correct)!.key;
    // Two runs: all right, then right only for the first 25 questions (59.5 %).
    return [q.id, { right: q.kind === "single" ? right[0]! : right, wrong: q.kind === "single" ? wrong : [wrong], keep: i < 25 }];
  }));
  const sheet = (all: boolean) => ({ quiz: 34, answers: Object.fromEntries(Object.entries(answers).map(([id, a]) => [id, all || a.keep ? a.right : a.wrong])) });
  const run = (all: boolean) => {
    writeFileSync(file, JSON.stringify(sheet(all)));
    return spawnSync(process.execPath, ["--import", "tsx", "src/cli/quiz.ts", "34", "--answers", file, "--progress-file", lowerProgress], { cwd: REPO_ROOT, encoding: "utf8" });
  };
  const pass = run(true);
  assert.equal(pass.status, 0, pass.stderr);
  const fail = run(false);
  assert.equal(fail.status, 1, fail.stderr);
  assert.match(fail.stdout, /FAILED: /);
  assert.doesNotMatch(fail.stdout, /New best/);
  assert.match(fail.stdout, /Your best for quiz 34 stays 100\.0 %, a pass/);
});

test("a JSON answers file naming options by key and text works with --quizzes-dir", () => {
  const r = quiz("77", "--quizzes-dir", `${fixtures}good`, "--answers", `${fixtures}answers-sample-pass.json`, "--no-save");
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /00-sample\s+2\/2 \(100\.0 %\)/);
});

test("unknown question ids and options are exit 2 with the line to fix", () => {
  const r = quiz("34", "--answers", `${fixtures}answers-unknown-id.yaml`);
  assert.equal(r.code, 2);
  assert.match(r.err, /answers-unknown-id\.yaml:3: quiz 34 has no question 'no-such-question'/);
  assert.match(r.err, /answers-unknown-id\.yaml:4: 'z' is not an option of 'red-versus-use'; use a key or the exact text: a = /);
  assert.match(r.err, /MSV_ERR_ANSWERS_FORMAT/);
});

test("a malformed or missing answers file is exit 2", () => {
  const bad = quiz("34", "--answers", `${fixtures}answers-malformed.yaml`);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /not valid YAML\/JSON/);
  const missing = quiz("34", "--answers", join(tmp, "nope.yaml"));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot be read \(it does not exist\)/);
});

test("an unknown quiz number lists the quizzes that exist", () => {
  const r = quiz("99", "--answers", `${fixtures}answers-fail.yaml`);
  assert.equal(r.code, 2);
  assert.match(r.err, /There is no quiz '99'.*Quizzes that exist: 34/);
  assert.match(r.err, /MSV_ERR_QUIZ_UNKNOWN/);
});

test("a malformed quiz file is exit 2 naming file and line", () => {
  const r = quiz("66", "--quizzes-dir", `${fixtures}bad`, "--answers", `${fixtures}answers-fail.yaml`);
  assert.equal(r.code, 2);
  assert.match(r.err, /fixtures\/bad\/66\/00-broken\.md:17: question 'two-correct': it is declared \(single\)/);
  assert.match(r.err, /MSV_ERR_QUIZ_FORMAT/);
});

test("interactive mode without a terminal on stdin refuses with exit 2", () => {
  const r = quiz("34");
  assert.equal(r.code, 2);
  assert.match(r.err, /needs a terminal.*--answers/s);
  assert.match(r.err, /MSV_ERR_QUIZ_USAGE/);
});

test("--help exits 0; a bad option or no quiz number exits 2", () => {
  const help = quiz("--help");
  assert.equal(help.code, 0);
  assert.match(help.out, /Usage: npm run quiz -- <number>/);
  assert.equal(quiz("34", "--bogus").code, 2);
  const none = quiz();
  assert.equal(none.code, 2);
  assert.match(none.err, /Give exactly one quiz number \(quizzes that exist: 34\)/);
});
