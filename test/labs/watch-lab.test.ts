// `npm run check-lab -- 03 --watch` in a pseudo-terminal (util-linux `script`), on a copy of the repo:
// the starter's failure shows first with its hint; saving the solution into the file re-checks and passes.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../helpers/free-port.ts";
import { copyRepo } from "./repo-copy.ts";
import type { RepoCopy } from "./repo-copy.ts";

const hasScript = spawnSync("script", ["--version"], { encoding: "utf8" }).status === 0;
if (!hasScript && process.env.CI) throw new Error("util-linux `script` is required in CI (Debian: bsdutils)");
if (!hasScript) console.warn("\n*** SKIPPED: util-linux `script` is missing, so watch mode cannot be run in a terminal here ***\n");

let repo: RepoCopy;
before(async () => {
  repo = copyRepo(await freePort());
});
after(() => repo?.cleanup());

test("watch mode shows the next failing condition, then re-checks when the lab's file is saved", { skip: hasScript ? false : "no `script`" }, async () => {
  const file = "src/observability/cost-tracker.ts";
  const reference = spawnSync("git", ["show", `HEAD:${file}`], { cwd: repo.root, encoding: "utf8" }).stdout;
  assert.equal(repo.run("src/cli/lab.ts", ["start", "03"]).status, 0);
  const cmd = `node --import tsx src/cli/check-lab.ts 03 --watch --quick --only apportioning,identity`;
  const child = spawn("script", ["-qfec", cmd, "/dev/null"], { cwd: repo.root, env: { ...process.env, TERM: "xterm" } });
  let output = "";
  child.stdout.on("data", (d: Buffer) => (output += d.toString("utf8")));
  const waitFor = async (pattern: RegExp, from: number, timeoutMs = 60_000): Promise<number> => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const m = pattern.exec(output.slice(from));
      if (m) return from + m.index + m[0].length;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`no ${pattern} in:\n${output.slice(from)}`);
  };
  try {
    let at = await waitFor(/watching src\/observability\/cost-tracker\.ts/, 0);
    const first = output.slice(0, at);
    assert.match(first, /lab 03: 0\/2 stop conditions pass/);
    assert.match(first, /✘ each request's stage costs[\s\S]*likely cause: [\s\S]*next: /, "the next failing condition with its hint");
    assert.match(first, /… and 1 more after this one: 03\.identity/);
    writeFileSync(join(repo.root, file), `${reference}// my tracker\n`);
    at = await waitFor(/watching src\/observability\/cost-tracker\.ts/, at);
    assert.match(output, /2\/2 selected stop conditions pass/);
  } finally {
    child.kill("SIGINT");
    await new Promise((r) => child.once("close", r));
  }
});
