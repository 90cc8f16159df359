// Lab 01's five stop conditions: the module's exports, valid exposition (promtool), the target UP,
// request_total{status="200"} > 0 after 20 requests, and the committed dashboard with a panel per metric.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findOnPath } from "../stack/index.ts";
import { fail, pass } from "./check-types.ts";
import type { CheckEnv, CheckResult } from "./check-types.ts";
import { promQuery } from "./check-env.ts";
import { targetUpCheck } from "./checks-00.ts";
import { parseExposition, scrape } from "./exposition-parse.ts";
import { sendCompletion } from "./lab-server.ts";
import { coreMetricsProblems, CORE_METRIC_NAMES } from "./core-metrics.ts";

const T1 = "src/observability/metrics.ts exports the six metrics, recordRequest and the /metrics handler";
const T2 = "GET /metrics returns valid Prometheus exposition (promtool check metrics) with the six metrics";
const T4 = 'request_total{status="200"} > 0 in Prometheus after 20 requests';
const T5 = "infra/grafana/dashboards/llm.json is committed with a panel per core metric";

async function moduleCheck(repoRoot: string): Promise<CheckResult> {
  const problems: string[] = [];
  try {
    const metricsMod = (await import(join(repoRoot, "src/observability/metrics.ts"))) as Record<string, unknown>;
    const expoMod = (await import(join(repoRoot, "src/observability/exposition.ts"))) as Record<string, unknown>;
    if (typeof metricsMod["recordRequest"] !== "function") problems.push("recordRequest is not exported");
    if (typeof expoMod["metricsHandler"] !== "function") problems.push("metricsHandler is not exported from exposition.ts");
    problems.push(...(await coreMetricsProblems(metricsMod)));
  } catch (err) {
    problems.push(`importing the module failed: ${(err as Error).message.split("\n")[0]}`);
  }
  if (problems.length === 0) return pass("01.module", T1, `${CORE_METRIC_NAMES.join(", ")}; recordRequest records both RED observations`);
  return fail("01.module", T1, problems.join("; "),
    "Block A is incomplete: a metric is missing, has another name, type, label set or bucket list than the lab's table, or recordRequest does not do both RED observations.",
    "compare with the table in labs/01-instrument-server.md, then npm run check-lab 01");
}

function promtoolLint(text: string): { ok: boolean; out: string } | null {
  const promtool = findOnPath("promtool");
  if (!promtool) return null;
  const res = spawnSync(promtool, ["check", "metrics"], { input: text, encoding: "utf8", timeout: 15_000 });
  return { ok: res.status === 0, out: `${res.stdout}${res.stderr}`.trim() };
}

async function expositionCheck(url: string): Promise<CheckResult> {
  let res: { status: number; text: string };
  try {
    res = await scrape(url);
  } catch (err) {
    return fail("01.exposition", T2, `GET ${url}/metrics failed: ${(err as Error).message}`, "The server is not answering.", "npm run serve");
  }
  if (res.status !== 200) {
    return fail("01.exposition", T2, `GET /metrics answered ${res.status}`,
      res.status === 404 ? "The /metrics route is not registered (pitfall: /metrics 404)." : "The handler throws or is still a TODO stub (Block B).",
      "curl -s localhost:8000/metrics | head; fix metricsHandler in src/observability/exposition.ts");
  }
  const lint = promtoolLint(res.text);
  if (lint === null) {
    return fail("01.exposition", T2, "promtool is not installed, so the exposition cannot be linted",
      "promtool ships with Prometheus.", "sudo apt-get install prometheus (or brew install prometheus)");
  }
  if (!lint.ok) {
    return fail("01.exposition", T2, `promtool check metrics: ${lint.out.split("\n").slice(0, 3).join(" | ")}`,
      "A metric name, suffix or help text breaks the conventions (a gauge ending in _total, a counter without it, a unit missing).",
      "curl -s localhost:8000/metrics | promtool check metrics");
  }
  const expo = parseExposition(res.text);
  const missing = CORE_METRIC_NAMES.filter((n) => !expo.families.has(n));
  if (missing.length > 0) {
    return fail("01.exposition", T2, `valid, but missing: ${missing.join(", ")}`,
      "The metric is not defined on the default registry, or (gauges) its pull-on-scrape callback is not bound to the engine.",
      "define it in metrics() (Block A) and bind kv_cache_slots_used/queue_depth (Block B)");
  }
  const lines = res.text.split("\n").filter((l) => l && !l.startsWith("#")).length;
  return pass("01.exposition", T2, `promtool: no problems; ${expo.families.size} families, ${lines} samples`);
}

