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

test("npm start brings everything up, prints the URLs, and Ctrl-C stops what it started", { skip: prom.skip, timeout: 180_000 }, async () => {
  const [port, viewerPort, promPort] = [await freePort(), await freePort(), await freePort()];
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/start.ts"], {
    env: {
      ...process.env, PORT: String(port), VIEWER_PORT: String(viewerPort), PROMETHEUS_PORT: String(promPort),
      MINISERVE_STACK_MODE: "native", MINISERVE_STACK_DATA_DIR: data.dir, MINISERVE_TRACE_DIR: join(data.dir, "traces"), OTEL_EXPORTER_OTLP_ENDPOINT: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b));
  child.stderr.on("data", (b: Buffer) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 120_000;
    while (!out.includes("Press Ctrl-C") && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.match(out, /Press Ctrl-C/, out);
    assert.match(out, new RegExp(`viewer\\s+http://127\\.0\\.0\\.1:${viewerPort}`));
    assert.match(out, new RegExp(`Prometheus\\s+http://127\\.0\\.0\\.1:${promPort}`));
    assert.match(out, new RegExp(`miniserve\\s+http://127\\.0\\.0\\.1:${port}`));
    assert.match(out, /finish_reason=/, "the streamed demo request ran");
    assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${viewerPort}/health`)).status, 200);
    assert.equal((await fetch(`http://127.0.0.1:${promPort}/-/ready`)).status, 200);
    const record = JSON.parse(readFileSync(join(data.dir, "prometheus.pid.json"), "utf8")) as { pid: number };
    assert.ok(commandLineOf(record.pid)?.includes("prometheus"));

    const stopStarted = Date.now();
    child.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 40_000))]);
    assert.equal(code, 0, `exit ${code} after SIGINT:\n${out.slice(-2000)}`);
    assert.ok(Date.now() - stopStarted < 40_000);
    assert.match(out, new RegExp(`stopped Prometheus \\(pid ${record.pid}\\)`));
    assert.equal(commandLineOf(record.pid), null, "the Prometheus npm start started is gone");
    assert.equal(existsSync(join(data.dir, "prometheus.pid.json")), false);
    await assert.rejects(fetch(`http://127.0.0.1:${viewerPort}/health`, { signal: AbortSignal.timeout(2000) }), "the viewer is gone");
    await assert.rejects(fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(2000) }), "miniserve is gone");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});

test("npm start leaves a Prometheus it found running alone", { skip: prom.skip, timeout: 180_000 }, async () => {
  const { stackDown, stackUp } = await import("../../src/stack/stack.ts");
  const dir = join(data.dir, "preexisting");
  const [port, viewerPort, promPort] = [await freePort(), await freePort(), await freePort()];
  await stackUp({ mode: "native", prometheusPort: promPort, dataDir: dir, readyTimeoutMs: 30_000 });
  const record = JSON.parse(readFileSync(join(dir, "prometheus.pid.json"), "utf8")) as { pid: number };
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/start.ts"], {
    env: { ...process.env, PORT: String(port), VIEWER_PORT: String(viewerPort), PROMETHEUS_PORT: String(promPort), MINISERVE_STACK_MODE: "native", MINISERVE_STACK_DATA_DIR: dir, MINISERVE_TRACE_DIR: join(dir, "traces") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b));
  child.stderr.on("data", (b: Buffer) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 120_000;
    while (!out.includes("Press Ctrl-C") && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.match(out, /was already running; it stays up/, out);
    child.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 40_000))]);
    assert.equal(code, 0, out.slice(-2000));
    assert.ok(commandLineOf(record.pid)?.includes("prometheus"), "the pre-existing Prometheus still runs");
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
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
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/start.ts"], {
    // A PATH with neither docker nor prometheus on it; node itself is started by absolute path.
    env: { ...process.env, PATH: join(data.dir, "empty-bin"), PORT: String(port), VIEWER_PORT: String(viewerPort), PROMETHEUS_PORT: String(promPort), MINISERVE_STACK_DATA_DIR: join(data.dir, "none"), MINISERVE_TRACE_DIR: join(data.dir, "none", "traces") },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (b: Buffer) => (out += b));
  child.stderr.on("data", (b: Buffer) => (out += b));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  try {
    const deadline = Date.now() + 120_000;
    while (!out.includes("Press Ctrl-C") && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.match(out, /Prometheus is not installed.*Install it with: (sudo apt-get install prometheus|brew install prometheus|download)/, out);
    assert.equal((await fetch(`http://127.0.0.1:${port}/ready`)).status, 200);
    const dash = (await (await fetch(`http://127.0.0.1:${viewerPort}/api/dashboard?minutes=5`)).json()) as { prometheusError: string | null };
    assert.match(dash.prometheusError ?? "", /does not answer/, "the viewer's banner text");
    child.kill("SIGINT");
    const code = await Promise.race([exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 40_000))]);
    assert.equal(code, 0, out.slice(-2000));
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
  }
});
