// Draws the figures of the theory chapters (theory/img/*.png) and, with --measure, first records the
// real miniserve run some of them plot. Charts: ECharts rendered to SVG on the server side, turned
// into PNG by resvg. Diagrams: Graphviz sources in theory/img/*.dot, rendered with `dot -Tpng`.
//
//   npm run figures                 redraw every figure from theory/img/data/miniserve-run.json
//   npm run figures -- --measure    start a real miniserve in this process, send the documented
//                                   request mix, save what its log lines and traces say, then redraw
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import { parseArgs } from "node:util";
import * as echarts from "echarts";
import { Resvg } from "@resvg/resvg-js";
import {
  COST_PER_REQUEST_BUCKETS_EUR, GEN_AI_REQUEST_DURATION_BUCKETS, GEN_AI_TTFT_BUCKETS, LLM_LATENCY_BUCKETS, TTFT_BUCKETS,
} from "../src/observability/catalogue.ts";
import { cumulativeBuckets, histogramQuantile } from "../src/observability/histogram-quantile.ts";
import { seededRandom } from "../src/engine/sampler.ts";

const ROOT = resolve(import.meta.dirname, "..");
const IMG = join(ROOT, "theory", "img");
const DATA_FILE = join(IMG, "data", "miniserve-run.json");
/** prom-client's default histogram buckets (node_modules/prom-client/lib/histogram.js). */
const PROM_CLIENT_DEFAULT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

// ---------------------------------------------------------------------------------------------
// The measured run
// ---------------------------------------------------------------------------------------------

/** One finished request as its log line reported it (the fields are logging.ts's). */
interface LoggedRequest {
  readonly group: "tiny" | "large" | "mix";
  readonly duration_ms: number;
  readonly ttft_ms: number | null;
  readonly queue_time_ms: number | null;
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly finish_reason: string;
  readonly cost_eur: number;
  readonly cost_stage_eur: { retrieval: number; prefill: number; decode: number };
  readonly retrieval: boolean;
}

interface StoredSpanLite {
  readonly name: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly startMs: number;
  readonly durationMs: number;
  readonly events: readonly { name: string; timeMs: number }[];
}

interface RunData {
  readonly measuredAt: string;
  readonly machine: string;
  readonly node: string;
  readonly costRatePerSecondEur: number;
  readonly kvSlots: number;
  readonly mix: { readonly size: number; readonly seed: number; readonly concurrency: number };
  readonly requests: readonly LoggedRequest[];
  /** One request's spans (retrieval on, sent while other requests were running). */
  readonly trace: readonly StoredSpanLite[];
}

