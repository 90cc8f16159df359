// check-lab can fail: each lab in its starter state (in a temporary copy of the repo) shows the
// expected ✘ lines, and in the solution state every check passes.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { rmSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { freePort, tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";
import { copyRepo } from "./repo-copy.ts";
import type { RepoCopy } from "./repo-copy.ts";

const prometheus = requireTool("prometheus");
const promtool = requireTool("promtool");

/** The ✔/✘ mark printed in front of a stop condition whose title contains `text`. */
function mark(stdout: string, text: string): string | null {
  const line = stdout.split("\n").find((l) => (l.startsWith("✔ ") || l.startsWith("✘ ")) && l.includes(text));
  return line ? line[0]! : null;
}

describe("check-lab on a copy of the repo", { skip: prometheus.skip || promtool.skip }, () => {
  let repo: RepoCopy;
  let port: number;
  let promPort: number;
  const data = tempDir("lab-prom");
  let args: string[];

  before(async () => {
    port = await freePort();
    promPort = await freePort();
    repo = copyRepo(port);
    args = ["--port", String(port), "--prometheus-port", String(promPort), "--data-dir", data.dir, "--quick"];
  });
  after(() => {
    repo?.cleanup();
    data.cleanup();
  });

  const check = (lab: string, env: Record<string, string> = {}) => repo.run("src/cli/check-lab.ts", [lab, ...args], env);
  const lab = (cmd: string, id: string) => {
    const r = repo.run("src/cli/lab.ts", [cmd, id]);
    assert.equal(r.status, 0, r.stderr);
    return r.stdout;
  };

  test("lab 00 fails with an install hint when Prometheus is not on PATH, passes when it is", () => {
    // A PATH with node and git only: no prometheus, no docker.
    const bin = tempDir("lab-bin");
    symlinkSync(process.execPath, join(bin.dir, "node"));
    const bare = check("00", { PATH: bin.dir });
    bin.cleanup();
    assert.equal(bare.status, 1, bare.stdout + bare.stderr);
    assert.equal(mark(bare.stdout, "Prometheus is ready"), "✘");
    assert.match(bare.stdout, /not installed/);
    const ok = check("00");
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.equal(mark(ok.stdout, "target `miniserve` is UP"), "✔");
  });

  test("lab 01: starter fails the module, exposition and request_total checks; the solution passes all five", () => {
    assert.match(lab("start", "01"), /starter written/);
    const s = check("01");
    assert.equal(s.status, 1, s.stdout + s.stderr);
    assert.equal(mark(s.stdout, "exports the six metrics"), "✘");
    assert.equal(mark(s.stdout, "valid Prometheus exposition"), "✘");
    assert.equal(mark(s.stdout, "target `miniserve` is UP"), "✘");
    assert.equal(mark(s.stdout, 'request_total{status="200"}'), "✘");
    assert.equal(mark(s.stdout, "llm.json is committed"), "✔");
    assert.match(s.stdout, /likely cause: /);
    assert.match(lab("solution", "01"), /reference solution written/);
    const ok = check("01");
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.equal(ok.stdout.split("\n").filter((l) => l.startsWith("✔ ")).length, 5, ok.stdout);
  });

  test("lab 02: starter lacks stage spans and subprocess parenting; the solution passes", () => {
    lab("start", "02");
    const s = check("02");
    assert.equal(s.status, 1, s.stdout + s.stderr);
    assert.equal(mark(s.stdout, "every stage span"), "✘");
    assert.equal(mark(s.stdout, "subprocess spans"), "✘");
    lab("solution", "02");
    const ok = check("02");
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
  });

  test("lab 03: the solution passes with the committed run; the starter prices nothing, and a missing run says what to run", () => {
    lab("solution", "03");
    const ok = check("03");
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.equal(mark(ok.stdout, "cost identity holds"), "✔", ok.stdout);
    assert.equal(mark(ok.stdout, "cost histograms are populated"), "✔", ok.stdout);
    assert.equal(mark(ok.stdout, "committed ≥ 100 RPS"), "✔", ok.stdout);
    lab("start", "03");
    rmSync(join(repo.root, "experiments", "34-load-test"), { recursive: true, force: true });
    const s = check("03");
    assert.equal(s.status, 1, s.stdout + s.stderr);
    assert.equal(mark(s.stdout, "cost identity holds"), "✘");
    assert.equal(mark(s.stdout, "cost histograms are populated"), "✘");
    assert.equal(mark(s.stdout, "committed ≥ 100 RPS"), "✘", s.stdout);
    assert.ok(s.stdout.includes("npm run loadtest -- --rate 100 --duration 300"), s.stdout);
  });

  test("the lab switcher backs up the learner's edits and reports each lab's state", () => {
    const st = repo.run("src/cli/lab.ts", ["status"]);
    assert.equal(st.status, 0, st.stderr);
    assert.match(st.stdout, /01 {2}Instrument the server +solution/);
    assert.match(st.stdout, /latest backup: \.lab-backups\//);
    const bad = repo.run("src/cli/lab.ts", ["start", "07"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /MSV_ERR_LAB_USAGE/);
    assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/);
  });
});
