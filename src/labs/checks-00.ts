// Lab 00's stop conditions: the stack is ready (Prometheus; Grafana and Tempo too in Docker mode)
// and Prometheus scrapes miniserve (target "miniserve" UP).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { stackStatus } from "../stack/index.ts";
import { condition, fail, pass } from "./check-types.ts";
import type { CheckEnv, CheckResult, LabChecks } from "./check-types.ts";
import { waitTargetUp } from "./check-env.ts";

export const READY = "Prometheus is ready (plus Grafana and Tempo in Docker mode)";
export const UP = "Prometheus scrapes miniserve: target `miniserve` is UP";

/** The host:port the committed native target file points Prometheus at. */
export function nativeTargetAddress(repoRoot: string): string {
  try {
    const groups = JSON.parse(readFileSync(join(repoRoot, "infra/prometheus/targets/miniserve.json"), "utf8")) as { targets: string[] }[];
    return groups[0]?.targets[0] ?? "(none)";
  } catch {
    return "(unreadable)";
  }
}

/** Shared with lab 01: is the miniserve target up in this Prometheus? */
export async function targetUpCheck(env: CheckEnv, id: string, base: string): Promise<CheckResult> {
  const server = await env.scrapedServer();
  const targets = await waitTargetUp(base, env.quick ? 20_000 : 30_000);
  const up = targets.find((t) => t.health === "up");
  if (up) return pass(id, UP, `${up.scrapeUrl} is up (server ${server.url})`);
  const where = nativeTargetAddress(env.repoRoot);
  if (targets.length === 0) {
    return fail(id, UP, "Prometheus has no active target in job `miniserve`",
      "Prometheus runs with another configuration (a system service, or not started by `npm run stack`), so it does not know the miniserve job.",
      "npm run stack -- down && npm run stack -- up   (on Debian: sudo systemctl stop prometheus first)");
  }
  const t = targets[0]!;
  return fail(id, UP, `${t.scrapeUrl} is ${t.health}: ${t.lastError || "no scrape yet"}`,
    t.lastError.includes("refused")
      ? `nothing answers where Prometheus looks (${where}); miniserve must listen on the port of infra/prometheus/targets/miniserve.json.`
      : "miniserve answers, but GET /metrics fails or returns something Prometheus cannot parse (a 404 means the route is not registered; a 500 means the handler throws).",
    `curl -s -o /dev/null -w '%{http_code}\\n' ${server.url}/metrics   then fix the handler and restart npm run serve`);
}

/** Prometheus, or a failed result for `id` saying what is missing. */
export async function prometheusOr(env: CheckEnv, id: string, title: string): Promise<{ url: string } | CheckResult> {
  const prom = await env.prometheus();
  if (!("missing" in prom)) return prom;
  return fail(id, title, prom.missing,
    "The native path needs the prometheus binary on PATH; the Docker path needs a running Docker daemon (lab 00).",
    "sudo apt-get install prometheus (or brew install prometheus), then npm run stack -- up");
}

export const LAB00_CHECKS: LabChecks = [
  condition("00.stack-ready", READY, async (env, v) => {
    const prom = await prometheusOr(env, "00.stack-ready", READY);
    if ("ok" in prom) return prom;
    const status = await stackStatus({ prometheusPort: env.prometheusPort });
    const states = status.components.map((c) => `${c.name} ${c.state}`).join(", ");
    return status.ok
      ? v.pass(`${status.mode} mode: ${states}`)
      : v.fail(`${status.mode} mode: ${states}`, "A component is not ready: it may still be starting, or its port is taken by another process.",
        status.fix ?? "npm run stack -- status");
  }),
  condition("00.target-up", UP, async (env) => {
    const prom = await prometheusOr(env, "00.target-up", UP);
    return "ok" in prom ? prom : targetUpCheck(env, "00.target-up", prom.url);
  }),
];
