// `npm start` end to end in a child process on free ports with a temp data dir: it prints the URLs,
// miniserve, the viewer and Prometheus answer, and SIGINT stops everything it started, exit 0.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { commandLineOf } from "../../src/stack/probe.ts";
import { freePort, tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";

const prom = requireTool("prometheus");
const data = tempDir("npm-start");
after(() => data.cleanup());

/** `npm start` as a child process, with everything it prints gathered in `output()`. */
function npmStart(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/start.ts"], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b));
  child.stderr.on("data", (b: Buffer) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    output: () => out,
    /** Wait (up to 2 minutes) until it says everything is up, or exits. */
    async ready(): Promise<void> {
      const deadline = Date.now() + 120_000;
      while (!out.includes("Press Ctrl-C") && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    },
    /** Ctrl-C, then its exit code, or "timeout" after 40 s. */
    interrupt(): Promise<number | null | "timeout"> {
      child.kill("SIGINT");
      return Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 40_000))]);
    },
    /** Closes the read end of its stdout, as a `| tee` killed by the same Ctrl-C or a `| head` does. */
    closeStdout(): void {
      child.stdout.destroy();
    },
    /** Its exit code once it exits by itself, or "timeout" after `ms`. */
    exit(ms: number): Promise<number | null | "timeout"> {
      return Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), ms))]);
    },
    kill(): void {
      if (child.exitCode === null) child.kill("SIGKILL");
    },
  };
}

/** Environment for one run on free ports, native Prometheus in `dir`. */
async function runEnv(dir: string) {
  const [port, viewerPort, promPort] = [await freePort(), await freePort(), await freePort()];
  const env = {
    PORT: String(port), VIEWER_PORT: String(viewerPort), PROMETHEUS_PORT: String(promPort), MINISERVE_STACK_MODE: "native",
    MINISERVE_STACK_DATA_DIR: dir, MINISERVE_TRACE_DIR: join(dir, "traces"), OTEL_EXPORTER_OTLP_ENDPOINT: "",
  };
  return { env, port, viewerPort, promPort };
}

/** Nothing `npm start` started still answers, no Prometheus uses its data dir, and the pid file is gone. */
async function assertAllStopped(dir: string, ports: { port: number; viewerPort: number; promPort: number }): Promise<void> {
  const ps = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" }).stdout;
  const left = ps.split("\n").filter((l) => l.includes("prometheus") && l.includes(`--storage.tsdb.path=${join(dir, "prometheus")}`));
  assert.deepEqual(left, [], "the Prometheus npm start started is still running");
  assert.equal(existsSync(join(dir, "prometheus.pid.json")), false);
  for (const url of [`http://127.0.0.1:${ports.promPort}/-/ready`, `http://127.0.0.1:${ports.viewerPort}/health`, `http://127.0.0.1:${ports.port}/health`]) {
    await assert.rejects(fetch(url, { signal: AbortSignal.timeout(2000) }), `${url} still answers`);
  }
}

test("npm start brings everything up, prints the URLs, and Ctrl-C stops what it started", { skip: prom.skip, timeout: 180_000 }, async () => {
  const [port, viewerPort, promPort] = [await freePort(), await freePort(), await freePort()];
  const app = npmStart({
    PORT: String(port), VIEWER_PORT: String(viewerPort), PROMETHEUS_PORT: String(promPort),
    MINISERVE_STACK_MODE: "native", MINISERVE_STACK_DATA_DIR: data.dir, MINISERVE_TRACE_DIR: join(data.dir, "traces"), OTEL_EXPORTER_OTLP_ENDPOINT: "",
  });
  try {
    await app.ready();
    assert.match(app.output(), /Press Ctrl-C/, app.output());
    assert.match(app.output(), new RegExp(`viewer\\s+http://127\\.0\\.0\\.1:${viewerPort}`));
    assert.match(app.output(), new RegExp(`Prometheus\\s+http://127\\.0\\.0\\.1:${promPort}`));
    assert.match(app.output(), new RegExp(`miniserve\\s+http://127\\.0\\.0\\.1:${port}`));
    assert.match(app.output(), /finish_reason=/, "the streamed demo request ran");
    assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${viewerPort}/health`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${promPort}/-/ready`)).status, 200);
    const record = JSON.parse(readFileSync(join(data.dir, "prometheus.pid.json"), "utf8")) as { pid: number };
    assert.ok(commandLineOf(record.pid)?.includes("prometheus"));

    const stopStarted = Date.now();
    const code = await app.interrupt();
    assert.equal(code, 0, `exit ${code} after SIGINT:\n${app.output().slice(-2000)}`);
    assert.ok(Date.now() - stopStarted < 40_000);
    assert.match(app.output(), new RegExp(`stopped Prometheus \\(pid ${record.pid}\\)`));
    assert.equal(commandLineOf(record.pid), null, "the Prometheus npm start started is gone");
    assert.equal(existsSync(join(data.dir, "prometheus.pid.json")), false);
    await assert.rejects(fetch(`http://127.0.0.1:${viewerPort}/health`, { signal: AbortSignal.timeout(2000) }), "the viewer is gone");
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }), "miniserve is gone");
  } finally {
    app.kill();
  }
});