async function requestTotalCheck(env: CheckEnv, url: string, prom: string): Promise<CheckResult> {
  let ok = 0;
  for (let i = 0; i < 20; i++) if ((await sendCompletion(url, { max_tokens: 4, seed: i })).status === 200) ok++;
  const deadline = Date.now() + (env.quick ? 20_000 : 30_000);
  let values: number[] = [];
  while (Date.now() < deadline) {
    try {
      values = await promQuery(prom, 'request_total{status="200"} > 0');
      if (values.length > 0) break;
    } catch {
      // not ready: retry
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
  if (values.length > 0) return pass("01.request-total", T4, `${ok}/20 requests answered 200; PromQL returns ${values.reduce((a, b) => a + b, 0)}`);
  return fail("01.request-total", T4, `${ok}/20 requests answered 200, but the query returns nothing after the scrape`,
    "recordRequest is never called, is called with another status label (a number is fine, \"OK\" is not), or the target is down.",
    `curl -s ${url}/metrics | grep '^request_total'`);
}

function dashboardCheck(repoRoot: string): CheckResult {
  const rel = "infra/grafana/dashboards/llm.json";
  const file = join(repoRoot, rel);
  if (!existsSync(file)) return fail("01.dashboard", T5, `${rel} does not exist`, "Block E: the dashboard was not exported.", "npm run dashboard");
  const tracked = spawnSync("git", ["ls-files", "--error-unmatch", rel], { cwd: repoRoot, encoding: "utf8" }).status === 0;
  let exprs: string[] = [];
  try {
    const d = JSON.parse(readFileSync(file, "utf8")) as { panels?: { targets?: { expr?: string }[]; panels?: { targets?: { expr?: string }[] }[] }[] };
    const panels = (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
    exprs = panels.map((p) => (p.targets ?? []).map((t) => t.expr ?? "").join(" "));
  } catch (err) {
    return fail("01.dashboard", T5, `${rel} is not valid JSON: ${(err as Error).message}`, "A hand edit broke it.", "npm run dashboard");
  }
  const missing = CORE_METRIC_NAMES.filter((n) => !exprs.some((e) => e.includes(n)));
  if (!tracked) return fail("01.dashboard", T5, `${rel} is not committed`, "Exported but not added to git.", `git add ${rel} && git commit`);
  if (missing.length > 0) {
    return fail("01.dashboard", T5, `no panel queries ${missing.join(", ")}`, "Block E asks for at least one panel per metric.", "npm run dashboard");
  }
  return pass("01.dashboard", T5, `${exprs.length} panels; each core metric has at least one`);
}

export async function checkLab01(env: CheckEnv): Promise<CheckResult[]> {
  const out: CheckResult[] = [await moduleCheck(env.repoRoot)];
  const server = await env.scrapedServer();
  out.push(await expositionCheck(server.url));
  const prom = await env.prometheus();
  if ("missing" in prom) {
    const next = "install Prometheus, then npm run stack -- up";
    out.push(fail("01.target-up", "Prometheus scrapes miniserve: target `miniserve` is UP", prom.missing, "Lab 00 is not done.", next));
    out.push(fail("01.request-total", T4, "not checked: no Prometheus", "Lab 00 is not done.", next));
  } else {
    const up = await targetUpCheck(env, "01.target-up", prom.url);
    out.push(up);
    out.push(up.ok ? await requestTotalCheck(env, server.url, prom.url)
      : fail("01.request-total", T4, "not checked: the target is not UP", "Prometheus cannot scrape /metrics.", "fix the check above first"));
  }
  out.push(dashboardCheck(env.repoRoot));
  return out;
}
