// The labs use only a Prometheus that scrapes this miniserve: a foreign one on the port (another project's,
// a stale one) is detected through /api/v1/targets and replaced by the workbook's own on a free port, which
// stops again; one that scrapes this server is reused; without the binary the message says what to do.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { prometheusForLab, scrapesMiniserve } from "../../src/stack/index.ts";
import { commandLineOf, waitReady } from "../../src/stack/probe.ts";
import { stackDown } from "../../src/stack/stack.ts";
import { freePort, tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";

const tool = requireTool("prometheus");
const data = tempDir("lab-prometheus");
/** The port the repository's target file names (infra/prometheus/targets/miniserve.json); nothing listens there in these tests. */
const REPO_TARGET_PORT = 8000;
const foreign: ChildProcess[] = [];

after(async () => {
  for (const p of foreign) p.kill("SIGKILL");
  for (const own of ["own", "reuse-own", "nb-own"]) await stackDown({ mode: "native", dataDir: join(data.dir, own) }).catch(() => {});
  data.cleanup();
});

/** Another project's Prometheus: its own config, with or without a job "miniserve" at `miniservePort`. */
async function startForeign(name: string, miniservePort: number | null): Promise<number> {
  const dir = join(data.dir, name);
  mkdirSync(dir, { recursive: true });
  const job = miniservePort === null
    ? "  - job_name: shop\n    static_configs:\n      - targets: ['127.0.0.1:9']\n"
    : `  - job_name: miniserve\n    static_configs:\n      - targets: ['127.0.0.1:${miniservePort}']\n`;
  writeFileSync(join(dir, "prometheus.yml"), `global:\n  scrape_interval: 5s\nscrape_configs:\n${job}`);
  const port = await freePort();
  const child = spawn(tool.path!, [`--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "tsdb")}`, `--web.listen-address=127.0.0.1:${port}`], { stdio: "ignore" });
  foreign.push(child);
  assert.equal((await waitReady(`http://127.0.0.1:${port}/-/ready`, 30_000)).ok, true, "the foreign Prometheus started");
  // Like one that has been running a while: its targets are discovered (a fresh one publishes them within 5 s).
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const body = (await (await fetch(`http://127.0.0.1:${port}/api/v1/targets`)).json()) as { data: { activeTargets: unknown[] } };
    if (body.data.activeTargets.length > 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  return port;
}

test("scrapesMiniserve tells a Prometheus that scrapes this port from one that scrapes another or no miniserve", { skip: tool.skip, timeout: 60_000 }, async () => {
  const [other, right, none] = await Promise.all([startForeign("other-port", 18123), startForeign("right-port", REPO_TARGET_PORT), startForeign("no-job", null)]);
  const wrong = await scrapesMiniserve(`http://127.0.0.1:${other}`, REPO_TARGET_PORT);
  assert.deepEqual(wrong, { ok: false, detail: `its job "miniserve" scrapes http://127.0.0.1:18123/metrics, not port ${REPO_TARGET_PORT}` });
  assert.deepEqual(await scrapesMiniserve(`http://127.0.0.1:${right}`, REPO_TARGET_PORT), { ok: true, detail: `it scrapes http://127.0.0.1:${REPO_TARGET_PORT}/metrics` });
  assert.match((await scrapesMiniserve(`http://127.0.0.1:${none}`, REPO_TARGET_PORT, 500)).detail, /has no job "miniserve"/);
  assert.match((await scrapesMiniserve(`http://127.0.0.1:${await freePort()}`, REPO_TARGET_PORT, 0)).detail, /did not answer/);
});

test("a foreign Prometheus on the port is not used: the workbook starts its own on a free port and stops it", { skip: tool.skip, timeout: 90_000 }, async () => {
  const port = await startForeign("foreign", null);
  const stack = { mode: "native" as const, prometheusPort: port, dataDir: join(data.dir, "own") };
  const said: string[] = [];
  const found = await prometheusForLab({ stack, miniservePort: REPO_TARGET_PORT, say: (l) => said.push(l) });
  assert.ok(!("missing" in found), JSON.stringify(found));
  assert.equal(found.startedHere, true);
  assert.notEqual(found.url, `http://127.0.0.1:${port}`, "the foreign Prometheus is not the one used");
  assert.match(found.note, new RegExp(`a Prometheus on http://127\\.0\\.0\\.1:${port} does not scrape this server \\(it has no job "miniserve"`));
  assert.match(found.note, /started Prometheus at http:\/\/127\.0\.0\.1:\d+ \(native mode\); it scrapes http:\/\/127\.0\.0\.1:8000\/metrics/);
  assert.match(said.join("\n"), /starting Prometheus \(native mode\)/);
  assert.equal((await scrapesMiniserve(found.url, REPO_TARGET_PORT)).ok, true);

  // A second lab step in the same session reuses the workbook's own, and leaves stopping it to the first.
  const again = await prometheusForLab({ stack, miniservePort: REPO_TARGET_PORT });
  assert.ok(!("missing" in again));
  assert.equal(again.url, found.url);
  assert.equal(again.startedHere, false);
  assert.match(again.note, /started by this workbook/);

  const ownPid = JSON.parse((await import("node:fs")).readFileSync(join(data.dir, "own", "prometheus.pid.json"), "utf8")).pid as number;
  assert.match(String(await found.stop()), /stopped native Prometheus/);
  assert.equal(commandLineOf(ownPid), null, "the workbook's own Prometheus stopped");
  assert.equal((await waitReady(`http://127.0.0.1:${port}/-/ready`, 2000)).ok, true, "the foreign one is left alone");
});

test("a Prometheus that scrapes this server is reused and never stopped by the lab", { skip: tool.skip, timeout: 60_000 }, async () => {
  const port = await startForeign("reuse", REPO_TARGET_PORT);
  const found = await prometheusForLab({ stack: { mode: "native", prometheusPort: port, dataDir: join(data.dir, "reuse-own") }, miniservePort: REPO_TARGET_PORT });
  assert.ok(!("missing" in found), JSON.stringify(found));
  assert.equal(found.startedHere, false);
  assert.equal(found.url, `http://127.0.0.1:${port}`);
  assert.match(found.note, /already running .* it scrapes http:\/\/127\.0\.0\.1:8000\/metrics/);
  assert.equal(await found.stop(), null);
});

test("a foreign Prometheus and no prometheus binary: the message says exactly what to do", { skip: tool.skip, timeout: 60_000 }, async () => {
  const port = await startForeign("no-binary", 18124);
  const emptyPath = join(data.dir, "empty-bin");
  mkdirSync(emptyPath, { recursive: true });
  const found = await prometheusForLab({ stack: { mode: "native", prometheusPort: port, dataDir: join(data.dir, "nb-own"), env: { PATH: emptyPath } }, miniservePort: REPO_TARGET_PORT });
  assert.ok("missing" in found, JSON.stringify(found));
  assert.match(found.missing, new RegExp(`a Prometheus on http://127\\.0\\.0\\.1:${port} does not scrape this server \\(its job "miniserve" scrapes http://127\\.0\\.0\\.1:18124/metrics, not port 8000\\)`));
  assert.match(found.missing, /stop it, or install Prometheus \(/);
});
