// A built-in trace viewer on the instrumented server: GET /traces lists recent traces, GET
// /traces/:traceId draws one as a waterfall; ?format=json gives the same data to lab checks (lab 02).
import type { FastifyInstance, FastifyReply } from "fastify";
import type { LocalTraceStore, StoredSpan } from "./local-trace-store.ts";

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const PAGE = (title: string, body: string): string => `<!doctype html><html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font:14px system-ui,sans-serif;margin:1.5rem;color:#222}table{border-collapse:collapse;width:100%}
td,th{padding:.25rem .5rem;border-bottom:1px solid #eee;text-align:left;vertical-align:top}.bar{height:14px;background:#4a7bd0;border-radius:2px}
.err .bar{background:#d04a4a}.name{white-space:nowrap}.attrs{font:12px monospace;color:#555}a{color:#1a56b0}</style></head>
<body><h1>${esc(title)}</h1>${body}</body></html>`;

function wantsJson(query: unknown, accept: string | undefined): boolean {
  return (query as { format?: string }).format === "json" || (accept ?? "").includes("application/json");
}

/** Depth of each span below its trace's root, for the indentation of the waterfall. */
function depths(spans: readonly StoredSpan[]): Map<string, number> {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const out = new Map<string, number>();
  const depth = (s: StoredSpan, guard = 0): number => {
    const parent = s.parentSpanId ? byId.get(s.parentSpanId) : undefined;
    return parent && guard < 32 ? depth(parent, guard + 1) + 1 : 0;
  };
  for (const s of spans) out.set(s.spanId, depth(s));
  return out;
}

function waterfall(spans: readonly StoredSpan[]): string {
  const start = Math.min(...spans.map((s) => s.startMs));
  const total = Math.max(1e-6, Math.max(...spans.map((s) => s.endMs)) - start);
  const depth = depths(spans);
  const rows = spans.map((s) => {
    const left = ((s.startMs - start) / total) * 100;
    const width = Math.max(0.3, (s.durationMs / total) * 100);
    const attrs = Object.entries(s.attributes).map(([k, v]) => `${esc(k)}=${esc(JSON.stringify(v))}`).join(" ");
    const events = s.events.map((e) => `event ${esc(e.name)} at +${(e.timeMs - start).toFixed(2)} ms`).join("; ");
    return `<tr class="${s.status.code === "error" ? "err" : ""}"><td class="name" style="padding-left:${(depth.get(s.spanId) ?? 0) * 1.2 + 0.5}rem">${esc(s.name)}<br><small>${esc(s.service)}</small></td>
<td>${s.durationMs.toFixed(2)} ms</td><td style="width:45%"><div class="bar" style="margin-left:${left}%;width:${width}%"></div></td>
<td class="attrs">${attrs}${events ? `<br>${events}` : ""}${s.status.message ? `<br>status: ${esc(s.status.message)}` : ""}</td></tr>`;
  });
  return `<table><tr><th>span</th><th>duration</th><th>timeline</th><th>attributes</th></tr>${rows.join("")}</table>`;
}

export function registerTraceViewer(app: FastifyInstance, store: LocalTraceStore): void {
  app.get("/traces", async (req, reply: FastifyReply) => {
    const limit = Math.min(500, Math.max(1, Number((req.query as { limit?: string }).limit ?? 50) || 50));
    const traces = store.recentTraces(limit);
    if (wantsJson(req.query, req.headers.accept)) return { traces };
    const rows = traces.map((t) => `<tr class="${t.error ? "err" : ""}"><td><a href="/traces/${t.traceId}">${t.traceId}</a></td><td>${esc(t.rootName)}</td>
<td>${new Date(t.startMs).toISOString()}</td><td>${t.durationMs.toFixed(1)} ms</td><td>${t.spanCount}</td><td>${t.costEur === null ? "" : t.costEur.toExponential(3)}</td></tr>`);
    return reply.type("text/html; charset=utf-8").send(PAGE("Recent traces",
      `<p>The last ${traces.length} traces this process kept in memory (newest first). Every span is also in .data/traces/spans.jsonl.</p>
<table><tr><th>trace id</th><th>root span</th><th>start</th><th>duration</th><th>spans</th><th>cost €</th></tr>${rows.join("")}</table>`));
  });

  app.get("/traces/:traceId", async (req, reply: FastifyReply) => {
    const { traceId } = req.params as { traceId: string };
    const spans = /^[0-9a-f]{32}$/.test(traceId) ? store.trace(traceId) : [];
    if (wantsJson(req.query, req.headers.accept)) {
      if (spans.length === 0) return reply.status(404).send({ error: { message: `No trace ${traceId} in memory; it may have been evicted (see .data/traces/spans.jsonl).`, code: "MSV_ERR_NOT_FOUND" } });
      return { traceId, spans };
    }
    if (spans.length === 0) return reply.status(404).type("text/html; charset=utf-8").send(PAGE("Trace not found", `<p>No trace ${esc(traceId)} in memory. <a href="/traces">Recent traces</a></p>`));
    return reply.type("text/html; charset=utf-8").send(PAGE(`Trace ${traceId}`, `<p><a href="/traces">← recent traces</a></p>${waterfall(spans)}`));
  });
}
