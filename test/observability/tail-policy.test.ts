// The sampling policy end to end, on miniserve as `npm run serve` runs it with OTEL_TRACES_SAMPLER_ARG=0:
// ordinary requests leave no trace, an aborted one is kept whole with its stage spans, the local
// store holds no orphan, and the decisions are counted by rule.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import { orphanSpans, readTraceFiles } from "../../src/observability/index.ts";
import { postJson } from "../helpers/miniserve.ts";
import { eventually, spawnObserved } from "./observed-child.ts";
import type { ObservedChild } from "./observed-child.ts";

let server: ObservedChild;
before(async () => {
  server = await spawnObserved({ OTEL_TRACES_SAMPLER_ARG: "0", MINISERVE_TRACE_KEEP_SLOWER_THAN_MS: "60000" });
});
after(() => server.stop());

function abortAfterFirstChunk(): Promise<string> {
  return new Promise((resolve) => {
    const req = request(`${server.url}/v1/completions`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      res.once("data", () => {
        resolve(String(res.headers["x-trace-id"]));
        req.destroy();
      });
    });
    req.on("error", () => {});
    req.end(JSON.stringify({ model: "miniserve-tiny", prompt: "kept for its error", max_tokens: 200, ignore_eos: true, stream: true }));
  });
}

test("ratio 0: ordinary traces are dropped, an aborted request's trace is kept with every stage, no orphans", async () => {
  const ordinary = await Promise.all(Array.from({ length: 3 }, (_, i) =>
    postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: `ordinary ${i}`, max_tokens: 4, audit: i === 0 })));
  const ordinaryIds = ordinary.map((r) => r.headers.get("x-trace-id")!);
  // Recorded but not certain to be kept: the traceparent handed back says "not sampled".
  for (const r of ordinary) assert.match(r.headers.get("traceparent") ?? "", /-00$/);
  await Promise.all(ordinary.map((r) => r.text()));
  const failedId = await abortAfterFirstChunk();

  const kept = await eventually(() => {
    const spans = readTraceFiles(server.traceDir).filter((s) => s.traceId === failedId);
    return spans.some((s) => s.name === "decode") ? spans : undefined;
  }, 10_000, "the aborted request's trace with its stage spans");
  const names = new Set(kept.map((s) => s.name));
  for (const stage of ["POST /v1/completions", "tokenize", "queue", "prefill", "decode"]) assert.ok(names.has(stage), `${stage} in ${[...names].join(", ")}`);
  await new Promise((r) => setTimeout(r, 1500));
  const all = readTraceFiles(server.traceDir);
  for (const id of ordinaryIds) assert.ok(!all.some((s) => s.traceId === id), `ordinary trace ${id} was exported`);
  assert.deepEqual(orphanSpans(all), []);

  const text = await eventually(async () => {
    const body = await (await fetch(`${server.url}/metrics`)).text();
    return /^trace_sampling_decisions_total\{decision="keep",rule="error"\} [1-9]/m.test(body) ? body : undefined;
  }, 15_000, "the error decision counted");
  assert.match(text, /^trace_sampling_decisions_total\{decision="drop",rule="none"\} [3-9]/m);
  assert.match(text, /^trace_sampling_decisions_total\{decision="keep",rule="ratio"\} 0$/m);
  assert.match(text, /^trace_sample_ratio 0$/m);
  assert.match(text, /^trace_orphan_spans_total 0$/m);
});
