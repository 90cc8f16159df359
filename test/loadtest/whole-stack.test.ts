// A quick load through the whole stack, as CI runs it: a real instrumented miniserve scraped by a
// real Prometheus, `npm run loadtest` for ~10 s with --render-dashboard. The run must have 0 errors,
// populated cost histograms (read back from Prometheus) and a rendered dashboard image.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { pngSize } from "../../src/render/chart-png.ts";
import { tempDir } from "../helpers/free-port.ts";
import { useLiveStack } from "../viewer/live-stack.ts";

const live = useLiveStack("whole-stack");
const data = tempDir("whole-stack-runs");
after(() => data.cleanup());

async function promValue(expr: string): Promise<number> {
  const res = await fetch(`${live.stack().prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { data: { result: { value: [number, string] }[] } };
  return Number(body.data.result[0]?.value[1] ?? 0);
}

test("10 s at 20 req/s through the whole stack: 0 errors, cost histograms populated, dashboard rendered", { skip: live.skip, timeout: 240_000 }, async () => {
  const stack = live.stack();
  const out = join(data.dir, "runs");
  const run = spawnSync(process.execPath, [
    "--import", "tsx", "src/cli/loadtest.ts",
    "--url", stack.miniserveUrl, "--prometheus", stack.prometheusUrl,
    "--rate", "20", "--duration", "10", "--connections", "50", "--out", out, "--render-dashboard",
  ], { encoding: "utf8", timeout: 200_000 });
  assert.equal(run.status, 0, `${run.stdout}\n${run.stderr}\n${stack.logs()}`);

  const [runId] = readdirSync(out);
  assert.ok(runId, "the run folder exists");
  const dir = join(out, runId);
  const results = JSON.parse(readFileSync(join(dir, "results.json"), "utf8")) as { client: { counts: { sent: number; ok: number; non2xx: number; connectionErrors: number; timeouts: number } } };
  const c = results.client.counts;
  assert.ok(c.sent >= 180, `sent only ${c.sent}`);
  assert.equal(c.ok, c.sent);
  assert.deepEqual([c.non2xx, c.connectionErrors, c.timeouts], [0, 0, 0]);

  assert.ok(await promValue("sum(cost_per_request_eur_count)") >= c.ok, "cost_per_request_eur has an observation per request");
  assert.ok(await promValue("sum(cost_per_request_eur_sum)") > 0);
  assert.ok(await promValue("sum(cost_per_1k_output_tokens_eur_count)") > 0);
  assert.equal(await promValue("sum(cost_identity_violations_total)"), 0);

  const summary = readFileSync(join(dir, "summary.md"), "utf8");
  assert.match(summary, /Cost per 1k output tokens: mean €[0-9.e-]+, p95 €[0-9.e-]+/);
  // The quantiles come from the fine GenAI histograms; lab 01's are shown beside them, never alone.
  assert.match(summary, /\| time to first token p95 \(ms\) \| [0-9.]+ \| [0-9.]+ \(bucket [^)]+\) \| /);
  assert.ok(existsSync(join(dir, "dashboard.png")), summary);
  const size = pngSize(readFileSync(join(dir, "dashboard.png")));
  assert.ok(size.width >= 1000 && size.height >= 1000, JSON.stringify(size));
});
