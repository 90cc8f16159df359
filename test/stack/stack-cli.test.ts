// Exercises `npm run stack` as a learner runs it (a child process): status without Prometheus,
// bad arguments, and up/status/down of the native path on a free port with a temp data dir.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { prometheusInstallHint } from "../../src/stack/modes.ts";
import { REPO_ROOT, nativePaths } from "../../src/stack/paths.ts";
import { commandLineOf } from "../../src/stack/probe.ts";
import { stackDown } from "../../src/stack/stack.ts";
import { freePort, tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";

const tool = requireTool("prometheus");
const data = tempDir("stack-cli");

after(async () => {
  await stackDown({ mode: "native", dataDir: data.dir });
  data.cleanup();
});

function runStack(args: string[], env: NodeJS.ProcessEnv = process.env): { code: number | null; out: string; err: string } {
  const res = spawnSync(process.execPath, ["--import", "tsx", "src/cli/stack.ts", ...args], {
    cwd: REPO_ROOT, env, encoding: "utf8", timeout: 60_000,
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

/** A PATH holding only node: no prometheus, no docker (node's own dir may well hold both). */
function pathWithOnlyNode(): string {
  const dir = join(data.dir, "only-node-bin");
  spawnSync("mkdir", ["-p", dir]);
  if (!existsSync(join(dir, "node"))) symlinkSync(process.execPath, join(dir, "node"));
  return dir;
}

test("status without Prometheus or Docker names the one install command", async () => {
  const env = { ...process.env, PATH: pathWithOnlyNode() };
  const port = await freePort();
  const { code, out } = runStack(["status", "--port", String(port), "--data-dir", join(data.dir, "absent")], env);
  assert.equal(code, 1, out);
  assert.match(out, /stack mode: native \(no Docker daemon answers `docker info`; prometheus is not on PATH\)/);
  assert.match(out, /prometheus\s+not installed/);
  assert.match(out, /grafana\s+not used\s+not used in native mode/);
  assert.match(out, /tempo\s+not used\s+not used in native mode/);
  assert.ok(out.trimEnd().endsWith(`fix: ${prometheusInstallHint()}`), out);
  const up = runStack(["up", "--port", String(port), "--data-dir", join(data.dir, "absent")], env);
  assert.equal(up.code, 1);
  assert.match(up.err, /^error MSV_ERR_STACK_NOT_INSTALLED: .*Install it with: /);
  assert.doesNotMatch(up.err, /\n\s+at /, "no stack trace");
});

test("bad arguments print the usage and exit 2 without a stack trace", () => {
  for (const args of [[], ["frobnicate"], ["up", "--port", "abc"], ["status", "--mode", "cloud"], ["up", "--bogus"], ["up", "down"]]) {
    const { code, err } = runStack(args);
    assert.equal(code, 2, `args ${args.join(" ")}`);
    assert.match(err, /usage: npm run stack -- <up\|down\|status>/);
    assert.doesNotMatch(err, /\n\s+at /);
  }
});

test("native up, status and down manage exactly one Prometheus", { skip: tool.skip }, async () => {
  const port = await freePort();
  const opts = ["--mode", "native", "--port", String(port), "--data-dir", data.dir];
  const up = runStack(["up", ...opts]);
  assert.equal(up.code, 0, up.out + up.err);
  assert.match(up.out, /stack mode: native/);
  assert.match(up.out, new RegExp(`prometheus\\s+ready\\s+http://127.0.0.1:${port}/-/ready`));
  const { pidFile, logFile } = nativePaths(data.dir);
  const record = JSON.parse(readFileSync(pidFile, "utf8")) as { pid: number };
  assert.ok(existsSync(logFile));
  assert.match(commandLineOf(record.pid) ?? "", /--enable-feature=exemplar-storage/);

  // The shared config, read natively, scrapes miniserve at 127.0.0.1:8000 every 5 s as job miniserve.
  // File discovery runs just after readiness, so poll briefly for the target to appear.
  let active: [string, string, string][] = [];
  for (let i = 0; i < 50 && active.length === 0; i++) {
    const body = (await (await fetch(`http://127.0.0.1:${port}/api/v1/targets?state=active`)).json()) as {
      data: { activeTargets: { labels: { job: string }; scrapeUrl: string; scrapeInterval: string }[] };
    };
    active = body.data.activeTargets.map((t) => [t.labels.job, t.scrapeUrl, t.scrapeInterval]);
    if (active.length === 0) await new Promise((r) => setTimeout(r, 200));
  }
  assert.deepEqual(active, [["miniserve", "http://127.0.0.1:8000/metrics", "5s"]]);

  const status = runStack(["status", ...opts]);
  assert.equal(status.code, 0, status.out);
  assert.match(status.out, new RegExp(`pid ${record.pid}`));

  const again = runStack(["up", ...opts]);
  assert.equal(again.code, 0);
  assert.equal((JSON.parse(readFileSync(pidFile, "utf8")) as { pid: number }).pid, record.pid, "up is idempotent");

  const down = runStack(["down", ...opts]);
  assert.equal(down.code, 0);
  assert.match(down.out, new RegExp(`stopped native Prometheus \\(pid ${record.pid}\\)`));
  assert.equal(commandLineOf(record.pid), null);
  assert.ok(!existsSync(pidFile));

  const after = runStack(["status", ...opts]);
  assert.equal(after.code, 1);
  assert.ok(after.out.includes(`fix: npm run stack -- up --mode native --port ${port} --data-dir ${data.dir}`), after.out);
});

test("down never kills a process it did not start, even when a pid file points at it", async () => {
  const decoy = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  try {
    const dir = join(data.dir, "decoy");
    spawnSync("mkdir", ["-p", dir]);
    const { pidFile, storage } = nativePaths(dir);
    writeFileSync(pidFile, JSON.stringify({ pid: decoy.pid, port: 1, binary: "prometheus", storage, logFile: "x" }));
    const down = runStack(["down", "--mode", "native", "--data-dir", dir]);
    assert.equal(down.code, 0);
    assert.match(down.out, /nothing to stop/);
    assert.notEqual(commandLineOf(decoy.pid as number), null, "the decoy is still alive");
    assert.ok(!existsSync(pidFile), "the stale pid file is removed");
  } finally {
    decoy.kill();
  }
});

test("up refuses a port another process already listens on", { skip: tool.skip }, async () => {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const port = (server.address() as { port: number }).port;
  try {
    const res = runStack(["up", "--mode", "native", "--port", String(port), "--data-dir", join(data.dir, "busy")]);
    assert.equal(res.code, 1);
    assert.match(res.err, /^error MSV_ERR_STACK_PORT_IN_USE: /);
  } finally {
    server.close();
  }
});
