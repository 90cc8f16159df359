// Requests the client abandons stay in RED: 20 aborted streams move request_total by 20 (status 499)
// and the duration histogram with them, each writes one log line with its trace id, and each server
// span ends in error instead of looking like a 200. A request cut for arriving too slowly is a 408.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { request } from "node:http";
import { readTraceFiles } from "../../src/observability/index.ts";
import { eventually, spawnObserved } from "./observed-child.ts";
import type { ObservedChild } from "./observed-child.ts";

let server: ObservedChild;
before(async () => {
  server = await spawnObserved({ MINISERVE_REQUEST_TIMEOUT_MS: "800", MINISERVE_HEADERS_TIMEOUT_MS: "400" });
});
after(() => server.stop());

/** request_total summed over every series except the scrapes themselves, and one status. */
async function counts(): Promise<{ total: number; aborted: number; timedOut: number; durations: number }> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  let total = 0;
  let aborted = 0;
  let timedOut = 0;
  for (const m of text.matchAll(/^request_total\{([^}]*)\} (\d+)/gm)) {
    if (m[1]!.includes('endpoint="/metrics"')) continue;
    total += Number(m[2]);
    if (m[1]!.includes('status="499"')) aborted += Number(m[2]);
    if (m[1]!.includes('status="408"')) timedOut += Number(m[2]);
  }
  const durations = Number(/^request_duration_seconds_count\{endpoint="\/v1\/completions",method="POST"\} (\d+)/m.exec(text)?.[1] ?? 0);
  return { total, aborted, timedOut, durations };
}

/** A streamed generation whose client hangs up after the first chunk; resolves with its trace id. */
function abortedStream(i: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${server.url}/v1/completions`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      res.once("data", () => {
        resolve(String(res.headers["x-trace-id"]));
        req.destroy();
      });
    });
    req.on("error", () => {});
    req.setTimeout(10_000, () => reject(new Error("no first chunk")));
    req.end(JSON.stringify({ model: "miniserve-tiny", prompt: `abandoned ${i}`, max_tokens: 200, ignore_eos: true, stream: true }));
  });
}

test("20 aborted streams: request_total +20 with status 499, one log line each, server spans in error", async () => {
  const before = await counts();
  const traceIds: string[] = [];
  for (let i = 0; i < 20; i += 5) traceIds.push(...await Promise.all([0, 1, 2, 3, 4].map((j) => abortedStream(i + j))));
  const after = await eventually(async () => {
    const c = await counts();
    return c.aborted - before.aborted >= 20 ? c : undefined;
  }, 10_000, "request_total{status=\"499\"} to move by 20");
  assert.equal(after.total - before.total, 20, "every aborted request counted once, nothing else");
  assert.equal(after.aborted - before.aborted, 20);
  assert.equal(after.durations - before.durations, 20, "request_duration_seconds counts them too");

  const lines = await eventually(() => {
    const found = server.logs.filter((l) => l["event"] === "request_aborted" && traceIds.includes(String(l["trace_id"])));
    return found.length >= 20 ? found : undefined;
  }, 5000, "one request_aborted line per abort");
  assert.equal(lines.length, 20);
  assert.equal(new Set(lines.map((l) => l["trace_id"])).size, 20);
  for (const l of lines) assert.equal(l["status"], 499);

  const spans = await eventually(() => {
    const all = readTraceFiles(server.traceDir).filter((s) => s.kind === "SERVER" && traceIds.includes(s.traceId));
    return all.length >= 20 ? all : undefined;
  }, 10_000, "the 20 server spans in the local store");
  for (const s of spans) {
    assert.equal(s.status.code, "error", `${s.traceId}: ${JSON.stringify(s.status)}`);
    assert.equal(s.attributes["http.response.status_code"], 499);
    assert.match(s.status.message ?? "", /client closed the connection/);
  }
});

test("a half-sent body is counted as a 408, with its log line", async () => {
  const before = await counts();
  const { port } = new URL(server.url);
  await new Promise<void>((resolve) => {
    const socket = connect(Number(port), "127.0.0.1", () => {
      socket.write("POST /v1/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"mo");
    });
    socket.on("error", () => {});
    socket.on("close", () => resolve());
    socket.resume();
  });
  const after = await eventually(async () => {
    const c = await counts();
    return c.timedOut > before.timedOut ? c : undefined;
  }, 5000, "request_total{status=\"408\"} to move");
  assert.equal(after.timedOut - before.timedOut, 1);
  assert.equal(after.aborted, before.aborted, "a server-side cut is not a client abort");
  assert.ok(server.logs.some((l) => l["status"] === 408 && l["error_code"] === "MSV_ERR_REQUEST_TIMEOUT"));
});
