// What the lab notebooks show: the six metrics as a table, a trace waterfall, cost and load-test
// charts as PNG (through src/render), live load progress as markdown. Cells stay one-liners.
import { readTraceFiles } from "../observability/local-trace-store.ts";
import { barChartPng, lineChartPng, pngOfSvg, svgOf, waterfallOption } from "../render/index.ts";
import { waterfallOf } from "../viewer/traces.ts";
import { CORE_METRICS } from "./core-metrics.ts";
import { parseExposition, scrape, sumOf } from "./exposition-parse.ts";
import type { Exposition } from "./exposition-parse.ts";
import { waitForTrace } from "./checks-02.ts";
import { runLabLoad } from "./lab-load.ts";
import type { ClientView, LabLoadOptions, LoadProgress } from "./lab-load.ts";
import { sendCompletion } from "./lab-server.ts";

export { sendCompletion };

/** Sends `n` small completions one after another; returns the count per status. */
export async function sendRequests(url: string, n: number, body: Record<string, unknown> = {}): Promise<Record<string, number>> {
  const byStatus: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const { status } = await sendCompletion(url, { max_tokens: 8, seed: i, ...body });
    byStatus[status] = (byStatus[status] ?? 0) + 1;
  }
  return byStatus;
}

export async function readMetrics(url: string): Promise<Exposition> {
  return parseExposition((await scrape(url)).text);
}

/** Routes that probes and scrapes call: the readiness wait that started the server, Prometheus, this table. */
const UNSERVED = new Set(["/ready", "/health", "/metrics"]);

/** Sum of a family's samples, split into API traffic and the probes and scrapes of UNSERVED routes. */
function splitByRoute(expo: Exposition, name: string): { api: number; probes: number } {
  let api = 0;
  let probes = 0;
  for (const s of expo.samples) {
    if (s.name !== name) continue;
    if (UNSERVED.has(s.labels["endpoint"] ?? "")) probes += s.value;
    else api += s.value;
  }
  return { api, probes };
}

/**
 * The six core metrics as a markdown table: type, labels seen, and a one-number summary each. Metrics with an
 * `endpoint` label count API requests only; the readiness probe that started the server and the scrapes of
 * /metrics are counted too (request_total is per route), so they are shown apart instead of as "traffic".
 */
export async function coreMetricsMarkdown(url: string): Promise<string> {
  const expo = await readMetrics(url);
  const rows = CORE_METRICS.map((m) => {
    const fam = expo.families.get(m.name);
    if (!fam) return `| \`${m.name}\` | — | missing from /metrics | |`;
    const perRoute = m.labels.includes("endpoint");
    const count = (name: string) => (perRoute ? splitByRoute(expo, name) : { api: sumOf(expo, name), probes: 0 });
    const probes = (n: number) => (n > 0 ? ` (+${n} on /ready, /health, /metrics: probes and scrapes)` : "");
    let value: string;
    if (m.type === "histogram") {
      const n = count(`${m.name}_count`);
      const sum = count(`${m.name}_sum`);
      value = `${n.api} observations, mean ${(sum.api / Math.max(1, n.api)).toFixed(3)} s${probes(n.probes)}`;
    } else {
      const n = count(m.name);
      value = `${n.api}${probes(n.probes)}`;
    }
    return `| \`${m.name}\` | ${fam.type} | ${m.labels.join(", ") || "(none)"} | ${value} |`;
  });
  return ["| metric | type | labels | now |", "|---|---|---|---|", ...rows].join("\n");
}

/** Cumulative buckets of a histogram summed over its series, as a bar chart PNG. */
export async function histogramPng(url: string, family: string, title: string): Promise<Buffer> {
  const expo = await readMetrics(url);
  const byLe = new Map<string, number>();
  for (const s of expo.samples) if (s.name === `${family}_bucket`) byLe.set(s.labels["le"]!, (byLe.get(s.labels["le"]!) ?? 0) + s.value);
  const les = [...byLe.keys()].sort((a, b) => Number(a === "+Inf" ? Infinity : a) - Number(b === "+Inf" ? Infinity : b));
  let previous = 0;
  const counts = les.map((le) => {
    const c = byLe.get(le)! - previous;
    previous = byLe.get(le)!;
    return c;
  });
  return barChartPng({ categories: les.map((le) => `≤ ${le}`), series: [{ name: "observations", values: counts }] }, { title, xName: "bucket (upper bound)", width: 820, height: 320 });
}

