// The panel audit (`npm run audit-panels`, lab 00's last step): after one warm-up round of requests,
// every query of llm.json runs against Prometheus exactly as Grafana sends it, until each has data or
// the deadline passes. A panel that would say "No data" on a healthy server fails the audit.
import type { DashboardPanel } from "../dashboard/panel-types.ts";
import { readDashboard, readVariables } from "../dashboard/read-dashboard.ts";
import { DASHBOARD_FILE } from "../stack/paths.ts";
import { resolveVariables } from "./panel-data.ts";
import { queryInstant, queryRange, scrapeIntervalSeconds } from "./prometheus-client.ts";
import { interpolate, stepFor, substituteVariables } from "./promql.ts";

export interface AuditOptions {
  readonly prometheusUrl: string;
  readonly miniserveUrl: string;
  /** Seconds after the warm-up within which every panel must have data (60 by default). */
  readonly timeoutSeconds: number;
  readonly dashboardFile?: string;
  /** Progress lines while waiting. */
  readonly log?: (line: string) => void;
}

export interface PanelVerdict {
  readonly id: number;
  readonly title: string;
  /** "data": every query returned a number; "empty": one did not by the deadline; "tempo": not a Prometheus panel. */
  readonly state: "data" | "empty" | "tempo";
  /** Seconds from the warm-up until the last of its queries had data. */
  readonly afterSeconds: number | null;
  /** The queries still without data, as sent. */
  readonly empty: readonly string[];
}

export interface AuditReport {
  readonly ok: boolean;
  readonly verdicts: readonly PanelVerdict[];
  readonly text: string;
}

/** The requests a first user would send: plain, with retrieval, a streamed chat; each stage and histogram sees one. */
const WARM_UP: readonly { path: string; body: object }[] = [
  { path: "/v1/completions", body: { model: "miniserve-tiny", prompt: "The scheduler admits a request when", max_tokens: 12, ignore_eos: true, seed: 1 } },
  { path: "/v1/completions", body: { model: "miniserve-tiny", prompt: "How are KV slots freed?", max_tokens: 8, retrieval: { top_k: 2 }, seed: 2 } },
  { path: "/v1/chat/completions", body: { model: "miniserve-tiny", messages: [{ role: "user", content: "What is a queue?" }], max_tokens: 8, stream: true, stream_options: { include_usage: true }, seed: 3 } },
];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Waits until Prometheus has scraped miniserve at least once (up == 1), so the series exist before the warm-up. */
async function waitForTarget(base: string, deadlineMs: number): Promise<void> {
  while (Date.now() < deadlineMs) {
    const up = await queryInstant(base, 'up{job="miniserve"}', Date.now() / 1000).catch(() => []);
    if (up.some((s) => s.value === "1")) return;
    await sleep(1000);
  }
  throw new Error(`Prometheus at ${base} has no target job="miniserve" that is up: start miniserve where infra/prometheus/targets/ points (npm run serve), or check npm run stack -- status`);
}

async function warmUp(url: string): Promise<void> {
  for (const { path, body } of WARM_UP) {
    const res = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    await res.text();
    if (!res.ok) throw new Error(`the warm-up request to ${path} answered ${res.status}: is ${url} miniserve?`);
  }
}

/** True when the range query returns at least one finite number: what Grafana needs to draw anything. */
async function hasData(base: string, expr: string, startSeconds: number, endSeconds: number, step: number): Promise<boolean> {
  const series = await queryRange(base, { expr, legend: "", fallbackName: "", startSeconds, endSeconds, stepSeconds: step });
  return series.some((s) => s.points.some(([, v]) => v !== null));
}

function report(verdicts: readonly PanelVerdict[], timeoutSeconds: number): string {
  const lines = verdicts.map((v) => {
    if (v.state === "tempo") return `  -  ${v.id} ${v.title}: Tempo (TraceQL) panel, not run against Prometheus`;
    if (v.state === "data") return `  ✔  ${v.id} ${v.title}: data after ${v.afterSeconds} s`;
    return `  ✘  ${v.id} ${v.title}: no data after ${timeoutSeconds} s\n${v.empty.map((e) => `       ${e}`).join("\n")}`;
  });
  const empty = verdicts.filter((v) => v.state === "empty").length;
  const checked = verdicts.filter((v) => v.state !== "tempo").length;
  const summary = empty === 0
    ? `every Prometheus panel of the dashboard has data (${checked} panels)`
    : `${empty} of ${checked} Prometheus panels have no data: Grafana would show "No data" on a healthy server`;
  return `${lines.join("\n")}\n${summary}`;
}

export async function auditPanels(opts: AuditOptions): Promise<AuditReport> {
  const base = opts.prometheusUrl.replace(/\/+$/, "");
  const log = opts.log ?? (() => {});
  const panels: DashboardPanel[] = readDashboard(opts.dashboardFile ?? DASHBOARD_FILE);
  await waitForTarget(base, Date.now() + 30_000);
  const scrape = await scrapeIntervalSeconds(base);
  // Grafana's default range (15 min); its $__interval never goes below the scrape interval.
  const range = 15 * 60;
  const window = { rangeSeconds: range, stepSeconds: stepFor(range, scrape), scrapeSeconds: scrape };
  const queries = panels.filter((p) => p.datasource === "prometheus").flatMap((p) => p.queries.map((q) => ({ panel: p.id, expr: substituteVariables(q.expr, window) })));
  const startedMs = Date.now();
  await warmUp(opts.miniserveUrl.replace(/\/+$/, ""));
  log(`warm-up sent; checking ${queries.length} queries of ${panels.length} panels every ${scrape} s for up to ${opts.timeoutSeconds} s`);
  const firstData = new Map<string, number>();
  const key = (q: { panel: number; expr: string }): string => `${q.panel} ${q.expr}`;
  for (;;) {
    const now = Date.now();
    const pending = queries.filter((q) => !firstData.has(key(q)));
    const results = await Promise.all(pending.map((q) => hasData(base, q.expr, Math.floor(now / 1000) - range, Math.floor(now / 1000), window.stepSeconds).catch(() => false)));
    pending.forEach((q, i) => {
      if (results[i]) firstData.set(key(q), Math.round((now - startedMs) / 1000));
    });
    const left = queries.length - firstData.size;
    if (left === 0 || now - startedMs > opts.timeoutSeconds * 1000) break;
    log(`${left} queries without data yet (${Math.round((now - startedMs) / 1000)} s)`);
    await sleep(scrape * 1000);
  }
  const values = await resolveVariables(base, readVariables(opts.dashboardFile ?? DASHBOARD_FILE), Date.now() / 1000);
  const verdicts: PanelVerdict[] = panels.map((panel) => {
    const p = { ...panel, title: interpolate(panel.title, values) };
    if (p.datasource !== "prometheus") return { id: p.id, title: p.title, state: "tempo", afterSeconds: null, empty: [] };
    const mine = queries.filter((q) => q.panel === p.id);
    const empty = mine.filter((q) => !firstData.has(key(q))).map((q) => q.expr);
    const after = empty.length === 0 ? Math.max(...mine.map((q) => firstData.get(key(q))!)) : null;
    return { id: p.id, title: p.title, state: empty.length === 0 ? "data" : "empty", afterSeconds: after, empty };
  });
  return { ok: verdicts.every((v) => v.state !== "empty"), verdicts, text: report(verdicts, opts.timeoutSeconds) };
}
