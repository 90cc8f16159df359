// Drives the real interactive quiz through a pseudo-terminal (util-linux `script`), pressing number keys and
// Enter like a learner; skipped with a message when `script` is not installed.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { displayOrder, loadQuiz, REPO_ROOT } from "../../src/quiz/index.ts";

const fixtureDir = fileURLToPath(new URL("./fixtures/good", import.meta.url));
const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;
const SEED = 11;

/** The terminal's environment: colour off (FORCE_COLOR=0) or left to the TTY, as on a learner's machine. */
function colourEnv(colour: boolean): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: "xterm" };
  delete env["NO_COLOR"];
  if (colour) delete env["FORCE_COLOR"];
  else env["FORCE_COLOR"] = "0";
  return env;
}

/** Runs the quiz in a pty; `steps` pairs a pattern to wait for with the keys to send once it appears. */
function runInPty(extraArgs: string[], steps: [RegExp, string][], colour = false): Promise<{ code: number | null; output: string }> {
  const cmd = ["node", "--import", "tsx", "src/cli/quiz.ts", "77", "--quizzes-dir", fixtureDir, "--seed", String(SEED), ...extraArgs]
    .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
    .join(" ");
  const child = spawn("script", ["-qfec", cmd, "/dev/null"], { cwd: REPO_ROOT, env: colourEnv(colour) });
  let output = "";
  let step = 0;
  let consumed = 0;
  const advance = (): void => {
    while (step < steps.length) {
      const [pattern, keys] = steps[step]!;
      const match = pattern.exec(output.slice(consumed));
      if (!match) return;
      consumed += match.index + match[0].length;
      step++;
      setTimeout(() => child.stdin.write(keys), 150);
    }
  };
  child.stdout.on("data", (d: Buffer) => {
    output += d.toString("utf8");
    advance();
  });
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

/** 1-based position of each correct option on screen for this seed. */
function correctPositions(index: number): string[] {
  const q = loadQuiz("77", fixtureDir).chapters[0]!.questions[index]!;
  return displayOrder(q, SEED).flatMap((o, i) => (o.correct ? [String(i + 1)] : []));
}

test("a learner answers both questions right with number keys and passes", { skip: !hasScript && "util-linux 'script' is not installed" }, async () => {
  const progress = join(mkdtempSync(join(tmpdir(), "quiz-pty-")), "quiz.json");
  const [single] = correctPositions(0);
  const multiple = correctPositions(1);
  const { code, output } = await runInPty(["--progress-file", progress], [
    [/\[1\/2\] Which bucket/, `${single}\r`],
    [/\[2\/2\] Which are USE signals/, `${multiple.join("")}\r`],
  ]);
  assert.equal(code, 0, output);
  assert.match(output, /✔ Correct\./);
  assert.match(output, /PASSED: 100\.0 %/);
  assert.match(output, /Saved as your best for quiz 77: 100\.0 %, a pass\./);
  assert.equal(JSON.parse(readFileSync(progress, "utf8")).quizzes["77"].best.mode, "interactive");
});

test("Ctrl-C at a prompt exits 130 with a message and saves nothing", { skip: !hasScript && "util-linux 'script' is not installed" }, async () => {
  const { code, output } = await runInPty(["--no-save"], [[/\[1\/2\] Which bucket/, "\x03"]]);
  assert.equal(code, 130, output);
  assert.match(output, /Quiz stopped; nothing was saved/);
  assert.doesNotMatch(output, /ExitPromptError|\n\s+at /);
});

test("a wrong answer is not echoed after a ✔, and inline code shows in cyan without backticks", { skip: !hasScript && "util-linux 'script' is not installed" }, async () => {
  const [single] = correctPositions(0);
  const wrong = ["1", "2", "3"].find((p) => p !== single)!;
  const { code, output } = await runInPty(["--no-save"], [
    [/\[1\/2\] Which bucket/, `${wrong}\r`],
    [/\[2\/2\] Which are USE signals/, "\x03"],
  ], true);
  assert.equal(code, 130, output);
  // Everything the terminal showed between the question and the verdict: the echoed answer, no tick.
  const plain = output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "");
  const verdict = plain.indexOf("✘ Not quite.");
  const echoed = plain.slice(plain.lastIndexOf("\n", plain.lastIndexOf("[1/2] Which bucket", verdict)) + 1, verdict);
  assert.ok(echoed.length > 0, plain);
  assert.doesNotMatch(echoed, /✔/, `a tick precedes the wrong answer's verdict:\n${echoed}`);
  assert.match(echoed, /›/);
  // The right option's code span is coloured and its backticks are gone in the feedback.
  assert.match(output, /\[✔ right\] Only \x1b\[36m\+Inf\x1b\[39m/);
  assert.doesNotMatch(plain, /`\+Inf`/);
});

test("with colour off the code keeps its backticks, plain", { skip: !hasScript && "util-linux 'script' is not installed" }, async () => {
  const { output } = await runInPty(["--no-save"], [[/\[1\/2\] Which bucket/, "\x03"]]);
  assert.match(output, /Only `\+Inf`/);
  assert.doesNotMatch(output, /\x1b\[36m/);
});
