// The six core metrics exactly as lab 01 states them, the exposition formats (promtool on the plain
// text, OpenMetrics on request), bounded cardinality under a 404 storm, and a failing gauge callback.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { startObservedMiniserve } from "../../src/serve/index.ts";
import type { ObservedMiniserve } from "../../src/serve/index.ts";
import { bindEngineStats } from "../../src/observability/metrics.ts";
import { postJson, testConfig } from "../helpers/miniserve.ts";
import { requireTool } from "../helpers/require-tool.ts";

let server: ObservedMiniserve;
before(async () => {
  server = await startObservedMiniserve(testConfig());
  const ok = await postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: "A histogram", max_tokens: 4, ignore_eos: true });
  assert.equal(ok.status, 200);
});
after(async () => server?.close());

const scrape = async (accept?: string): Promise<{ body: string; type: string }> => {
  const res = await fetch(`${server.url}/metrics`, accept ? { headers: { accept } } : {});
  assert.equal(res.status, 200);
  return { body: await res.text(), type: res.headers.get("content-type") ?? "" };
};
const seriesOf = (body: string): string[] => body.split("\n").filter((l) => l !== "" && !l.startsWith("#"));

const SIX: [string, string, string[], number[] | null][] = [
  ["request_total", "counter", ["endpoint", "method", "status"], null],
  ["request_duration_seconds", "histogram", ["endpoint", "method"], [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120]],
  ["tokens_total", "counter", ["kind", "model_name"], null],
  ["time_to_first_token_seconds", "histogram", ["model_name"], [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10]],
  ["kv_cache_slots_used", "gauge", [], null],
  ["queue_depth", "gauge", [], null],
];

test("the six core metrics have exactly the names, types, labels and buckets of lab 01", async () => {
  const { body } = await scrape();
  for (const [name, type, labels, buckets] of SIX) {
    assert.match(body, new RegExp(`^# TYPE ${name} ${type}$`, "m"), `${name} is a ${type}`);
    const sample = name + (type === "histogram" ? "_count" : "");
    const lines = seriesOf(body).filter((l) => l.startsWith(`${sample}{`) || l.startsWith(`${sample} `));
    assert.ok(lines.length > 0, `${name} has a series after one request`);
    for (const line of lines) {
      const found = [...(line.match(/\{(.*)\}/)?.[1] ?? "").matchAll(/(\w+)="/g)].map((m) => m[1]).sort();
      assert.deepEqual(found, [...labels].sort(), `${name} labels`);
    }
    if (buckets) {
      const first = seriesOf(body).find((l) => l.startsWith(`${name}_bucket{`))!;
      const rest = first.replace(/le="[^"]*",?/, "").replace(/ .*$/, "");
      const les = seriesOf(body).filter((l) => l.startsWith(`${name}_bucket{`) && l.replace(/le="[^"]*",?/, "").replace(/ .*$/, "") === rest)
        .map((l) => l.match(/le="([^"]*)"/)![1]);
      assert.deepEqual(les, [...buckets.map(String), "+Inf"], `${name} buckets`);
    }
  }
  assert.match(body, /^tokens_total\{kind="prompt",model_name="miniserve-tiny"\} \d+/m);
  assert.match(body, /^tokens_total\{kind="completion",model_name="miniserve-tiny"\} 4$/m);
  assert.doesNotMatch(body, /# TYPE \S+ summary/, "no Summaries");
});

test("process USE metrics are exposed, and nothing outside the catalogue", async () => {
  const { body } = await scrape();
  for (const name of ["process_cpu_seconds_total", "process_resident_memory_bytes", "nodejs_heap_size_used_bytes", "nodejs_eventloop_lag_p99_seconds"]) {
    assert.match(body, new RegExp(`^${name} `, "m"), name);
  }
  assert.doesNotMatch(body, /nodejs_heap_space_size|nodejs_gc_duration/);
});

const promtool = requireTool("promtool");
test("the plain-text exposition passes promtool check metrics", { skip: promtool.skip }, async () => {
  const { body, type } = await scrape();
  assert.match(type, /^text\/plain; version=0\.0\.4/);
  assert.doesNotMatch(body, / # \{/, "no exemplars in the plain-text format");
  const run = spawnSync(promtool.path!, ["check", "metrics"], { input: body, encoding: "utf8", timeout: 20_000 });
  assert.equal(run.status, 0, `promtool: ${run.stdout}${run.stderr}`);
});

test("a scraper that asks for OpenMetrics gets it, and plain text stays intact afterwards", async () => {
  const om = await scrape("application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5");
  assert.match(om.type, /^application\/openmetrics-text/);
  assert.ok(om.body.endsWith("# EOF\n"));
  assert.match(om.body, /^# TYPE request counter$/m);
  assert.match(om.body, /^request_total\{/m);
  const text = await scrape();
  assert.match(text.body, /^# TYPE request_total counter$/m, "counter names keep _total in plain text");
});

test("a storm of random unknown paths adds no series", async () => {
  await fetch(`${server.url}/does-not-exist`);
  const before = seriesOf((await scrape()).body).filter((l) => l.startsWith("request_")).length;
  await Promise.all(Array.from({ length: 200 }, (_, i) => fetch(`${server.url}/x/${i}/${Math.random().toString(36).slice(2)}?q=${i}`)));
  const after = seriesOf((await scrape()).body).filter((l) => l.startsWith("request_"));
  assert.equal(after.length, before, "same number of request_* series");
  assert.ok(after.some((l) => l.includes('endpoint="unmatched"') && l.includes('status="404"')));
  assert.ok(!after.some((l) => l.includes("/x/")), "no raw URL in a label");
});

test("a gauge callback that throws is logged and the scrape still answers", async () => {
  const errors: string[] = [];
  bindEngineStats({ stats: () => { throw new Error("stats exploded"); } }, (metric) => errors.push(metric));
  try {
    const { body } = await scrape();
    assert.match(body, /^request_total\{/m);
    assert.ok(errors.includes("kv_cache_slots_used") && errors.includes("queue_depth"));
  } finally {
    bindEngineStats(server.engine);
  }
});