async function measure(): Promise<RunData> {
  const traceDir = mkdtempSync(join(tmpdir(), "theory-figures-"));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOST: "127.0.0.1", PORT: "0", LOG_LEVEL: "info",
    MINISERVE_TRACE_DIR: traceDir,
    // Retrieval over docs/ only, so the run does not depend on the chapters it illustrates.
    MINISERVE_RETRIEVAL_DIRS: "docs",
    OTEL_TRACES_SAMPLER: "parentbased_always_on",
  };
  delete env["OTEL_EXPORTER_OTLP_ENDPOINT"];
  const { loadConfig } = await import("../src/config/index.ts");
  const config = loadConfig(env);
  // Tracing first, the server after it: the same order as src/cli/serve.ts.
  const { startTracing } = await import("../src/observability/tracing.ts");
  const tracing = await startTracing(config);
  if (tracing === null) throw new Error("tracing did not start; is OTEL_SDK_DISABLED set?");
  const { startObservedMiniserve } = await import("../src/serve/index.ts");
  const { buildRequestMix } = await import("../src/loadtest/request-mix.ts");

  const lines: Record<string, unknown>[] = [];
  let partial = "";
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      partial += chunk.toString();
      const parts = partial.split("\n");
      partial = parts.pop() ?? "";
      for (const p of parts) if (p.trim()) lines.push(JSON.parse(p) as Record<string, unknown>);
      done();
    },
  });
  const server = await startObservedMiniserve(config, { logDestination: sink });
  const tokenizer = server.engine.tokenizer;
  const groupOf = new Map<string, { group: LoggedRequest["group"]; retrieval: boolean }>();

  const post = async (path: string, body: Record<string, unknown>, group: LoggedRequest["group"]): Promise<Response> => {
    const res = await fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${text.slice(0, 200)}`);
    const id = body["stream"] ? /"id":"([^"]+)"/.exec(text)?.[1] : (JSON.parse(text) as { id: string }).id;
    if (id) groupOf.set(id, { group, retrieval: body["retrieval"] !== undefined });
    return res;
  };

  /** A prompt of exactly `n` tokens of plain English. */
  const promptOf = (n: number): string => {
    const words = "the scheduler admits queued requests into free cache slots and every decode step writes one token for each running row".split(" ");
    let text = "";
    for (let i = 0; tokenizer.encode(text).length < n; i++) text += (i ? " " : "") + words[i % words.length];
    while (tokenizer.encode(text).length > n) text = text.slice(0, -1);
    return text;
  };

  try {
    // Warm-up: the first calls pay for JIT and memory allocation.
    for (let i = 0; i < 10; i++) await post("/v1/completions", { model: config.modelName, prompt: "warm up", max_tokens: 8 }, "tiny");
    groupOf.clear();
    // The two requests of chapter 00, each alone on the server, 30 times.
    for (let i = 0; i < 30; i++) {
      await post("/v1/completions", { model: config.modelName, prompt: "Reply with OK", max_tokens: 1, seed: i }, "tiny");
    }
    const long = promptOf(200);
    for (let i = 0; i < 30; i++) {
      await post("/v1/completions", {
        model: config.modelName, prompt: long, max_tokens: 64, ignore_eos: true, seed: i, retrieval: { top_k: 2 },
      }, "large");
    }
    // The documented request mix, closed loop with 16 clients.
    const mix = buildRequestMix(tokenizer, { size: 400, seed: 34, model: config.modelName, fixedLength: false });
    let next = 0;
    let traced: string | null = null;
    const client = async (): Promise<void> => {
      while (next < mix.length) {
        const entry = mix[next++]!;
        const res = await post(entry.path, entry.body, "mix");
        if (traced === null && entry.retrieval && !entry.body["stream"] && next > 100) traced = res.headers.get("x-trace-id");
      }
    };
    await Promise.all(Array.from({ length: 16 }, () => client()));
    await new Promise((r) => setTimeout(r, 300));
    await tracing.forceFlush();
    const spans = traced ? tracing.store.trace(traced) : [];
    const requests: LoggedRequest[] = [];
    for (const l of lines) {
      if (l["event"] !== "request_finished") continue;
      const g = groupOf.get(String(l["request_id"]));
      if (!g) continue;
      requests.push({
        group: g.group, retrieval: g.retrieval,
        duration_ms: l["duration_ms"] as number, ttft_ms: l["ttft_ms"] as number | null, queue_time_ms: l["queue_time_ms"] as number | null,
        input_tokens: l["input_tokens"] as number, output_tokens: l["output_tokens"] as number,
        finish_reason: String(l["finish_reason"]), cost_eur: l["cost_eur"] as number,
        cost_stage_eur: l["cost_stage_eur"] as LoggedRequest["cost_stage_eur"],
      });
    }
    const t0 = Math.min(...spans.map((s) => s.startMs));
    return {
      measuredAt: new Date().toISOString().slice(0, 10),
      machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? "unknown CPU"}`,
      node: process.version,
      costRatePerSecondEur: config.costRatePerSecondEur,
      kvSlots: config.kvSlots,
      mix: { size: 400, seed: 34, concurrency: 16 },
      requests,
      trace: spans.map((s) => ({
        name: s.name, spanId: s.spanId, ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
        startMs: Number((s.startMs - t0).toFixed(3)), durationMs: Number(s.durationMs.toFixed(3)),
        events: s.events.map((e) => ({ name: e.name, timeMs: Number((e.timeMs - t0).toFixed(3)) })),
      })),
    };
  } finally {
    await server.close();
    await tracing.shutdown();
    rmSync(traceDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Drawing
// ---------------------------------------------------------------------------------------------

const FONT = "DejaVu Sans";
const COLORS = { blue: "#3b6fb6", orange: "#e07b39", green: "#3a9a5b", red: "#c0392b", grey: "#8a8f98", purple: "#7d5ba6" };

function png(file: string, option: echarts.EChartsOption, width = 900, height = 480): void {
  const chart = echarts.init(null, null, { renderer: "svg", ssr: true, width, height });
  chart.setOption({ animation: false, backgroundColor: "#ffffff", textStyle: { fontFamily: FONT }, ...option });
  const svg = chart.renderToSVGString();
  chart.dispose();
  const out = new Resvg(svg, {
    fitTo: { mode: "width", value: width * 2 },
    font: { loadSystemFonts: true, defaultFontFamily: FONT },
    background: "#ffffff",
  }).render().asPng();
  writeFileSync(join(IMG, file), out);
  console.log(`wrote theory/img/${file}`);
}

const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
};
const median = (xs: readonly number[]): number => quantile(xs, 0.5);
const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Counts of `values` per bucket of `bounds` (non-cumulative, the last entry is +Inf). */
function bucketCounts(values: readonly number[], bounds: readonly number[]): number[] {
  const counts = new Array<number>(bounds.length + 1).fill(0);
  for (const v of values) {
    const i = bounds.findIndex((b) => v <= b);
    counts[i === -1 ? bounds.length : i]!++;
  }
  return counts;
}

const fmtSeconds = (s: number): string => (s < 1 ? `${Math.round(s * 1000)} ms` : `${s} s`);

/** Figure 00/01: an illustrative LLM latency distribution counted into two bucket layouts. */
function figureBuckets(): void {
  // Illustrative, not measured: a log-normal mixture spanning tens of ms to two minutes,
  // the shape of a general LLM service with short replies and long generations.
  const rand = seededRandom(34);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const values: number[] = [];
  for (let i = 0; i < 20000; i++) {
    const long = rand() < 0.3;
    values.push(Math.exp((long ? Math.log(18) : Math.log(0.9)) + (long ? 0.8 : 1.1) * normal()));
  }
  const layouts = [
    { name: "prom-client default buckets (largest finite bound 10 s)", bounds: PROM_CLIENT_DEFAULT_BUCKETS, color: COLORS.grey },
    { name: "miniserve LLM_LATENCY_BUCKETS (largest finite bound 120 s)", bounds: LLM_LATENCY_BUCKETS, color: COLORS.blue },
  ];
  const series: echarts.SeriesOption[] = [];
  const grids: echarts.GridComponentOption[] = [];
  const xAxes: echarts.XAXisComponentOption[] = [];
  const yAxes: echarts.YAXisComponentOption[] = [];
  const titles: echarts.TitleComponentOption[] = [{
    text: "One latency distribution, two bucket layouts",
    subtext: "Illustrative distribution (synthetic, not measured); bucket bounds are the real ones",
    left: "center", textStyle: { fontSize: 17 }, subtextStyle: { fontSize: 12, color: "#555" },
  }];
  layouts.forEach((layout, i) => {
    const counts = bucketCounts(values, layout.bounds);
    const labels = [...layout.bounds.map((b) => `≤${fmtSeconds(b)}`), "+Inf"];
    const top = 95 + i * 190;
    grids.push({ left: 70, right: 30, top, height: 120 });
    titles.push({ text: layout.name, top: top - 24, left: 70, textStyle: { fontSize: 13, fontWeight: "normal" } });
    xAxes.push({ type: "category", gridIndex: i, data: labels, axisLabel: { fontSize: 10, interval: 0 } });
    yAxes.push({ type: "value", gridIndex: i, name: "% of requests", nameTextStyle: { fontSize: 10 }, max: 50, axisLabel: { fontSize: 10 } });
    series.push({
      type: "bar", xAxisIndex: i, yAxisIndex: i,
      data: counts.map((c, j) => ({
        value: Number(((100 * c) / values.length).toFixed(1)),
        itemStyle: { color: j === counts.length - 1 ? COLORS.red : layout.color },
      })),
      label: { show: true, position: "top", fontSize: 10, formatter: (p: { value: unknown }) => `${p.value as number}%` },
    });
  });
  png("latency-buckets.png", { title: titles, grid: grids, xAxis: xAxes, yAxis: yAxes, series }, 900, 480);
}

/** Figure 01: the measured durations of the request mix counted into the real latency buckets. */
function figureMeasuredLatency(run: RunData): void {
  const mix = run.requests.filter((r) => r.group === "mix").map((r) => r.duration_ms / 1000);
  const counts = bucketCounts(mix, LLM_LATENCY_BUCKETS);
  const labels = [...LLM_LATENCY_BUCKETS.map((b) => `≤${fmtSeconds(b)}`), "+Inf"];
  png("miniserve-latency-buckets.png", {
    title: {
      text: `miniserve: ${mix.length} requests of the request mix in request_duration_seconds buckets`,
      subtext: `Measured ${run.measuredAt} on ${run.machine}, ${run.mix.concurrency} concurrent clients, ${run.kvSlots} KV slots · p50 ${fmtSeconds(Number(median(mix).toFixed(3)))}, p95 ${fmtSeconds(Number(quantile(mix, 0.95).toFixed(3)))}`,
      left: "center", textStyle: { fontSize: 15 }, subtextStyle: { fontSize: 11, color: "#555" },
    },
    grid: { left: 70, right: 30, top: 80, bottom: 50 },
    xAxis: { type: "category", data: labels, axisLabel: { interval: 0, fontSize: 10 }, name: "bucket (le)", nameLocation: "middle", nameGap: 30 },
    yAxis: { type: "value", name: "requests" },
    series: [{ type: "bar", data: counts, itemStyle: { color: COLORS.blue }, label: { show: true, position: "top", fontSize: 10 } }],
  }, 900, 420);
}

/** The mix's TTFT and durations in seconds, and their p50/p95/p99: exact, and as each bucket layout reports them. */
function firstBucketNumbers(run: RunData) {
  const mix = run.requests.filter((r) => r.group === "mix");
  const ttft = mix.filter((r) => r.ttft_ms !== null).map((r) => r.ttft_ms! / 1000);
  const duration = mix.map((r) => r.duration_ms / 1000);
  const qs = [0.5, 0.95, 0.99] as const;
  const ms = (x: number): number => Number((x * 1000).toFixed(1));
  const of = (values: number[], seed: readonly number[], fine: readonly number[]) => qs.map((q) => ({
    q, exact: ms(quantile(values, q)),
    seed: ms(histogramQuantile(q, cumulativeBuckets(values, seed))),
    fine: ms(histogramQuantile(q, cumulativeBuckets(values, fine))),
  }));
  return {
    ttft, duration,
    ttftQ: of(ttft, TTFT_BUCKETS, GEN_AI_TTFT_BUCKETS),
    durationQ: of(duration, LLM_LATENCY_BUCKETS, GEN_AI_REQUEST_DURATION_BUCKETS),
    ttftUnderSeedFloor: ttft.filter((v) => v <= TTFT_BUCKETS[0]).length,
  };
}

/** Figure 01: the first-bucket trap, the same measured requests through lab 01's buckets and the GenAI ones. */
function figureFirstBucket(run: RunData): void {
  const n = firstBucketNumbers(run);
  const layouts = [
    { name: "lab 01's TTFT_BUCKETS (first bound 50 ms)", bounds: TTFT_BUCKETS, color: COLORS.grey, left: 55 },
    { name: "GenAI's GEN_AI_TTFT_BUCKETS (first bound 1 ms)", bounds: GEN_AI_TTFT_BUCKETS, color: COLORS.blue, left: 495 },
  ];
  const grids: echarts.GridComponentOption[] = [];
  const xAxes: echarts.XAXisComponentOption[] = [];
  const yAxes: echarts.YAXisComponentOption[] = [];
  const series: echarts.SeriesOption[] = [];
  const titles: echarts.TitleComponentOption[] = [{
    text: `The first-bucket trap: the same ${n.ttft.length} requests, two bucket layouts`,
    subtext: `Measured ${run.measuredAt} on ${run.machine}: the request mix with ${run.mix.concurrency} concurrent clients; requests per time-to-first-token bucket on top, quantiles below`,
    left: "center", textStyle: { fontSize: 16 }, subtextStyle: { fontSize: 11, color: "#555" },
  }];
  layouts.forEach((layout, i) => {
    const counts = bucketCounts(n.ttft, layout.bounds);
    grids.push({ left: layout.left, width: 350, top: 105, height: 145 });
    titles.push({ text: layout.name, top: 76, left: layout.left - 15, textStyle: { fontSize: 12, fontWeight: "normal" } });
    xAxes.push({ type: "category", gridIndex: i, data: [...layout.bounds.map((b) => `≤${fmtSeconds(b)}`), "+Inf"], axisLabel: { fontSize: 9, interval: 0, rotate: 45 } });
    yAxes.push({ type: "value", gridIndex: i, axisLabel: { fontSize: 10 } });
    series.push({ type: "bar", xAxisIndex: i, yAxisIndex: i, data: counts, itemStyle: { color: layout.color }, label: { show: true, position: "top", fontSize: 9, formatter: (p: { value: unknown }) => ((p.value as number) > 0 ? String(p.value) : "") } });
  });
  const cats = [...n.ttftQ.map((r) => `TTFT p${Math.round(r.q * 100)}`), ...n.durationQ.map((r) => `latency p${Math.round(r.q * 100)}`)];
  const rows = [...n.ttftQ, ...n.durationQ];
  grids.push({ left: 55, right: 30, top: 350, height: 190 });
  titles.push({ text: "p50 / p95 / p99 in ms: exact (from the measured values) and what histogram_quantile reads from each layout", top: 318, left: 40, textStyle: { fontSize: 12, fontWeight: "normal" } });
  xAxes.push({ type: "category", gridIndex: 2, data: cats, axisLabel: { fontSize: 11 } });
  yAxes.push({ type: "value", gridIndex: 2, axisLabel: { fontSize: 10 } });
  const bar = (name: string, key: "exact" | "seed" | "fine", color: string): echarts.SeriesOption => ({
    name, type: "bar", xAxisIndex: 2, yAxisIndex: 2, itemStyle: { color }, data: rows.map((r) => r[key]),
    label: { show: true, position: "top", fontSize: 9, formatter: (p: { value: unknown }) => String(p.value) },
  });
  series.push(
    bar("exact", "exact", COLORS.green),
    bar("lab 01's buckets", "seed", COLORS.grey),
    bar("GenAI buckets", "fine", COLORS.blue),
  );
  png("first-bucket-trap.png", { title: titles, legend: { bottom: 10, itemGap: 60, textStyle: { fontSize: 12 } }, grid: grids, xAxis: xAxes, yAxis: yAxes, series }, 900, 620);
}

/** Figure 00: the tiny request against the large one, cost and latency, from the run. */
function figureCostSpread(run: RunData): { tiny: number; large: number } {
  const tiny = run.requests.filter((r) => r.group === "tiny");
  const large = run.requests.filter((r) => r.group === "large");
  const stages = ["retrieval", "prefill", "decode"] as const;
  const med = (rs: readonly LoggedRequest[], s: (typeof stages)[number]): number => median(rs.map((r) => r.cost_stage_eur[s]));
  const tinyTotal = median(tiny.map((r) => r.cost_eur));
  const largeTotal = median(large.map((r) => r.cost_eur));
  const names = ["\"Reply with OK\",\nmax_tokens 1", "200-token prompt + retrieval,\n64 output tokens"];
  const share = (rs: readonly LoggedRequest[], s: (typeof stages)[number], total: number): number => Number(((100 * med(rs, s)) / total).toFixed(1));
  png("cost-spread.png", {
    title: [
      {
        text: "Two requests to the same server, priced by engine time",
        subtext: `Medians of 30 runs each, measured ${run.measuredAt} (${run.machine}); rate ${run.costRatePerSecondEur} €/s`,
        left: "center", textStyle: { fontSize: 16 }, subtextStyle: { fontSize: 11, color: "#555" },
      },
      { text: "cost per request (€, log scale)", top: 70, left: 230, textStyle: { fontSize: 12, fontWeight: "normal" } },
      { text: "where it went (% of the request's cost)", top: 70, left: 610, textStyle: { fontSize: 12, fontWeight: "normal" } },
    ],
    legend: { bottom: 5, data: [...stages] },
    grid: [{ left: 230, width: 300, top: 100, bottom: 50 }, { left: 610, width: 260, top: 100, bottom: 50 }],
    yAxis: [
      { type: "category", gridIndex: 0, data: names, axisLabel: { fontSize: 12 } },
      { type: "category", gridIndex: 1, data: names, axisLabel: { show: false } },
    ],
    xAxis: [
      { type: "log", gridIndex: 0, min: 1e-8, max: 1e-5, axisLabel: { formatter: (v: number) => v.toExponential(0) } },
      { type: "value", gridIndex: 1, max: 100, axisLabel: { formatter: "{value}%" } },
    ],
    series: [
      {
        type: "bar", xAxisIndex: 0, yAxisIndex: 0, itemStyle: { color: COLORS.grey }, data: [tinyTotal, largeTotal],
        label: { show: true, position: "right", fontSize: 11, formatter: (p: { value: unknown }) => `${(p.value as number).toExponential(2)} €` },
      },
      ...stages.map((s, i): echarts.SeriesOption => ({
        name: s, type: "bar", stack: "share", xAxisIndex: 1, yAxisIndex: 1,
        itemStyle: { color: [COLORS.green, COLORS.orange, COLORS.blue][i] },
        data: [share(tiny, s, tinyTotal), share(large, s, largeTotal)],
        label: { show: true, fontSize: 10, color: "#fff", formatter: (p: { value: unknown }) => ((p.value as number) >= 8 ? `${p.value as number}%` : "") },
      })),
    ],
  }, 900, 330);
  return { tiny: tinyTotal, large: largeTotal };
}

/** Figure 02: the measured cost distribution of the mix, with mean and p95 marked. */
function figureCostDistribution(run: RunData): void {
  const costs = run.requests.filter((r) => r.group === "mix").map((r) => r.cost_eur);
  // Finer bins than the histogram's buckets, on a log axis, so the shape is visible.
  const lo = Math.log10(Math.min(...costs)) - 0.05;
  const hi = Math.log10(Math.max(...costs)) + 0.05;
  const bins = 30;
  const counts = new Array<number>(bins).fill(0);
  for (const c of costs) counts[Math.min(bins - 1, Math.floor(((Math.log10(c) - lo) / (hi - lo)) * bins))]!++;
  const data = counts.map((n, i) => [10 ** (lo + ((i + 0.5) * (hi - lo)) / bins), n]);
  const m = mean(costs);
  const p50 = median(costs);
  const p95 = quantile(costs, 0.95);
  const top = Math.ceil((Math.max(...counts) * 1.15) / 10) * 10;
  png("cost-distribution.png", {
    title: {
      text: `Cost per request, ${costs.length} requests of the request mix`,
      subtext: `Measured ${run.measuredAt} on ${run.machine} · p50 ${p50.toExponential(2)} €, mean ${m.toExponential(2)} €, p95 ${p95.toExponential(2)} €`,
      left: "center", textStyle: { fontSize: 16 }, subtextStyle: { fontSize: 11, color: "#555" },
    },
    grid: { left: 70, right: 40, top: 80, bottom: 55 },
    xAxis: { type: "log", name: "€ per request (log scale)", nameLocation: "middle", nameGap: 30, axisLabel: { formatter: (v: number) => v.toExponential(0) } },
    yAxis: { type: "value", name: "requests", max: top },
    series: [{
      type: "bar", data, barWidth: "60%", itemStyle: { color: COLORS.blue },
    },
    ...([["p50", p50, COLORS.green], ["mean", m, COLORS.orange], ["p95", p95, COLORS.red]] as const).map(([name, x, color]): echarts.SeriesOption => ({
      type: "line", name, data: [[x, 0], [x, name === "p50" ? top * 0.88 : top]], symbol: "none", lineStyle: { color, width: 2.5, type: name === "p50" ? "dashed" : "solid" },
      endLabel: { show: true, formatter: name, color, fontSize: 12, fontWeight: "bold" },
    })),
  ],
  }, 900, 420);
}

/** Figure 02: how one prefill step and one decode step are split among their rows. */
function figureStepSplit(): void {
  // The two worked examples of chapter 02, computed with the tracker's own rule.
  const prefill = { wallMs: 300, rows: [{ name: "row A (100 prompt tokens)", tokens: 100 }, { name: "row B (200 prompt tokens)", tokens: 200 }] };
  const decode = { wallMs: 40, rows: ["row A", "row B", "row C", "row D"] };
  const prefillTotal = prefill.rows.reduce((a, r) => a + r.tokens, 0);
  const cats = ["prefill step, 300 ms", "decode step, 40 ms"];
  const series: echarts.SeriesOption[] = [];
  const palette = [COLORS.blue, COLORS.orange, COLORS.green, COLORS.purple];
  prefill.rows.forEach((r, i) => series.push({
    name: r.name, type: "bar", stack: "prefill", xAxisIndex: 0, yAxisIndex: 0, itemStyle: { color: palette[i] },
    data: [(prefill.wallMs * r.tokens) / prefillTotal],
    label: { show: true, formatter: `${r.name}\n{c} ms`, fontSize: 11, color: "#fff" },
  }));
  decode.rows.forEach((r, i) => series.push({
    name: r, type: "bar", stack: "decode", xAxisIndex: 1, yAxisIndex: 1, itemStyle: { color: palette[i] },
    data: [decode.wallMs / decode.rows.length],
    label: { show: true, formatter: `${r}\n1 token\n{c} ms`, fontSize: 11, color: "#fff" },
  }));
  png("step-split.png", {
    title: [
      { text: "Splitting a batched step among its rows", subtext: "Worked example with chapter 02's numbers, split by the rule in cost-tracker.ts addStep()", left: "center", textStyle: { fontSize: 16 }, subtextStyle: { fontSize: 11, color: "#555" } },
      { text: cats[0], subtext: "in proportion to prompt tokens", top: 55, left: 20, textStyle: { fontSize: 13 } },
      { text: cats[1], subtext: "one token per row: equal shares", top: 185, left: 20, textStyle: { fontSize: 13 } },
    ],
    grid: [{ left: 20, right: 30, top: 100, height: 60 }, { left: 20, right: 30, top: 230, height: 60 }],
    xAxis: [
      { type: "value", gridIndex: 0, max: prefill.wallMs, axisLabel: { formatter: "{value} ms" } },
      { type: "value", gridIndex: 1, max: decode.wallMs, axisLabel: { formatter: "{value} ms" } },
    ],
    yAxis: [{ type: "category", gridIndex: 0, data: [""], show: false }, { type: "category", gridIndex: 1, data: [""], show: false }],
    series,
  }, 900, 330);
}

/** Figure 03: the measured trace of one request as a waterfall. */
function figureWaterfall(run: RunData): void {
  const spans = run.trace;
  if (spans.length === 0) throw new Error("the run has no trace; measure again");
  // Depth-first order from the root, children by start time.
  const byParent = new Map<string, StoredSpanLite[]>();
  const ids = new Set(spans.map((s) => s.spanId));
  for (const s of spans) {
    const p = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : "";
    byParent.set(p, [...(byParent.get(p) ?? []), s]);
  }
  const ordered: { span: StoredSpanLite; depth: number }[] = [];
  const walk = (parent: string, depth: number): void => {
    for (const s of (byParent.get(parent) ?? []).sort((a, b) => a.startMs - b.startMs)) {
      ordered.push({ span: s, depth });
      walk(s.spanId, depth + 1);
    }
  };
  walk("", 0);
  const labels = ordered.map(({ span, depth }) => `${"    ".repeat(depth)}${span.name}`).reverse();
  const rows = [...ordered].reverse();
  const total = Math.max(...spans.map((s) => s.startMs + s.durationMs));
  const events = rows.flatMap(({ span }, i) => span.events.map((e) => ({ value: [e.timeMs, i], name: e.name })));
  png("request-waterfall.png", {
    title: {
      text: "One request's trace as a waterfall (measured)",
      subtext: `A non-streamed request of the mix with retrieval (top_k 2), sent while ${run.mix.concurrency} clients were loading the server · ${run.measuredAt}`,
      left: "center", textStyle: { fontSize: 16 }, subtextStyle: { fontSize: 11, color: "#555" },
    },
    grid: { left: 260, right: 120, top: 75, bottom: 45 },
    xAxis: { type: "value", name: "ms since the request arrived", nameLocation: "middle", nameGap: 28, max: Math.ceil(total) },
    yAxis: { type: "category", data: labels, axisLabel: { fontFamily: "DejaVu Sans Mono", fontSize: 12, align: "left", margin: 250 } },
    series: [
      { type: "bar", stack: "w", itemStyle: { color: "transparent" }, data: rows.map(({ span }) => span.startMs), silent: true },
      {
        type: "bar", stack: "w", itemStyle: { color: COLORS.blue },
        data: rows.map(({ span }) => Number(span.durationMs.toFixed(2))),
        label: { show: true, position: "right", fontSize: 11, formatter: (p: { value: unknown }) => `${p.value as number} ms` },
      },
      {
        type: "scatter", symbol: "diamond", symbolSize: 14, itemStyle: { color: COLORS.red }, data: events,
        label: { show: true, position: "top", fontSize: 11, formatter: (p: { name: string }) => p.name },
      },
    ],
  }, 900, 60 + 34 * rows.length + 80);
}

function renderDot(): void {
  for (const f of readdirSync(IMG).filter((n) => n.endsWith(".dot")).sort()) {
    const out = f.replace(/\.dot$/, ".png");
    const r = spawnSync("dot", ["-Tpng", "-Gdpi=110", join(IMG, f), "-o", join(IMG, out)], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`dot failed on ${f}: ${r.stderr || r.error?.message}`);
    console.log(`wrote theory/img/${out} (from ${f})`);
  }
}

/** The numbers the chapters quote from the run, printed so they can be checked against the text. */
function summary(run: RunData): void {
  const mix = run.requests.filter((r) => r.group === "mix");
  const costs = mix.map((r) => r.cost_eur);
  const per1k = mix.filter((r) => r.output_tokens > 0).map((r) => (r.cost_eur / r.output_tokens) * 1000);
  const tiny = run.requests.filter((r) => r.group === "tiny");
  const large = run.requests.filter((r) => r.group === "large");
  const fmt = (n: number): string => n.toExponential(3);
  console.log(JSON.stringify({
    tiny: { n: tiny.length, cost: fmt(median(tiny.map((r) => r.cost_eur))), ms: median(tiny.map((r) => r.duration_ms)), inTok: median(tiny.map((r) => r.input_tokens)), outTok: median(tiny.map((r) => r.output_tokens)), stages: ["retrieval", "prefill", "decode"].map((s) => fmt(median(tiny.map((r) => r.cost_stage_eur[s as "decode"])))) },
    large: { n: large.length, cost: fmt(median(large.map((r) => r.cost_eur))), ms: median(large.map((r) => r.duration_ms)), inTok: median(large.map((r) => r.input_tokens)), outTok: median(large.map((r) => r.output_tokens)), stages: ["retrieval", "prefill", "decode"].map((s) => fmt(median(large.map((r) => r.cost_stage_eur[s as "decode"])))) },
    ratio: median(large.map((r) => r.cost_eur)) / median(tiny.map((r) => r.cost_eur)),
    mix: {
      n: mix.length, costMean: fmt(mean(costs)), costP50: fmt(median(costs)), costP95: fmt(quantile(costs, 0.95)), costMax: fmt(Math.max(...costs)), costMin: fmt(Math.min(...costs)),
      per1kMean: fmt(mean(per1k)), per1kP50: fmt(median(per1k)), per1kP95: fmt(quantile(per1k, 0.95)),
      msP50: median(mix.map((r) => r.duration_ms)), msP95: quantile(mix.map((r) => r.duration_ms), 0.95), msMax: Math.max(...mix.map((r) => r.duration_ms)),
      finish: Object.fromEntries(["stop", "length"].map((f) => [f, mix.filter((r) => r.finish_reason === f).length])),
      inCostBuckets: bucketCounts(costs, COST_PER_REQUEST_BUCKETS_EUR),
    },
    firstBucket: (({ ttftQ, durationQ, ttftUnderSeedFloor, ttft }) => ({ ttftQ, durationQ, ttftUnderSeedFloor, ttftCount: ttft.length }))(firstBucketNumbers(run)),
    traceSpans: run.trace.map((s) => `${s.name} ${s.durationMs}`),
  }, null, 1));
}

const { values } = parseArgs({ options: { measure: { type: "boolean", default: false } } });
mkdirSync(join(IMG, "data"), { recursive: true });
if (values.measure) {
  const run = await measure();
  writeFileSync(DATA_FILE, JSON.stringify(run, null, 1) + "\n");
  console.log(`wrote ${DATA_FILE} (${run.requests.length} requests, ${run.trace.length} spans)`);
}
if (!existsSync(DATA_FILE)) throw new Error(`${DATA_FILE} is missing: run npm run figures -- --measure`);
const run = JSON.parse(readFileSync(DATA_FILE, "utf8")) as RunData;
figureBuckets();
figureMeasuredLatency(run);
figureFirstBucket(run);
figureCostSpread(run);
figureCostDistribution(run);
figureStepSplit();
figureWaterfall(run);
renderDot();
summary(run);
// The SDK and the worker thread are closed; exit even if a timer is still referenced somewhere.
process.exit(0);
