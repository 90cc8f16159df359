// PNG output without a browser: the generic line and bar charts notebooks use, one panel, the whole
// dashboard (here with Prometheus down), and the CLI's usage errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  barChartOption, barChartPng, lineChartOption, lineChartPng, messageOption, panelOption, pngSize, renderDashboardPng, renderPanelPng, svgOf,
  tracesPanelOption,
} from "../../src/render/index.ts";
import type { EChartsOption } from "echarts";
import type { PanelData } from "../../src/viewer/panel-data.ts";
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

/** Advance width of text in DejaVu Sans, in em, from its character classes (within a few % of the font's metrics). */
function emWidth(text: string): number {
  let em = 0;
  for (const c of text) {
    if (" .,:;'|!ilj()[]/".includes(c)) em += 0.34;
    else if ("mwMW%".includes(c)) em += 0.95;
    else if (/[A-Z]/.test(c)) em += 0.72;
    else em += 0.62;
  }
  return em;
}

/** Every text of a rendered SVG that reaches outside the chart (widths in DejaVu Sans, the renderer's font). */
function clippedTexts(option: EChartsOption, width: number, height: number): string[] {
  const svg = svgOf(option, width, height);
  const out: string[] = [];
  for (const m of svg.matchAll(/<text([^>]*)>([^<]*)<\/text>/g)) {
    const attrs = m[1]!;
    const text = m[2]!.replace(/&#(\d+);/g, (_, c: string) => String.fromCharCode(Number(c))).replace(/&amp;/g, "&");
    const at = attrs.match(/translate\(([-\d.]+)[ ,]([-\d.]+)\)/);
    if (!at || !text.trim()) continue;
    const size = Number(attrs.match(/font-size:(\d+(?:\.\d+)?)px/)?.[1] ?? 12);
    const anchor = attrs.match(/text-anchor="(\w+)"/)?.[1] ?? "start";
    const x = Number(at[1]) + Number(attrs.match(/\sx="([-\d.]+)"/)?.[1] ?? 0);
    const y = Number(at[2]) + Number(attrs.match(/\sy="([-\d.]+)"/)?.[1] ?? 0);
    const w = emWidth(text) * size;
    const left = anchor === "end" ? x - w : anchor === "middle" ? x - w / 2 : x;
    if (left < -1 || left + w > width + 1 || y < 0 || y > height) out.push(`"${text}" at x ${left.toFixed(0)}–${(left + w).toFixed(0)}, y ${y.toFixed(0)}`);
  }
  return out;
}

test("no axis label or axis name is clipped: histogram buckets, a unit on y, two y axes", () => {
  const les = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "20", "30", "60", "120", "+Inf"];
  const histogram = barChartOption({ categories: les.map((le) => `≤ ${le}`), series: [{ name: "observations", values: les.map((_, i) => (i < 3 ? 10 - i : 0)) }] },
    { title: "request_duration_seconds: requests per bucket", xName: "bucket (upper bound)" });
  assert.deepEqual(clippedTexts(histogram, 820, 320), []);
  const cost = barChartOption({ categories: ["retrieval", "prefill", "decode"], series: [{ name: "€ over the run", values: [1.2e-6, 3.45e-5, 1.23e-4] }] }, { title: "cost by stage", unit: "currencyEUR" });
  assert.deepEqual(clippedTexts(cost, 820, 300), []);
  const timeline = lineChartOption([
    { name: "answers/s (ok)", points: Array.from({ length: 60 }, (_, i) => [i, 40 + (i % 7)] as const) },
    { name: "p95 latency (s, right axis)", axis: "right", points: Array.from({ length: 60 }, (_, i) => [i, 0.12 + (i % 5) / 100] as const) },
  ], { title: "load test", xName: "second of the run", yName: "answers/s", y2Name: "p95 (s)" });
  assert.deepEqual(clippedTexts(timeline, 820, 340), []);
  // The p95 series is drawn against its own axis, not flattened at the bottom of the answers/s scale.
  assert.equal((timeline.yAxis as unknown[]).length, 2);
  // The check itself sees the old layout's clipping: containLabel left an end-placed axis name outside.
  const old = { ...histogram, grid: { left: 16, right: 24, top: 44, bottom: 36, containLabel: true }, xAxis: { type: "category", data: les, name: "bucket (upper bound)" } } as EChartsOption;
  assert.match(clippedTexts(old, 820, 320).join("\n"), /"bucket \(upper bound\)" at x \d+–\d+/);
});

test("a long reason is wrapped inside the panel instead of running off its edges", () => {
  const why = "only 1 point: rate() over 20s needs two scrapes (every 5 s) after a series first appears, and Prometheus scraped miniserve 2 times in this range.";
  assert.deepEqual(clippedTexts(messageOption("Request rate by endpoint", `no data: ${why}`, 450), 450, 250), []);
  const sparse: PanelData = {
    id: 1, title: "Request rate by endpoint", row: "r", kind: "timeseries", unit: "reqps", description: "", gridPos: { x: 0, y: 0, w: 8, h: 8 },
    state: "ok", why, queries: [], series: [{ name: "x", labels: {}, points: [[1_700_000_000_000, 0], [1_700_000_005_000, 2]] }],
  };
  const option = panelOption(sparse, undefined, 450)!;
  assert.match(JSON.stringify(option.graphic), /rate\(\) over 20s needs two scrapes/, "the sparse chart says why over itself");
  assert.deepEqual(clippedTexts(option, 450, 250), []);
});

test("the Tempo panel drawn from the local export is titled for what it shows", () => {
  const panel: PanelData = {
    id: 403, title: "Slow traces (over 1 s) from miniserve", row: "trace", kind: "table", unit: "none", description: "", gridPos: { x: 0, y: 0, w: 16, h: 9 },
    state: "traces", queries: ['{resource.service.name="miniserve" && duration > 1s}'], series: [],
  };
  const trace = (id: string, durationMs: number) => ({ traceId: id.padEnd(32, "0"), rootName: "POST /v1/completions", startMs: 0, durationMs, spanCount: 9, error: false, costEur: null, status: "ok" as const, service: "miniserve" });
  const fast = tracesPanelOption(panel, [trace("a", 264), trace("b", 28)]);
  const title = (o: EChartsOption) => (o.title as { text: string }).text;
  assert.equal(title(fast), "Slowest traces: none over 1 s in the local span export");
  const slow = tracesPanelOption(panel, [trace("c", 1800), trace("a", 264)]);
  assert.equal(title(slow), "Slow traces (over 1 s) from miniserve — local span export");
  assert.deepEqual(((slow.yAxis as { data: string[] }).data), ["c0000000 POST /v1/completions"], "only the trace over 1 s is listed");
});
