// Lab 01's eight stop conditions, each checking behaviour rather than shape: the module records
// exactly what it is given, the exposition is valid, RED counts real statuses, the USE gauges follow
// the engine, TTFT and tokens match the client, Prometheus counts what was sent, the dashboard.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findOnPath } from "../stack/index.ts";
import { condition } from "./check-types.ts";
import type { CheckEnv, CheckResult, LabChecks, ServerHandle, Verdict } from "./check-types.ts";
import { promQuery } from "./check-env.ts";
import { prometheusOr, targetUpCheck } from "./checks-00.ts";
import { parseExposition, scrape, sumOf } from "./exposition-parse.ts";
import { sendCompletion } from "./lab-server.ts";
import { coreMetricsProblems, CORE_METRIC_NAMES } from "./core-metrics.ts";
import { probeFirstToken, probeRedStatus } from "./red-ttft-probe.ts";
import { probeUseGauges } from "./use-gauge-probe.ts";

const RESTART = "stop it (Ctrl-C where npm run serve runs) and run check-lab again: it starts one with your current files";

/** A failed result when the scraped server runs older code than the files being checked. */
function staleResult(server: ServerHandle, v: Verdict): CheckResult | null {
  return server.stale ? v.fail(`the miniserve at ${server.url} ${server.stale}`, "Checking it would check your old code.", RESTART) : null;
}

/** The HTTP checks read /metrics before and after: until it answers, they say so instead of guessing. */
function needsMetrics(err: Error, v: Verdict): CheckResult {
  if (!err.message.includes("/metrics answered")) throw err;
  return v.fail(err.message, "The counters are read from GET /metrics, which does not work yet.", "make GET /metrics answer first (Block B), then npm run check-lab 01");
}

function promtoolLint(text: string): { ok: boolean; out: string } | null {
  const promtool = findOnPath("promtool");
  if (!promtool) return null;
  const res = spawnSync(promtool, ["check", "metrics"], { input: text, encoding: "utf8", timeout: 15_000 });
  return { ok: res.status === 0, out: `${res.stdout}${res.stderr}`.trim() };
}

const T_PROMQL = "PromQL counts the 20 completions the check sent: sum(request_total{endpoint=\"/v1/completions\",status=\"200\"}) rises by 20";
const COMPLETIONS_200 = 'sum(request_total{endpoint="/v1/completions",method="POST",status="200"})';

async function promqlCheck(env: CheckEnv, v: Verdict): Promise<CheckResult> {
  const prom = await prometheusOr(env, "01.promql", T_PROMQL);
  if ("ok" in prom) return prom;
  const server = await env.scrapedServer();
  const stale = staleResult(server, v);
  if (stale) return stale;
  const up = await targetUpCheck(env, "01.promql", prom.url);
  if (!up.ok) return v.fail(`not checked: ${up.detail}`, up.cause ?? "Prometheus cannot scrape /metrics.", up.next ?? "npm run check-lab 01");
  const read = async () => (await promQuery(prom.url, COMPLETIONS_200).catch(() => [] as number[]))[0] ?? 0;
  // "Before" is read from the server itself (Prometheus may be a scrape behind); the query must then
  // reach exactly that plus the 20 sent.
  const direct = parseExposition((await scrape(server.url)).text);
  const before = sumOf(direct, "request_total", { endpoint: "/v1/completions", method: "POST", status: "200" });
  let ok = 0;
  for (let i = 0; i < 20; i++) if ((await sendCompletion(server.url, { max_tokens: 4, seed: i })).status === 200) ok++;
  const deadline = Date.now() + (env.quick ? 20_000 : 30_000);
  let now = await read();
  while (Date.now() < deadline && now - before < ok) {
    await new Promise((r) => setTimeout(r, 500));
    now = await read();
  }
  const rose = now - before;
  // A server these checks started has no other traffic: the count must move by exactly 20.
  const exact = server.own !== null;
  if (ok === 20 && (exact ? rose === 20 : rose >= 20)) {
    return v.pass(`${COMPLETIONS_200}: ${before} → ${now} after the check's 20 completions${exact ? "" : " (a shared server: other traffic may add)"}`);
  }
  return v.fail(`${ok}/20 completions answered 200; ${COMPLETIONS_200} went ${before} → ${now} (+${rose})`,
    rose === 0
      ? "Completions are not counted under endpoint=\"/v1/completions\" with status=\"200\": recordRequest is never called for them, or labels them otherwise (a number status is fine, \"OK\" is not). Requests to /ready or /metrics do not count here."
      : "The count moved by something other than the completions sent: a request counted twice, or counted under several label sets.",
    `curl -s ${server.url}/metrics | grep '^request_total'`);
}