/** The waterfall of one trace from the local span store, as PNG (waits for the spans to arrive). */
export async function traceWaterfallPng(traceDir: string, traceId: string, expect: readonly string[] = ["respond"]): Promise<{ png: Buffer; spans: number; orphans: number }> {
  await waitForTrace(traceDir, traceId, expect, 5000);
  const spans = readTraceFiles(traceDir).filter((s) => s.traceId === traceId);
  if (spans.length === 0) throw new Error(`no spans of trace ${traceId} in ${traceDir}`);
  const detail = waterfallOf(spans);
  const png = pngOfSvg(svgOf(waterfallOption(detail), 900, 70 + 26 * detail.spans.length));
  return { png, spans: detail.spans.length, orphans: detail.orphanCount };
}

/** One line of live progress for tslab's newDisplay(). */
export function progressMarkdown(p: LoadProgress): string {
  const pct = Math.min(100, Math.round((p.elapsedS / p.durationS) * 100));
  const bar = "█".repeat(Math.round(pct / 5)).padEnd(20, "░");
  return `\`${bar}\` ${pct}% — ${p.elapsedS.toFixed(1)} s of ${p.durationS} s · sent ${p.sent} · done ${p.completed} · errors ${p.errors} · ${p.currentRps.toFixed(1)} req/s · p95 ${p.p95Ms === null ? "–" : `${Math.round(p.p95Ms)} ms`}${p.draining ? " · draining" : ""}`;
}

/** The load driver with the documented mix (src/loadtest); progress goes to onProgress. */
export async function runLoad(opts: LabLoadOptions): Promise<ClientView> {
  return runLabLoad(opts);
}

/** Answers per second and p95 latency per second of a run, as a PNG. */
export function loadTimelinePng(view: ClientView): Buffer {
  return lineChartPng([
    { name: "answers/s (ok)", points: view.timeline.map((s) => [s.second, s.ok] as const) },
    { name: "p95 latency (s, right axis)", axis: "right", points: view.timeline.map((s) => [s.second, s.p95Ms === null ? null : s.p95Ms / 1000] as const) },
  ], { title: `load test: ${view.counts.ok} ok of ${view.counts.sent} sent, ${view.achievedRps.toFixed(1)} answers/s`, xName: "second of the run", yName: "answers/s", y2Name: "p95 (s)", width: 820, height: 340 });
}

/** Cost figures read from /metrics: the one computation's outputs, never recomputed here. */
export interface CostView {
  readonly requests: number;
  readonly totalEur: number;
  readonly stagesEur: Record<string, number>;
  readonly per1kMeanEur: number | null;
  readonly per1kP95Eur: number | null;
  readonly violations: number;
}

/** p95 of a histogram family from its cumulative buckets (upper bound of the bucket reaching 95 %). */
function bucketQuantile(expo: Exposition, family: string, q: number): number | null {
  const total = sumOf(expo, `${family}_count`);
  if (total === 0) return null;
  const byLe = new Map<number, number>();
  for (const s of expo.samples) if (s.name === `${family}_bucket`) byLe.set(Number(s.labels["le"] === "+Inf" ? Infinity : s.labels["le"]), (byLe.get(Number(s.labels["le"] === "+Inf" ? Infinity : s.labels["le"])) ?? 0) + s.value);
  for (const [le, c] of [...byLe.entries()].sort((a, b) => a[0] - b[0])) if (c >= q * total) return le;
  return null;
}

export async function costView(url: string): Promise<CostView> {
  const expo = await readMetrics(url);
  const stagesEur: Record<string, number> = {};
  for (const s of expo.samples) if (s.name === "cost_stage_eur_total") stagesEur[s.labels["stage"]!] = s.value;
  const completion = sumOf(expo, "tokens_total", { kind: "completion" });
  const totalEur = sumOf(expo, "cost_per_request_eur_sum");
  return {
    requests: sumOf(expo, "cost_per_request_eur_count"), totalEur, stagesEur,
    per1kMeanEur: completion > 0 ? (totalEur / completion) * 1000 : null,
    per1kP95Eur: bucketQuantile(expo, "cost_per_1k_output_tokens_eur", 0.95),
    violations: sumOf(expo, "cost_identity_violations_total"),
  };
}

export function costStagesPng(view: CostView): Buffer {
  const stages = Object.keys(view.stagesEur);
  return barChartPng({ categories: stages, series: [{ name: "€ over the run", values: stages.map((s) => view.stagesEur[s]!) }] },
    { title: `cost by stage: €${view.totalEur.toExponential(3)} over ${view.requests} requests`, unit: "currencyEUR", width: 820, height: 300 });
}
