// Runs every PromQL expression of the dashboard against a real Prometheus (the native one, on a
// free port with a temp data dir): a parse error comes back as status "error". Empty results are fine.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PANELS, RATE_WINDOW } from "../../src/dashboard/index.ts";
import { stackDown, stackUp } from "../../src/stack/stack.ts";
import { freePort, tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";

const tool = requireTool("prometheus");
const data = tempDir("promql");
let base = "";

before(async () => {
  if (tool.skip) return;
  const port = await freePort();
  await stackUp({ mode: "native", prometheusPort: port, dataDir: data.dir, readyTimeoutMs: 30_000 });
  base = `http://127.0.0.1:${port}`;
});

after(async () => {
  if (!tool.skip) await stackDown({ mode: "native", dataDir: data.dir });
  data.cleanup();
});

async function api(path: string, query: string): Promise<{ status: string; error?: string }> {
  const res = await fetch(`${base}${path}?${new URLSearchParams({ query })}`);
  return (await res.json()) as { status: string; error?: string };
}

/** Grafana replaces $__rate_interval before sending; 1m stands in for it here. */
const substitute = (expr: string): string => expr.split(RATE_WINDOW).join("1m");

test("Prometheus accepts every dashboard expression", { skip: tool.skip }, async () => {
  const queries = PANELS.filter((p) => p.datasource === "prometheus").flatMap((p) => p.queries.map((q) => ({ p, q })));
  assert.ok(queries.length > 20);
  for (const { p, q } of queries) {
    const body = await api("/api/v1/query", substitute(q.expr));
    assert.equal(body.status, "success", `panel ${p.id} "${p.title}" ${q.refId}: ${body.error}\n  ${q.expr}`);
  }
});

test("the exemplar API accepts the queries that ask for exemplars", { skip: tool.skip }, async () => {
  for (const p of PANELS) {
    for (const q of p.queries.filter((query) => query.exemplar)) {
      const body = await api("/api/v1/query_exemplars", substitute(q.expr));
      assert.equal(body.status, "success", `panel ${p.id} ${q.refId}: ${body.error}`);
    }
  }
});
