// `npm run audit-panels` against a real Prometheus scraping a real miniserve every 5 s, as the lab
// stack does: every panel of llm.json has data within 60 s of the warm-up, as Grafana runs its queries.
// A dashboard with a panel that reads a counter nobody initialised fails the audit, naming the query.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { DASHBOARD_FILE, REPO_ROOT } from "../../src/stack/paths.ts";
import { tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";
import { startLiveStack } from "./live-stack.ts";
import type { LiveStack } from "./live-stack.ts";

const prom = requireTool("prometheus");
const data = tempDir("panel-audit");
let stack: LiveStack | null = null;

before(async () => {
  if (prom.skip) return;
  stack = await startLiveStack(data.dir, prom.path!, 5);
});

after(async () => {
  await stack?.stop();
  data.cleanup();
});

function audit(...extra: string[]): { status: number | null; out: string } {
  const res = spawnSync(process.execPath, ["--import", "tsx", "src/cli/audit-panels.ts", "--prometheus", stack!.prometheusUrl, "--url", stack!.miniserveUrl, ...extra], {
    cwd: REPO_ROOT, encoding: "utf8", timeout: 150_000,
  });
  return { status: res.status, out: `${res.stdout}${res.stderr}` };
}

test("npm run audit-panels: every Prometheus panel of llm.json has data within 60 s of the warm-up", { skip: prom.skip, timeout: 180_000 }, () => {
  const { status, out } = audit();
  assert.equal(status, 0, `${out}\n${stack!.logs()}`);
  assert.match(out, /every Prometheus panel of the dashboard has data \(\d+ panels\)/);
  assert.doesNotMatch(out, /✘/);
  // Titles come out with the sample-ratio variable resolved, as Grafana shows them.
  assert.match(out, /exemplars at sample ratio 1\b/);
});

test("a panel over a labelled counter that never moved fails the audit and is named", { skip: prom.skip, timeout: 120_000 }, () => {
  const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, "utf8")) as { panels: { id: number; targets?: { expr?: string }[] }[] };
  const spans = dashboard.panels.find((p) => p.id === 404)!;
  spans.targets![0]!.expr = "sum by (event) (rate(observability_subscriber_errors_total[$__rate_interval]))";
  const file = join(data.dir, "broken.json");
  writeFileSync(file, JSON.stringify(dashboard));
  const { status, out } = audit("--dashboard", file, "--timeout", "10");
  assert.equal(status, 1, out);
  assert.match(out, /✘ {2}404 Spans dropped: no data after 10 s/);
  assert.match(out, /1 of \d+ Prometheus panels have no data/);
});
