// The viewer end to end in real headless Chromium: a real instrumented miniserve scraped every second
// by a real native Prometheus, ~10 s of real requests, then every panel must draw a chart within 60 s
// of the first request and a trace must show its stage waterfall. render-dashboard runs on the same data.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { chromium } from "playwright-core";
import type { Browser, Page } from "playwright-core";
import { readDashboard } from "../../src/dashboard/index.ts";
import { pngSize } from "../../src/render/chart-png.ts";
import { startViewer } from "../../src/viewer/server.ts";
import type { Viewer } from "../../src/viewer/server.ts";
import { tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";
import { sendLoad, startLiveStack } from "./live-stack.ts";
import type { LiveStack } from "./live-stack.ts";

const CHROMIUM = "/usr/bin/chromium";
const prom = requireTool("prometheus");
// requireTool looks names up on PATH; Debian's package installs /usr/bin/chromium.
const browserTool = requireTool("chromium", "Debian/Ubuntu: sudo apt-get install chromium");
const skip = prom.skip || browserTool.skip;
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const data = tempDir("viewer-e2e");
let stack: LiveStack | null = null;
let viewer: Viewer | null = null;
let browser: Browser | null = null;
let firstRequestAt = 0;

before(async () => {
  if (skip) return;
  stack = await startLiveStack(data.dir, prom.path!);
  viewer = await startViewer({ host: "127.0.0.1", port: 0, prometheusUrl: stack.prometheusUrl, traceDir: stack.traceDir, refreshSeconds: 2 });
  // launch() gives Chromium a fresh temporary profile of its own (it refuses --user-data-dir).
  browser = await chromium.launch({ executablePath: browserTool.path ?? CHROMIUM, args: FLAGS, timeout: 30_000 });
  firstRequestAt = Date.now();
  const load = await sendLoad(stack.miniserveUrl, 10);
  assert.ok(load.ok > 20, `only ${load.ok} requests succeeded:\n${stack.logs()}`);
});

after(async () => {
  await browser?.close().catch(() => {});
  await viewer?.close();
  await stack?.stop();
  data.cleanup();
});

async function panelStates(page: Page): Promise<{ title: string; state: string; chart: boolean }[]> {
  return page.$$eval(".panel", (els) => els.map((el) => ({
    title: el.querySelector("h3")?.textContent ?? el.getAttribute("data-panel-id") ?? "",
    state: el.getAttribute("data-state") ?? "",
    chart: el.querySelector(".chart svg path") !== null,
  })));
}

test("every panel of llm.json draws a chart within 60 s of the first request", { skip, timeout: 120_000 }, async () => {
  const page = await browser!.newPage({ viewport: { width: 1600, height: 1200 } });
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(err.message));
  await page.goto(viewer!.url, { timeout: 30_000 });
  assert.equal(await page.textContent("h1"), "lynx-cortex LLM serving");
  const deadline = firstRequestAt + 60_000;
  let states = await panelStates(page);
  while (Date.now() < deadline && (states.length === 0 || states.some((s) => !s.chart))) {
    await page.waitForTimeout(1000);
    states = await panelStates(page);
  }
  const missing = states.filter((s) => !s.chart);
  assert.ok(states.length >= 27, `expected every llm.json panel, got ${states.length}`);
  assert.deepEqual(missing, [], `panels without a chart ${Math.round((Date.now() - firstRequestAt) / 1000)} s after the first request:\n${stack!.logs()}`);
  assert.ok(states.every((s) => s.state === "ok" || s.state === "traces"));
  const rows = await page.$$eval(".row h2", (els) => els.map((e) => e.textContent));
  assert.equal(rows.length, 5);
  assert.match(rows[0] ?? "", /RED/);
  assert.equal(await page.isHidden("#banner"), true);
  // The range selector re-queries: the 60-minute range still draws every panel.
  await page.selectOption("#range", "60");
  // A string predicate: it runs in the page, and the test's tsconfig has no DOM types.
  await page.waitForFunction("/updated/.test(document.getElementById('status')?.textContent ?? '')", null, { timeout: 15_000 });
  assert.deepEqual(errors, []);
  await page.close();
});

test("a trace opens as a waterfall with every stage span, its attributes and the orphan count", { skip, timeout: 60_000 }, async () => {
  const page = await browser!.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(`${viewer!.url}/#traces`, { timeout: 30_000 });
  await page.waitForSelector("#trace-table tr[data-trace-id]", { timeout: 20_000 });
  // Find a request that asked for retrieval through the API, then open it the way a reader would.
  const list = (await (await fetch(`${viewer!.url}/api/traces?limit=1000`)).json()) as { traces: { traceId: string; spanCount: number }[] };
  const withRetrieval = list.traces.find((t) => t.spanCount >= 8);
  assert.ok(withRetrieval, "no trace with retrieval in the export");
  await page.goto(`${viewer!.url}/#trace/${withRetrieval.traceId}`);
  await page.waitForSelector("#waterfall svg path", { state: "attached", timeout: 15_000 });
  const spans = await page.$$eval("#span-table tr[data-span]", (els) => els.map((e) => e.getAttribute("data-span")));
  for (const stage of ["tokenize", "retrieve", "queue", "prefill", "decode", "respond"]) assert.ok(spans.includes(stage), `${stage} missing: ${spans.join(", ")}`);
  assert.match(await page.textContent("#orphans") ?? "", /orphan spans in this trace: 0/);
  assert.match(await page.textContent("#span-table") ?? "", /cost\.eur=/);
  // The status filter: only ok traces remain when "ok" is chosen.
  await page.goto(`${viewer!.url}/#traces`);
  await page.selectOption("#trace-status", "ok");
  await page.waitForSelector("#trace-table tr.ok", { timeout: 10_000 });
  assert.equal(await page.$$eval("#trace-table tr.error", (els) => els.length), 0);
  await page.close();
});

test("npm run render-dashboard writes a PNG of the same panels", { skip, timeout: 60_000 }, () => {
  const out = join(data.dir, "dashboard.png");
  const res = spawnSync(process.execPath, ["--import", "tsx", "src/cli/render-dashboard.ts", "--out", out, "--prometheus", stack!.prometheusUrl, "--minutes", "5", "--trace-dir", stack!.traceDir], { encoding: "utf8", timeout: 50_000 });
  assert.equal(res.status, 0, res.stderr);
  // Every Prometheus panel: counters that have not moved yet exist at 0, so none is empty.
  const prometheusPanels = readDashboard().filter((p) => p.datasource === "prometheus").length;
  assert.match(res.stdout, new RegExp(`: ${prometheusPanels} panels with data, 0 without, 0 failed`));
  assert.ok(existsSync(out));
  const size = pngSize(readFileSync(out));
  assert.equal(size.width, 1600);
  assert.ok(size.height > 2000, `height ${size.height}`);
});

test("with Prometheus unreachable the page shows a banner, not a broken page", { skip, timeout: 60_000 }, async () => {
  const down = await startViewer({ host: "127.0.0.1", port: 0, prometheusUrl: "http://127.0.0.1:9", traceDir: stack!.traceDir });
  try {
    const page = await browser!.newPage();
    await page.goto(down.url, { timeout: 30_000 });
    await page.waitForSelector("#banner:not([hidden])", { timeout: 15_000 });
    assert.match(await page.textContent("#banner") ?? "", /does not answer/);
    assert.ok((await page.$$(".panel")).length >= 27, "panels are still laid out");
    await page.close();
  } finally {
    await down.close();
  }
});
