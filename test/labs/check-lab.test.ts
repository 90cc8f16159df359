// check-lab on a copy of the repo: each lab's generated starter fails the conditions it should, with
// their hints; the reference passes every condition but is never counted as the learner's; a learner's
// own code passes as theirs; and lab 03's load-test condition counts only a run made after its start.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";
import { LABS } from "../../src/labs/lab-catalogue.ts";
import { freePort, tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";
import { copyRepo } from "./repo-copy.ts";
import type { RepoCopy } from "./repo-copy.ts";

const prometheus = requireTool("prometheus");
const promtool = requireTool("promtool");

/** The ✔/✘ mark of each condition, by id, from check-lab's output and its titles in order. */
function marks(stdout: string): string[] {
  return stdout.split("\n").filter((l) => l.startsWith("✔ ") || l.startsWith("✘ ")).map((l) => l[0]!);
}

describe("check-lab on a copy of the repo", { skip: prometheus.skip || promtool.skip }, () => {
  let repo: RepoCopy;
  const data = tempDir("lab-prom");
  let args: string[];

  before(async () => {
    const port = await freePort();
    const promPort = await freePort();
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
  /** What a learner who wrote the reference's logic into the starter ends up with: their own text. */
  const writeOwnSolution = (id: string) => {
    for (const file of LABS.find((l) => l.id === id)!.files) {
      const reference = spawnSync("git", ["show", `HEAD:${file}`], { cwd: repo.root, encoding: "utf8" }).stdout;
      writeFileSync(join(repo.root, file), `${reference}// written by the learner\n`);
    }
  };

  test("lab 00 fails with an install hint when Prometheus is not on PATH, passes when it is", () => {
    // A PATH with node and git only: no prometheus, no docker.
    const bin = tempDir("lab-bin");
    symlinkSync(process.execPath, join(bin.dir, "node"));
    const bare = check("00", { PATH: bin.dir });
    bin.cleanup();
    assert.equal(bare.status, 1, bare.stdout + bare.stderr);
    assert.deepEqual(marks(bare.stdout), ["✘", "✘"]);
    assert.match(bare.stdout, /not installed/);
    const ok = check("00");
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.deepEqual(marks(ok.stdout), ["✔", "✔"]);
  });

  test("lab 01: the starter fails seven conditions with their hints; the reference passes all eight but is not the learner's; the learner's own code is", () => {
    assert.match(lab("start", "01"), /starter written: .*metrics\.ts.*exposition\.ts.*request-metrics\.ts/);
    const s = check("01");
    assert.equal(s.status, 1, s.stdout + s.stderr);
    // module, exposition, red, use-gauges, ttft-tokens, target-up, promql fail; the dashboard exists.
    assert.deepEqual(marks(s.stdout), ["✘", "✘", "✘", "✘", "✘", "✘", "✘", "✔"], s.stdout);
    assert.match(s.stdout, /request_total is not on the default registry/);
    assert.match(s.stdout, /GET \/metrics answered 500/);
    assert.match(s.stdout, /kv_cache_slots_used read \(missing\)/);
    assert.equal(s.stdout.match(/likely cause: /g)?.length, 7);
    assert.doesNotMatch(s.stdout, /did not start or answer/, "every failure names its lab cause, not a crash");

    assert.match(lab("solution", "01"), /reference solution written/);
    const ref = check("01");
    assert.equal(ref.status, 0, ref.stdout + ref.stderr);
    assert.deepEqual(marks(ref.stdout), Array(8).fill("✔"));
    assert.match(ref.stdout, /pass on the shipped reference solution, not on your code/);

    lab("start", "01");
    writeOwnSolution("01");
    const own = check("01");
    assert.equal(own.status, 0, own.stdout + own.stderr);
    assert.match(own.stdout, /lab 01 is done, with your code/);
    assert.match(repo.run("src/cli/progress.ts", []).stdout, /lab 01 .*✔ 8\/8 pass on your code/);
  });

  test("lab 02: the starter lacks the span tree, the error status and the subprocess parenting; the reference passes", () => {
    lab("start", "02");
    const s = check("02");
    assert.equal(s.status, 1, s.stdout + s.stderr);
    assert.deepEqual(marks(s.stdout), ["✘", "✘", "✔", "✘"], s.stdout);
    assert.match(s.stdout, /buildStageSpans does not create the stage spans/);
    assert.match(s.stdout, /did not get TRACEPARENT/);
    lab("solution", "02");
    const ok = check("02");
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.deepEqual(marks(ok.stdout), ["✔", "✔", "✔", "✔"]);
  });

  test("lab 03: a fresh clone's committed run is not the learner's; the starter prices nothing; a run made after the start counts", () => {
    const fresh = check("03");
    assert.equal(fresh.status, 1, fresh.stdout + fresh.stderr);
    assert.deepEqual(marks(fresh.stdout), ["✔", "✔", "✔", "✘"], fresh.stdout);
    assert.match(fresh.stdout, /you have not started lab 03 from its starter/);
    assert.match(fresh.stdout, /they measure the reference code, not yours/);
    assert.match(repo.run("src/cli/progress.ts", []).stdout, /lab 03 .*reference: 3\/4 pass on the shipped reference/);

    lab("start", "03");
    const s = check("03");
    assert.equal(s.status, 1, s.stdout + s.stderr);
    assert.deepEqual(marks(s.stdout), ["✘", "✘", "✘", "✘"], s.stdout);
    assert.match(s.stdout, /before you started lab 03/);

    writeOwnSolution("03");
    // A run recorded after the start: the committed run's files under a new run id and start time.
    const runs = join(repo.root, "experiments", "34-load-test");
    const committed = spawnSync("ls", [runs], { encoding: "utf8" }).stdout.trim().split("\n")[0]!;
    const now = Date.now();
    const id = `${new Date(now).toISOString().slice(0, 16).replace(/[-:]/g, "")}Z-100rps`;
    cpSync(join(runs, committed), join(runs, id), { recursive: true });
    const results = JSON.parse(readFileSync(join(runs, id, "results.json"), "utf8"));
    writeFileSync(join(runs, id, "results.json"), JSON.stringify({ ...results, runId: id, startedAtMs: now, endedAtMs: now + 300_000, client: { ...results.client, startedAtMs: now, endedAtMs: now + 300_000 } }));
    const uncommitted = check("03");
    assert.match(uncommitted.stdout, new RegExp(`${id}: it is not committed`), uncommitted.stdout);
    spawnSync("git", ["add", "-A", "experiments"], { cwd: repo.root });
    spawnSync("git", ["-c", "user.name=t", "-c", "user.email=t@localhost", "commit", "-qm", "my run"], { cwd: repo.root });
    const ok = check("03");
    assert.equal(ok.status, 0, ok.stdout + ok.stderr);
    assert.match(ok.stdout, new RegExp(`${id}: 150 RPS for 300 s`));
    assert.match(ok.stdout, /lab 03 is done, with your code/);
    rmSync(join(runs, id), { recursive: true, force: true });
  });

  test("--only checks the named conditions; an unknown one is a usage error naming the lab's conditions", () => {
    const one = repo.run("src/cli/check-lab.ts", ["03", ...args, "--only", "identity"]);
    assert.equal(marks(one.stdout).length, 1, one.stdout + one.stderr);
    assert.match(one.stdout, /selected stop conditions pass/);
    const bad = repo.run("src/cli/check-lab.ts", ["03", ...args, "--only", "speed"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /MSV_ERR_LAB_USAGE.*no stop condition 03\.speed; its conditions are apportioning, identity, histograms, load-run/);
  });

  test("the lab switcher backs up the learner's edits and reports each lab's state", () => {
    const st = repo.run("src/cli/lab.ts", ["status"]);
    assert.equal(st.status, 0, st.stderr);
    assert.match(st.stdout, /01 {2}Instrument the server +yours +8\/8 ✔ \(.*, yours\)/);
    assert.match(st.stdout, /02 {2}Tracing end to end +reference +4\/4 \(.*, reference\)/);
    assert.match(st.stdout, /latest backup: \.lab-backups\//);
    const bad = repo.run("src/cli/lab.ts", ["start", "07"]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /MSV_ERR_LAB_USAGE/);
    assert.doesNotMatch(bad.stderr, /at .*\.ts:\d+/);
  });
});
