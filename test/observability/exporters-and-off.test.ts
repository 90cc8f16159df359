// An unreachable OTLP endpoint never fails a request, the drop counter moves for that exporter and one
// warning says so; with MINISERVE_OBSERVABILITY=off the same server has no /metrics route and writes no spans.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { freePort } from "../helpers/free-port.ts";
import { postJson } from "../helpers/miniserve.ts";
import { readTraceFiles } from "../../src/observability/index.ts";
import { eventually, spawnObserved } from "./observed-child.ts";

test("an unreachable OTLP endpoint: requests succeed, spans still reach the local store, drops are counted and logged once", async () => {
  const closedPort = await freePort(); // nothing listens there
  const server = await spawnObserved({ OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${closedPort}`, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" });
  try {
    const started = Date.now();
    const responses = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: `unreachable ${i}`, max_tokens: 4 })));
    assert.deepEqual(responses.map((r) => r.status), [200, 200, 200, 200, 200, 200]);
    await Promise.all(responses.map((r) => r.text()));
    assert.ok(Date.now() - started < 15_000, "requests are not held up by the exporter");
    const dropped = await eventually(async () => {
      const body = await (await fetch(`${server.url}/metrics`)).text();
      const m = body.match(/^trace_spans_dropped_total\{exporter="otlp",reason="export_failed"\} (\d+)/m);
      return m && Number(m[1]) > 0 ? Number(m[1]) : undefined;
    }, 20_000, "trace_spans_dropped_total{exporter=\"otlp\",reason=\"export_failed\"} to move");
    assert.ok(dropped >= 6, `at least one span per request dropped, got ${dropped}`);
    const body = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(body, /^trace_spans_dropped_total\{exporter="local",reason="export_failed"\} 0$/m, "the local store lost nothing");
    // More requests, more failed exports: still the one line (at most one a minute).
    await Promise.all(Array.from({ length: 4 }, (_, i) => postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: `again ${i}`, max_tokens: 2 }).then((r) => r.text())));
    await new Promise((r) => setTimeout(r, 2500));
    const warnings = server.logs.filter((l) => l["event"] === "otlp_export_failed");
    assert.equal(warnings.length, 1, JSON.stringify(warnings));
    assert.equal(warnings[0]!["endpoint"], `http://127.0.0.1:${closedPort}`);
    assert.ok(Number(warnings[0]!["spans_dropped"]) > 0);
    const traceId = responses[0]!.headers.get("x-trace-id")!;
    await eventually(() => (readTraceFiles(server.traceDir).some((s) => s.traceId === traceId) ? true : undefined), 5000, "the local copy");
  } finally {
    await server.stop();
  }
});

test("observability off: no /metrics route, no trace headers, no spans, requests still served", async () => {
  const server = await spawnObserved({ MINISERVE_OBSERVABILITY: "off" });
  try {
    const res = await postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: "bare", max_tokens: 3 });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("x-trace-id"), null);
    assert.equal(res.headers.get("traceparent"), null);
    assert.ok(res.headers.get("x-request-id"));
    await res.json();
    assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
    assert.equal((await fetch(`${server.url}/traces`)).status, 404);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(existsSync(server.traceDir), false, "no trace store was even created");
  } finally {
    await server.stop();
  }
});
