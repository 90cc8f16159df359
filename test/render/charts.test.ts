// PNG output without a browser: the generic line and bar charts notebooks use, one panel, the whole
// dashboard (here with Prometheus down), and the CLI's usage errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { barChartPng, lineChartPng, pngSize, renderDashboardPng, renderPanelPng } from "../../src/render/index.ts";
import { freePort } from "../helpers/free-port.ts";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

test("lineChartPng and barChartPng give PNGs of the requested size", () => {
  const line = lineChartPng([{ name: "p95", points: [[1, 0.012], [2, 0.02], [4, 0.05], [8, null], [16, 0.4]] }], { title: "latency by concurrency", unit: "s", xName: "concurrency", width: 640, height: 320 });
  assert.ok(line.subarray(0, 8).equals(SIGNATURE));
  assert.deepEqual(pngSize(line), { width: 640, height: 320 });
  const bar = barChartPng({ categories: ["prefill", "decode", "retrieval"], series: [{ name: "EUR", values: [2e-6, 9e-6, 1e-7] }] }, { unit: "currencyEUR", horizontal: true });
  assert.deepEqual(pngSize(bar), { width: 800, height: 400 });
  assert.throws(() => pngSize(Buffer.from("not a png")));
});

test("one panel renders from loaded data, stat and time series alike", () => {
  const points = [[1_700_000_000_000, 0.5], [1_700_000_005_000, 0.75]] as const;
  const base = { id: 1, row: "r", description: "", gridPos: { x: 0, y: 0, w: 8, h: 8 }, queries: [], series: [{ name: "x", labels: {}, points }] };
  const ts = renderPanelPng({ ...base, title: "ratio", kind: "timeseries", unit: "percentunit", state: "ok" }, { width: 500, height: 250 });
  assert.deepEqual(pngSize(ts), { width: 500, height: 250 });
  const stat = renderPanelPng({ ...base, title: "sample ratio", kind: "stat", unit: "percentunit", state: "ok" });
  assert.deepEqual(pngSize(stat), { width: 640, height: 320 });
});

test("the dashboard still renders when Prometheus is down, and says so", async () => {
  const { png, data, width, height } = await renderDashboardPng({ prometheusUrl: `http://127.0.0.1:${await freePort()}`, minutes: 5, width: 1200 });
  assert.match(data.prometheusError ?? "", /does not answer/);
  assert.deepEqual(pngSize(png), { width, height });
  assert.equal(width, 1200);
});

test("render-dashboard: bad flags print the usage and exit 2; no Prometheus exits 1 with a code", async () => {
  const run = (...args: string[]) => spawnSync(process.execPath, ["--import", "tsx", "src/cli/render-dashboard.ts", ...args], { encoding: "utf8", timeout: 30_000 });
  const noOut = run();
  assert.equal(noOut.status, 2);
  assert.match(noOut.stderr, /usage: npm run render-dashboard/);
  assert.match(noOut.stderr, /MSV_ERR_VIEWER_USAGE: --out FILE is required/);
  assert.doesNotMatch(noOut.stderr, /\n\s+at /, "no stack trace");
  assert.equal(run("--out", "/tmp/x.png", "--minutes", "zero").status, 2);
  const down = run("--out", "/tmp/never-written.png", "--prometheus", `http://127.0.0.1:${await freePort()}`);
  assert.equal(down.status, 1);
  assert.match(down.stderr, /MSV_ERR_VIEWER_PROMETHEUS/);
});

test("viewer: an unknown flag prints the usage and exits 2", () => {
  const res = spawnSync(process.execPath, ["--import", "tsx", "src/cli/viewer.ts", "--colour", "blue"], { encoding: "utf8", timeout: 30_000 });
  assert.equal(res.status, 2);
  assert.match(res.stderr, /usage: npm run viewer/);
  assert.match(res.stderr, /MSV_ERR_VIEWER_USAGE/);
});
