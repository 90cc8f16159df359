// A real Prometheus with exemplar storage scrapes miniserve (OpenMetrics via Accept) every second
// and stores the trace_id exemplars of the latency, TTFT and cost histograms (labs 01–02).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, tempDir } from "../helpers/free-port.ts";
import { postJson } from "../helpers/miniserve.ts";
import { requireTool } from "../helpers/require-tool.ts";
import { eventually, spawnObserved } from "./observed-child.ts";
import type { ObservedChild } from "./observed-child.ts";

const prometheusTool = requireTool("prometheus");
let server: ObservedChild | undefined;
let prometheus: ChildProcess | undefined;
let promUrl = "";
const tmp = tempDir("miniserve-prom");

before(async () => {
  if (prometheusTool.skip) return;
  server = await spawnObserved();
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  const config = join(tmp.dir, "prometheus.yml");
  writeFileSync(config, [
    "global:", "  scrape_interval: 1s", "  scrape_timeout: 900ms",
    "scrape_configs:", "  - job_name: miniserve", "    static_configs:", `      - targets: ["${new URL(server.url).host}"]`, "",
  ].join("\n"));
  prometheus = spawn(prometheusTool.path!, [
    `--config.file=${config}`, `--storage.tsdb.path=${join(tmp.dir, "data")}`, `--web.listen-address=127.0.0.1:${port}`,
    "--enable-feature=exemplar-storage", "--log.level=warn",
  ], { stdio: "ignore" });
  await eventually(async () => ((await fetch(`${promUrl}/-/ready`).then((r) => r.ok, () => false)) ? true : undefined), 30_000, "Prometheus to be ready");
});
after(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((r) => prometheus!.once("exit", r));
    prometheus.kill("SIGTERM");
    await exited;
  }
  await server?.stop();
  tmp.cleanup();
});

interface ExemplarAnswer { status: string; data: { seriesLabels: Record<string, string>; exemplars: { labels: Record<string, string>; value: string }[] }[] }

test("Prometheus stores trace_id exemplars that lead to the request's trace", { skip: prometheusTool.skip }, async () => {
  const target = await eventually(async () => {
    const r = (await (await fetch(`${promUrl}/api/v1/targets?state=active`)).json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
    return r.data.activeTargets[0]?.health === "up" ? r.data.activeTargets[0] : undefined;
  }, 20_000, "the scrape target to be up");
  assert.equal(target.lastError, "");
  const traceIds = new Set<string>();
  for (let i = 0; i < 4; i++) {
    const res = await postJson(`${server!.url}/v1/completions`, { model: "miniserve-tiny", prompt: `exemplar ${i}`, max_tokens: 5 });
    assert.equal(res.status, 200);
    traceIds.add(res.headers.get("x-trace-id")!);
    await res.text();
  }
  for (const metric of ["request_duration_seconds_bucket", "time_to_first_token_seconds_bucket", "cost_per_request_eur_bucket"]) {
    const answer = await eventually(async () => {
      const now = Date.now() / 1000;
      const r = (await (await fetch(`${promUrl}/api/v1/query_exemplars?query=${metric}&start=${now - 300}&end=${now + 60}`)).json()) as ExemplarAnswer;
      return r.data.some((s) => s.exemplars.length > 0) ? r : undefined;
    }, 20_000, `exemplars of ${metric}`);
    const ids = answer.data.flatMap((s) => s.exemplars.map((e) => e.labels["trace_id"]));
    assert.ok(ids.some((id) => id !== undefined && traceIds.has(id)), `${metric}: an exemplar names one of the requests' traces (${ids.join(", ")})`);
  }
});
