// The built-in viewer's HTTP app (fastify, its own process): the page, its scripts served from the
// repo (no CDN), and JSON endpoints for dashboard panels and local traces. `npm run viewer` (labs 01–02).
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import Fastify from "fastify";
import type { FastifyInstance } from "fastify";
import { panelOption } from "../render/panel-option.ts";
import { tracesPanelOption, waterfallOption } from "../render/trace-option.ts";
import { loadDashboardData } from "./panel-data.ts";
import { viewerPage } from "./page.ts";
import { TraceFolder } from "./traces.ts";
import type { StatusFilter } from "./traces.ts";

export interface ViewerOptions {
  readonly host: string;
  readonly port: number;
  readonly prometheusUrl: string;
  readonly traceDir: string;
  readonly dashboardFile?: string;
  /** Page auto-refresh period (default 5 s). */
  readonly refreshSeconds?: number;
}

export interface Viewer {
  readonly url: string;
  readonly app: FastifyInstance;
  close(): Promise<void>;
}

export const RANGE_MINUTES = [5, 15, 60] as const;
const ASSETS = join(import.meta.dirname, "assets");
const ECHARTS_FILE = createRequire(import.meta.url).resolve("echarts/dist/echarts.min.js");

function asset(file: string): () => string {
  // Read once, on first use: the bundle is 1 MB and never changes while the viewer runs.
  let cached: string | null = null;
  return () => (cached ??= readFileSync(file, "utf8"));
}

/** Builds the app without listening (tests use inject). */
export function buildViewerApp(opts: ViewerOptions): FastifyInstance {
  const app = Fastify({ logger: false });
  const traces = new TraceFolder(opts.traceDir);
  const echartsJs = asset(ECHARTS_FILE);
  const viewerJs = asset(join(ASSETS, "viewer.js"));
  const viewerCss = asset(join(ASSETS, "viewer.css"));
  const page = viewerPage({ prometheusUrl: opts.prometheusUrl, traceDir: opts.traceDir, refreshSeconds: opts.refreshSeconds ?? 5, ranges: RANGE_MINUTES });

  app.get("/", async (_req, reply) => reply.type("text/html; charset=utf-8").send(page));
  app.get("/health", async () => ({ status: "ok" }));
  app.get("/assets/echarts.min.js", async (_req, reply) => reply.type("text/javascript; charset=utf-8").header("cache-control", "max-age=3600").send(echartsJs()));
  app.get("/assets/viewer.js", async (_req, reply) => reply.type("text/javascript; charset=utf-8").send(viewerJs()));
  app.get("/assets/viewer.css", async (_req, reply) => reply.type("text/css; charset=utf-8").send(viewerCss()));

  app.get("/api/dashboard", async (req, reply) => {
    const minutes = Number((req.query as { minutes?: string }).minutes ?? 5);
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 24 * 60) {
      return reply.status(400).send({ error: `minutes must be an integer from 1 to 1440 (the page offers ${RANGE_MINUTES.join(", ")})` });
    }
    const data = await loadDashboardData({ prometheusUrl: opts.prometheusUrl, minutes, ...(opts.dashboardFile ? { dashboardFile: opts.dashboardFile } : {}) });
    const slow = traces.list("all", 8);
    return {
      prometheusUrl: data.prometheusUrl, prometheusError: data.prometheusError, minutes, startMs: data.startMs, endMs: data.endMs,
      stepSeconds: data.stepSeconds, scrapeSeconds: data.scrapeSeconds,
      rows: data.rows.map((row) => ({
        title: row.title,
        panels: row.panels.map((p) => ({
          id: p.id, title: p.title, kind: p.kind, gridPos: p.gridPos, state: p.state, error: p.error ?? null, why: p.why ?? null, queries: p.queries,
          description: p.description,
          // The Tempo panel shows traces of the local export (its TraceQL duration filter applied) instead of Tempo's.
          option: p.state === "traces" ? tracesPanelOption(p, slow) : p.state === "ok" ? panelOption(p, { startMs: data.startMs, endMs: data.endMs }) : null,
          traceCount: p.state === "traces" ? slow.length : null,
        })),
      })),
    };
  });

  app.get("/api/traces", async (req, reply) => {
    const q = req.query as { status?: string; limit?: string };
    const status = (q.status ?? "all") as StatusFilter;
    if (!["all", "ok", "error"].includes(status)) return reply.status(400).send({ error: `status must be all, ok or error (got "${q.status}")` });
    const limit = Math.min(1000, Math.max(1, Number(q.limit ?? 100) || 100));
    return { dir: opts.traceDir, status, traces: traces.list(status, limit) };
  });

  app.get("/api/traces/:traceId", async (req, reply) => {
    const { traceId } = req.params as { traceId: string };
    const detail = /^[0-9a-f]{32}$/.test(traceId) ? traces.trace(traceId) : null;
    if (!detail) return reply.status(404).send({ error: `no trace ${traceId} in ${opts.traceDir} (the export keeps the last two files)` });
    return { ...detail, option: waterfallOption(detail) };
  });
  return app;
}

/** Starts the viewer and resolves once it listens. */
export async function startViewer(opts: ViewerOptions): Promise<Viewer> {
  const app = buildViewerApp(opts);
  await app.listen({ host: opts.host, port: opts.port });
  const address = app.server.address();
  const port = typeof address === "object" && address ? address.port : opts.port;
  return { url: `http://${opts.host}:${port}`, app, close: () => app.close() };
}