function dashboardCheck(repoRoot: string, v: Verdict): CheckResult {
  const rel = "infra/grafana/dashboards/llm.json";
  const file = join(repoRoot, rel);
  if (!existsSync(file)) return v.fail(`${rel} does not exist`, "Block E: the dashboard was not exported.", "npm run dashboard");
  const tracked = spawnSync("git", ["ls-files", "--error-unmatch", rel], { cwd: repoRoot, encoding: "utf8" }).status === 0;
  let exprs: string[] = [];
  try {
    const d = JSON.parse(readFileSync(file, "utf8")) as { panels?: { targets?: { expr?: string }[]; panels?: { targets?: { expr?: string }[] }[] }[] };
    const panels = (d.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
    exprs = panels.map((p) => (p.targets ?? []).map((t) => t.expr ?? "").join(" "));
  } catch (err) {
    return v.fail(`${rel} is not valid JSON: ${(err as Error).message}`, "A hand edit broke it.", "npm run dashboard");
  }
  const missing = CORE_METRIC_NAMES.filter((n) => !exprs.some((e) => e.includes(n)));
  if (!tracked) return v.fail(`${rel} is not committed`, "Exported but not added to git.", `git add ${rel} && git commit`);
  if (missing.length > 0) return v.fail(`no panel queries ${missing.join(", ")}`, "Block E asks for at least one panel per metric.", "npm run dashboard");
  return v.pass(`${exprs.length} panels; each core metric has at least one`);
}

export const LAB01_CHECKS: LabChecks = [
  condition("01.module", "metrics.ts defines the six metrics as the lab's table states them, and recordRequest records exactly what it is given", async (env, v) => {
    const problems: string[] = [];
    try {
      const metricsMod = (await import(join(env.repoRoot, "src/observability/metrics.ts"))) as Record<string, unknown>;
      const expoMod = (await import(join(env.repoRoot, "src/observability/exposition.ts"))) as Record<string, unknown>;
      if (typeof metricsMod["recordRequest"] !== "function") problems.push("recordRequest is not exported");
      if (typeof expoMod["metricsHandler"] !== "function") problems.push("metricsHandler is not exported from exposition.ts");
      problems.push(...(await coreMetricsProblems(metricsMod)));
    } catch (err) {
      problems.push(`importing the module failed: ${(err as Error).message.split("\n")[0]}`);
    }
    if (problems.length === 0) return v.pass(`${CORE_METRIC_NAMES.join(", ")}; recordRequest counts a 404 as 404, observes 0.25 s as 0.25, maps BREW to OTHER`);
    return v.fail(problems.join("; "),
      "Block A is incomplete or off: a metric is missing or has another name, type, label set or bucket list than the lab's table, or recordRequest records something other than what it was given (a fixed status, milliseconds, a count twice).",
      "compare with the table in labs/01-instrument-server.md, then npm run check-lab -- 01 --only module");
  }),

  condition("01.exposition", "GET /metrics returns valid Prometheus text (promtool check metrics) with the six metrics, and OpenMetrics when asked", async (env, v) => {
    const server = await env.scrapedServer();
    const stale = staleResult(server, v);
    if (stale) return stale;
    const res = await scrape(server.url).catch((err: Error) => ({ status: 0, text: err.message }));
    if (res.status !== 200) {
      return v.fail(res.status === 0 ? `GET ${server.url}/metrics failed: ${res.text}` : `GET /metrics answered ${res.status}`,
        res.status === 404 ? "The /metrics route is not registered (pitfall: /metrics 404)." : "The handler throws or is still a TODO stub (Block B).",
        `curl -s ${server.url}/metrics | head; fix metricsHandler in src/observability/exposition.ts`);
    }
    const lint = promtoolLint(res.text);
    if (lint === null) return v.fail("promtool is not installed, so the exposition cannot be linted", "promtool ships with Prometheus.", "sudo apt-get install prometheus (or brew install prometheus)");
    if (!lint.ok) {
      return v.fail(`promtool check metrics: ${lint.out.split("\n").slice(0, 3).join(" | ")}`,
        "The plain-text scrape is not valid Prometheus text: OpenMetrics sent to a client that did not ask for it, or a name, suffix or help text that breaks the conventions.",
        `curl -s ${server.url}/metrics | promtool check metrics`);
    }
    const missing = CORE_METRIC_NAMES.filter((n) => !parseExposition(res.text).families.has(n));
    if (missing.length > 0) {
      return v.fail(`valid, but missing: ${missing.join(", ")}`, "The metric is not defined on the default registry (Block A), or a gauge's collect callback throws (Block B).",
        "define it in coreMetrics() and give the gauges a collect callback (readStat)");
    }
    const om = await fetch(`${server.url}/metrics`, { headers: { accept: "application/openmetrics-text; version=1.0.0" } });
    const omText = await om.text();
    const omType = om.headers.get("content-type") ?? "";
    if (!omType.startsWith("application/openmetrics-text") || !omText.trimEnd().endsWith("# EOF")) {
      return v.fail(`asked for OpenMetrics, got ${omType || "no content type"}${omText.trimEnd().endsWith("# EOF") ? "" : " without the closing # EOF"}`,
        "metricsHandler ignores the Accept header: Prometheus asks for OpenMetrics to receive exemplars.", "use wantsOpenMetrics(req.headers.accept) in metricsHandler");
    }
    const lines = res.text.split("\n").filter((l) => l && !l.startsWith("#")).length;
    return v.pass(`promtool: no problems; ${lines} samples; OpenMetrics with exemplars when asked`);
  }),

  condition("01.red", "request_total counts each request under its real status, and request_duration_seconds observes each in seconds", async (env, v) => {
    const server = await env.ownServer();
    const p = await probeRedStatus(server.url).catch((err: Error) => err);
    if (p instanceof Error) return needsMetrics(p, v);
    const wrong = p.rows.filter((r) => r.counted !== r.sent);
    const seen = p.rows.map((r) => `${r.labels} +${r.counted} (sent ${r.sent})`).join("; ");
    if (wrong.length > 0) {
      return v.fail(seen, "Statuses are not recorded as sent (a fixed \"200\", the status read before the reply was sent), requests are counted twice or not at all, or unknown routes are not labelled endpoint=\"unmatched\".",
        "send a bad request (curl -d '{\"max_tokens\": -1}' …) and watch request_total; then npm run check-lab -- 01 --only red");
    }
    const d = p.durationCount;
    if (d.counted !== d.sent || p.durationSumS <= 0 || p.durationSumS > p.clientSumS + 0.05) {
      return v.fail(`request_duration_seconds_count +${d.counted} (sent ${d.sent}); _sum +${p.durationSumS.toFixed(4)} s against ${p.clientSumS.toFixed(4)} s measured by the client`,
        "The duration is observed in other units than seconds (milliseconds make the sum ~1000× too large), not for every request, or more than once.",
        "observe durationSeconds as given; npm run check-lab -- 01 --only red");
    }
    return v.pass(`${seen}; durations: ${d.counted} observed, Σ ${(p.durationSumS * 1000).toFixed(1)} ms on the server ≤ Σ ${(p.clientSumS * 1000).toFixed(1)} ms at the client`);
  }),

  condition("01.use-gauges", "kv_cache_slots_used and queue_depth equal the engine's own state while a burst queues", async (env, v) => {
    const p = await probeUseGauges(env.repoRoot);
    const errors = p.errors.length > 0 ? `; errors: ${p.errors.slice(0, 2).join("; ")}` : "";
    if (p.mismatch || p.saturated === 0) {
      const m = p.mismatch;
      const detail = m
        ? `with ${m.running} requests holding slots and ${m.queued} waiting, kv_cache_slots_used read ${m.slotsGauge ?? "(missing)"} and queue_depth ${m.queueGauge ?? "(missing)"}`
        : `the burst of ${p.burst} never queued behind ${p.slots} slots, so the gauges could not be compared where they differ`;
      return v.fail(`${detail} (${p.samples.length} samples)${errors}`,
        "A gauge is not wired to the engine: no collect callback (it stays 0), a callback reading another field (slots for the queue, the capacity for the use), or a push-style gauge that misses an event.",
        "give each gauge collect: readStat(name, (s) => s.slotsUsed / s.queueDepth); npm run check-lab -- 01 --only use-gauges");
    }
    const peak = Math.max(...p.samples.map((s) => s.queued));
    return v.pass(`${p.samples.length} samples during a burst of ${p.burst} on ${p.slots} slots (${p.saturated} with every slot busy, up to ${peak} waiting): both gauges matched every time${errors}`);
  }),

  condition("01.ttft-tokens", "a long streamed request's TTFT is well below its duration and no later than its first chunk; tokens_total moves by its usage", async (env, v) => {
    const server = await env.ownServer();
    const p = await probeFirstToken(server.url).catch((err: Error) => err);
    if (p instanceof Error) return needsMetrics(p, v);
    const s = p.stream;
    if (s.status !== 200 || s.firstTextMs === null || s.usage === null) {
      return v.fail(`the streamed request answered ${s.status}, first text ${s.firstTextMs === null ? "never" : "seen"}, usage ${s.usage ? "reported" : "missing"}`,
        "The server fails on streamed requests.", "npm run serve and read its log");
    }
    const ttftMs = p.ttftS * 1000;
    const seen = `client: first chunk ${s.firstTextMs.toFixed(1)} ms, whole stream ${s.totalMs.toFixed(1)} ms; time_to_first_token_seconds +${p.ttftCount} observation of ${ttftMs.toFixed(1)} ms`;
    if (p.ttftCount !== 1 || !(ttftMs > 0) || ttftMs > s.firstTextMs + 2 || ttftMs > 0.5 * s.totalMs || ttftMs < s.firstTextMs - 50) {
      return v.fail(seen,
        p.ttftCount !== 1
          ? "TTFT must be observed exactly once per request, on the first-token event."
          : "TTFT is not first token minus arrival, in seconds: observed when the request ends, measured from another moment, or in milliseconds.",
        "observe (firstTokenMs - arrivedMs) / 1000 in the \"first-token\" subscriber (Block C); npm run check-lab -- 01 --only ttft-tokens");
    }
    const u = s.usage;
    if (p.promptTokens !== u.prompt_tokens || p.completionTokens !== u.completion_tokens) {
      return v.fail(`tokens_total moved prompt +${p.promptTokens}, completion +${p.completionTokens}; the response's usage says ${u.prompt_tokens} and ${u.completion_tokens}`,
        "Tokens are counted more than once (per token and again at the end), under the wrong kind, or not at all.",
        "count prompt tokens on \"tokenized\" and completion tokens once on \"finished\" (Block C)");
    }
    return v.pass(`${seen}; tokens_total prompt +${p.promptTokens}, completion +${p.completionTokens} = the usage`);
  }),

  condition("01.target-up", "Prometheus scrapes miniserve: target `miniserve` is UP", async (env) => {
    const prom = await prometheusOr(env, "01.target-up", "Prometheus scrapes miniserve: target `miniserve` is UP");
    return "ok" in prom ? prom : targetUpCheck(env, "01.target-up", prom.url);
  }),

  condition("01.promql", T_PROMQL, promqlCheck),

  condition("01.dashboard", "infra/grafana/dashboards/llm.json is committed with a panel per core metric", async (env, v) => dashboardCheck(env.repoRoot, v)),
];
