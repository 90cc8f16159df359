// The cost tracker: apportioning rules, the identity over many real requests, one computation
// feeding metrics and logs, and the violation path when engine time maps to no stage (lab 03).
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { PassThrough } from "node:stream";
import { register } from "prom-client";
import type { EngineRequest, StepEvent, StepPhase } from "../../src/engine/index.ts";
import { CostAccumulator, CostTracker } from "../../src/observability/index.ts";
import { startObservedMiniserve } from "../../src/serve/index.ts";
import type { ObservedMiniserve } from "../../src/serve/index.ts";
import { postJson, testConfig, waitFor } from "../helpers/miniserve.ts";

const RATE = 0.001;

test("a prefill step is split by prompt tokens, a decode step equally, retrieval is the request's own", () => {
  const tracker = new CostTracker(RATE);
  const a = new CostAccumulator();
  const b = new CostAccumulator();
  const req = (acc: CostAccumulator) => ({ acc }) as unknown as EngineRequest;
  const ra = req(a);
  const rb = req(b);
  const accOf = (row: { request: EngineRequest }) => (row.request as unknown as { acc: CostAccumulator }).acc;
  tracker.addStep({ phase: "prefill", startMs: 0, endMs: 400, rows: [{ request: ra, tokens: 30 }, { request: rb, tokens: 10 }], paddedTokens: 60 }, accOf);
  tracker.addStep({ phase: "decode", startMs: 400, endMs: 500, rows: [{ request: ra, tokens: 1 }, { request: rb, tokens: 1 }], paddedTokens: 2 }, accOf);
  tracker.addOwnTime(a, "retrieval", 0.05);
  const ca = tracker.finish(a);
  assert.ok(Math.abs(ca.stagesEur.prefill - 0.3 * RATE) < 1e-12);
  assert.ok(Math.abs(ca.stagesEur.decode - 0.05 * RATE) < 1e-12);
  assert.ok(Math.abs(ca.stagesEur.retrieval - 0.05 * RATE) < 1e-12);
  assert.ok(Math.abs(ca.totalEur - 0.4 * RATE) < 1e-12);
  assert.equal(ca.identityHolds, true);
  const cb = tracker.finish(b);
  assert.ok(Math.abs(cb.totalEur - 0.15 * RATE) < 1e-12);
  assert.throws(() => new CostTracker(0), /COST_RATE_PER_SECOND_EUR/);
});

let server: ObservedMiniserve;
const logs: Record<string, unknown>[] = [];
before(async () => {
  const sink = new PassThrough();
  sink.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n")) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
  });
  server = await startObservedMiniserve(testConfig({ LOG_LEVEL: "info", COST_RATE_PER_SECOND_EUR: String(RATE) }), { logDestination: sink });
});
after(async () => server?.close());

async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await register.getMetricsAsJSON()).find((x) => x.name === name);
  const match = (m?.values ?? []).filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val) && (v as { metricName?: string }).metricName === (name.endsWith("_eur") ? `${name}_sum` : undefined));
  return match.reduce((n, v) => n + v.value, 0);
}

test("over many concurrent requests the identity holds, and metrics and logs carry the same cost", async () => {
  const bodies = Array.from({ length: 24 }, (_, i) => ({
    model: "miniserve-tiny", prompt: `request ${i} `.repeat(1 + (i % 7)), max_tokens: 4 + (i % 9), ignore_eos: true,
    ...(i % 4 === 0 ? { retrieval: { top_k: 2 } } : {}), ...(i % 3 === 0 ? { stream: true } : {}),
  }));
  const responses = await Promise.all(bodies.map((b) => postJson(`${server.url}/v1/completions`, b)));
  await Promise.all(responses.map((r) => r.text()));
  await waitFor(() => logs.filter((l) => l["event"] === "request_finished").length >= 24, 10_000, "24 request log lines");
  const lines = logs.filter((l) => l["event"] === "request_finished");
  assert.equal(await metricValue("cost_identity_violations_total"), 0);
  const fromLogs = lines.reduce((n, l) => n + (l["cost_eur"] as number), 0);
  const fromHistogram = await metricValue("cost_per_request_eur");
  const fromStages = (await register.getMetricsAsJSON()).find((x) => x.name === "cost_stage_eur_total")!.values.reduce((n, v) => n + v.value, 0);
  assert.ok(fromLogs > 0);
  assert.ok(Math.abs(fromHistogram - fromLogs) / fromLogs < 1e-9, `histogram ${fromHistogram} vs logs ${fromLogs}`);
  assert.ok(Math.abs(fromStages - fromLogs) / fromLogs < 1e-9, `stage counters ${fromStages} vs logs ${fromLogs}`);
  for (const l of lines) {
    const stages = l["cost_stage_eur"] as Record<string, number>;
    assert.ok(Math.abs(stages["retrieval"]! + stages["prefill"]! + stages["decode"]! - (l["cost_eur"] as number)) < 1e-15);
    assert.ok((l["batch_size"] as number) >= 1);
    assert.equal(typeof l["prompt_sha256"], "string");
    assert.ok(!JSON.stringify(l).includes("request 1 "), "the prompt text is never logged");
  }
  assert.ok(lines.some((l) => (l["cost_stage_eur"] as Record<string, number>)["retrieval"]! > 0), "retrieval is priced");
});

test("engine time in a phase no stage claims breaks the identity: counted and logged", async () => {
  const before = await metricValue("cost_identity_violations_total");
  let victim: EngineRequest | null = null;
  const off = server.engine.events.on("scheduled", ({ request }) => {
    victim ??= request;
  });
  const pending = postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: "an unpriced phase", max_tokens: 32, ignore_eos: true });
  await waitFor(() => victim !== null, 10_000, "the request to be scheduled");
  off();
  // A step of a phase the tracker does not map (say, a future speculative-decoding pass).
  const step: StepEvent = { phase: "speculate" as StepPhase, startMs: 0, endMs: 50, rows: [{ request: victim!, tokens: 1 }], paddedTokens: 1 };
  server.engine.events.emit("step", step);
  assert.equal((await pending).status, 200);
  await waitFor(() => logs.some((l) => l["event"] === "cost_identity_violation"), 5000, "the violation log line");
  assert.equal(await metricValue("cost_identity_violations_total"), before + 1);
  const line = logs.find((l) => l["event"] === "cost_identity_violation")!;
  assert.equal(line["request_id"], victim!.id);
  assert.ok((line["relative_error"] as number) > 0.001);
  assert.ok((line["independent_eur"] as number) > (line["cost_eur"] as number));
});