test("npm start | tee, then Ctrl-C: the closed stdout does not stop the cleanup", { skip: prom.skip, timeout: 180_000 }, async () => {
  const dir = join(data.dir, "tee");
  const run = await runEnv(dir);
  const app = npmStart(run.env);
  try {
    await app.ready();
    assert.match(app.output(), /Press Ctrl-C/, app.output());
    // The terminal's Ctrl-C kills tee as well: npm start's "Stopping…" lines hit a closed pipe (EPIPE).
    app.closeStdout();
    const code = await app.interrupt();
    assert.equal(code, 0, `exit ${code} after SIGINT with stdout closed:\n${app.output().slice(-2000)}`);
    await assertAllStopped(dir, run);
  } finally {
    app.kill();
    await stackDownQuietly(dir);
  }
});

test("npm start | head: stdout closed during start-up, it stops what it started and exits by itself", { skip: prom.skip, timeout: 180_000 }, async () => {
  const dir = join(data.dir, "head");
  const run = await runEnv(dir);
  const app = npmStart(run.env);
  try {
    const deadline = Date.now() + 60_000;
    while (!app.output().includes("miniserve is listening") && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(app.output(), /miniserve is listening/, app.output());
    app.closeStdout();
    const code = await app.exit(90_000);
    assert.equal(code, 0, `exit ${code} after stdout closed:\n${app.output().slice(-2000)}`);
    assert.match(app.output(), /standard output closed \(EPIPE\): stopping what npm start started/);
    await assertAllStopped(dir, run);
  } finally {
    app.kill();
    await stackDownQuietly(dir);
  }
});

/** A failed run must not leave its Prometheus behind for the next test. */
async function stackDownQuietly(dir: string): Promise<void> {
  const { stackDown } = await import("../../src/stack/stack.ts");
  await stackDown({ mode: "native", dataDir: dir }).catch(() => {});
}

test("npm start leaves a Prometheus it found running alone", { skip: prom.skip, timeout: 180_000 }, async () => {
  const { stackDown, stackUp } = await import("../../src/stack/stack.ts");
  const dir = join(data.dir, "preexisting");
  const [port, viewerPort, promPort] = [await freePort(), await freePort(), await freePort()];
  await stackUp({ mode: "native", prometheusPort: promPort, dataDir: dir, readyTimeoutMs: 30_000 });
  const record = JSON.parse(readFileSync(join(dir, "prometheus.pid.json"), "utf8")) as { pid: number };
  const app = npmStart({ PORT: String(port), VIEWER_PORT: String(viewerPort), PROMETHEUS_PORT: String(promPort), MINISERVE_STACK_MODE: "native", MINISERVE_STACK_DATA_DIR: dir, MINISERVE_TRACE_DIR: join(dir, "traces") });
  try {
    await app.ready();
    assert.match(app.output(), /was already running; it stays up/, app.output());
    const code = await app.interrupt();
    assert.equal(code, 0, app.output().slice(-2000));
    assert.ok(commandLineOf(record.pid)?.includes("prometheus"), "the pre-existing Prometheus still runs");
  } finally {
    app.kill();
    await stackDown({ mode: "native", dataDir: dir });
  }
});

test("npm start: an unknown stack mode prints the usage and exits 2", () => {
  const res = spawnSync(process.execPath, ["--import", "tsx", "src/cli/start.ts", "--stack-mode", "kubernetes"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(res.status, 2);
  assert.match(res.stderr, /usage: npm start/);
  assert.match(res.stderr, /MSV_ERR_START_USAGE/);
});

test("without Prometheus, npm start still serves miniserve and the viewer and prints the install command", { timeout: 180_000 }, async () => {
  const [port, viewerPort, promPort] = [await freePort(), await freePort(), await freePort()];
  // A PATH with neither docker nor prometheus on it; node itself is started by absolute path.
  const app = npmStart({ PATH: join(data.dir, "empty-bin"), PORT: String(port), VIEWER_PORT: String(viewerPort), PROMETHEUS_PORT: String(promPort), MINISERVE_STACK_DATA_DIR: join(data.dir, "none"), MINISERVE_TRACE_DIR: join(data.dir, "none", "traces") });
  try {
    await app.ready();
    assert.match(app.output(), /Prometheus is not installed.*Install it with: (sudo apt-get install prometheus|brew install prometheus|download)/, app.output());
    assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
    const dash = (await (await fetch(`http://127.0.0.1:${viewerPort}/api/dashboard?minutes=5`)).json()) as { prometheusError: string | null };
    assert.match(dash.prometheusError ?? "", /does not answer/, "the viewer's banner text");
    const code = await app.interrupt();
    assert.equal(code, 0, app.output().slice(-2000));
  } finally {
    app.kill();
  }
});
