// Flags and environment of `npm run viewer`, `npm run render-dashboard` and `npm run audit-panels`:
// parsed strictly, with a usage message on anything unexpected (exit 2). Labs 00–02.
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { MiniserveError } from "../errors/codes.ts";
import { DASHBOARD_FILE, REPO_ROOT } from "../stack/paths.ts";

export const DEFAULT_VIEWER_PORT = 3100;
export const DEFAULT_PROMETHEUS_URL = "http://127.0.0.1:9090";
export const DEFAULT_TRACE_DIR = resolve(REPO_ROOT, ".data", "traces");

export const VIEWER_USAGE = `usage: npm run viewer -- [options]

  --port N           port on 127.0.0.1 (env VIEWER_PORT, default ${DEFAULT_VIEWER_PORT}; Grafana keeps 3000)
  --host HOST        address to listen on (env VIEWER_HOST, default 127.0.0.1)
  --prometheus URL   Prometheus to query (env PROMETHEUS_URL, default ${DEFAULT_PROMETHEUS_URL})
  --trace-dir DIR    local span export to read (env MINISERVE_TRACE_DIR, default .data/traces)
  --dashboard FILE   dashboard JSON (default infra/grafana/dashboards/llm.json)
  --refresh SECONDS  page auto-refresh period (default 5)`;

export const RENDER_USAGE = `usage: npm run render-dashboard -- --out FILE.png [options]

  --out FILE         where to write the PNG (required)
  --prometheus URL   Prometheus to query (env PROMETHEUS_URL, default ${DEFAULT_PROMETHEUS_URL})
  --minutes N        time range ending now (default 15)
  --width PX         image width (default 1600)
  --trace-dir DIR    local span export for the slow-traces panel (default .data/traces)
  --dashboard FILE   dashboard JSON (default infra/grafana/dashboards/llm.json)`;

export const AUDIT_USAGE = `usage: npm run audit-panels -- [options]

  Sends a few warm-up requests to miniserve, then runs every query of the dashboard against
  Prometheus as Grafana would, until each panel has data. Exit 1 when one is still empty.

  --prometheus URL   Prometheus scraping miniserve (env PROMETHEUS_URL, default ${DEFAULT_PROMETHEUS_URL})
  --url URL          miniserve to warm up (env MINISERVE_URL, default http://127.0.0.1:8000)
  --timeout SECONDS  how long panels may take to show data after the warm-up (default 60)
  --dashboard FILE   dashboard JSON (default infra/grafana/dashboards/llm.json)`;

function usage(why: string): never {
  throw new MiniserveError("MSV_ERR_VIEWER_USAGE", why);
}

function parse(argv: readonly string[], names: readonly string[]): Record<string, string | undefined> {
  try {
    const { values } = parseArgs({
      args: [...argv], strict: true, allowPositionals: false,
      options: Object.fromEntries([...names.map((n) => [n, { type: "string" as const }]), ["help", { type: "boolean" as const, short: "h" }]]),
    });
    return values as Record<string, string | undefined>;
  } catch (err) {
    return usage((err as Error).message);
  }
}

function int(raw: string, flag: string, min: number, max: number): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n) || n < min || n > max) usage(`${flag} must be an integer from ${min} to ${max} (got "${raw}")`);
  return n;
}

function httpUrl(raw: string, flag: string): string {
  try {
    const u = new URL(raw);
    if (u.protocol === "http:" || u.protocol === "https:") return raw.replace(/\/+$/, "");
  } catch {
    // reported below
  }
  return usage(`${flag} must be an http:// URL such as ${DEFAULT_PROMETHEUS_URL} (got "${raw}")`);
}

export interface ViewerArgs {
  readonly help: boolean;
  readonly host: string;
  readonly port: number;
  readonly prometheusUrl: string;
  readonly traceDir: string;
  readonly dashboardFile: string;
  readonly refreshSeconds: number;
}

export function parseViewerArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ViewerArgs {
  const v = parse(argv, ["port", "host", "prometheus", "trace-dir", "dashboard", "refresh"]);
  const port = v.port ?? env.VIEWER_PORT;
  return {
    help: Boolean(v.help),
    host: v.host ?? env.VIEWER_HOST ?? "127.0.0.1",
    port: port === undefined ? DEFAULT_VIEWER_PORT : int(port, v.port ? "--port" : "VIEWER_PORT", 0, 65535),
    prometheusUrl: httpUrl(v.prometheus ?? env.PROMETHEUS_URL ?? DEFAULT_PROMETHEUS_URL, "--prometheus"),
    traceDir: resolve(REPO_ROOT, v["trace-dir"] ?? env.MINISERVE_TRACE_DIR ?? DEFAULT_TRACE_DIR),
    dashboardFile: resolve(v.dashboard ?? DASHBOARD_FILE),
    refreshSeconds: v.refresh === undefined ? 5 : int(v.refresh, "--refresh", 1, 3600),
  };
}

export interface RenderArgs {
  readonly help: boolean;
  readonly out: string;
  readonly prometheusUrl: string;
  readonly minutes: number;
  readonly width: number;
  readonly traceDir: string;
  readonly dashboardFile: string;
}

export function parseRenderArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): RenderArgs {
  const v = parse(argv, ["out", "prometheus", "minutes", "width", "trace-dir", "dashboard"]);
  if (v.help) return { help: true, out: "", prometheusUrl: "", minutes: 0, width: 0, traceDir: "", dashboardFile: "" };
  if (!v.out) usage("--out FILE is required");
  return {
    help: false,
    out: resolve(v.out),
    prometheusUrl: httpUrl(v.prometheus ?? env.PROMETHEUS_URL ?? DEFAULT_PROMETHEUS_URL, "--prometheus"),
    minutes: v.minutes === undefined ? 15 : int(v.minutes, "--minutes", 1, 24 * 60),
    width: v.width === undefined ? 1600 : int(v.width, "--width", 400, 8000),
    traceDir: resolve(REPO_ROOT, v["trace-dir"] ?? env.MINISERVE_TRACE_DIR ?? DEFAULT_TRACE_DIR),
    dashboardFile: resolve(v.dashboard ?? DASHBOARD_FILE),
  };
}

export interface AuditArgs {
  readonly help: boolean;
  readonly prometheusUrl: string;
  readonly miniserveUrl: string;
  readonly timeoutSeconds: number;
  readonly dashboardFile: string;
}

export function parseAuditArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): AuditArgs {
  const v = parse(argv, ["prometheus", "url", "timeout", "dashboard"]);
  return {
    help: Boolean(v.help),
    prometheusUrl: httpUrl(v.prometheus ?? env.PROMETHEUS_URL ?? DEFAULT_PROMETHEUS_URL, "--prometheus"),
    miniserveUrl: httpUrl(v.url ?? env.MINISERVE_URL ?? "http://127.0.0.1:8000", "--url"),
    timeoutSeconds: v.timeout === undefined ? 60 : int(v.timeout, "--timeout", 5, 3600),
    dashboardFile: resolve(v.dashboard ?? DASHBOARD_FILE),
  };
}
