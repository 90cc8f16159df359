// Lab 01's "before any traffic" table: the readiness probe that started the server and the scrapes of
// /metrics are per-route requests too, so the table shows them apart instead of as traffic.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { coreMetricsMarkdown } from "../../src/labs/notebook-views.ts";

let exposition = "";
const server = createServer((_req, res) => res.end(exposition));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
after(() => server.close());

const lines = (...l: string[]) => `${l.join("\n")}\n`;
const row = (table: string, metric: string) => table.split("\n").find((r) => r.startsWith(`| \`${metric}\``)) ?? "";

test("before any traffic: request_total is 0, the readiness probe shown apart", async () => {
  exposition = lines(
    "# TYPE request_total counter", 'request_total{endpoint="/ready",method="GET",status="200"} 1',
    "# TYPE request_duration_seconds histogram", 'request_duration_seconds_bucket{endpoint="/ready",method="GET",le="+Inf"} 1',
    'request_duration_seconds_sum{endpoint="/ready",method="GET"} 0.002', 'request_duration_seconds_count{endpoint="/ready",method="GET"} 1',
    "# TYPE tokens_total counter", "# TYPE time_to_first_token_seconds histogram", "# TYPE kv_cache_slots_used gauge", "kv_cache_slots_used 0", "# TYPE queue_depth gauge", "queue_depth 0",
  );
  const table = await coreMetricsMarkdown(url);
  assert.match(row(table, "request_total"), /\| 0 \(\+1 on \/ready, \/health, \/metrics: probes and scrapes\) \|$/);
  assert.match(row(table, "request_duration_seconds"), /\| 0 observations, mean 0\.000 s \(\+1 on \/ready/);
  assert.match(row(table, "queue_depth"), /\| 0 \|$/);
});

test("after traffic the API requests are counted, and only they", async () => {
  exposition = lines(
    "# TYPE request_total counter",
    'request_total{endpoint="/v1/completions",method="POST",status="200"} 20', 'request_total{endpoint="/metrics",method="GET",status="200"} 1',
    'request_total{endpoint="/ready",method="GET",status="200"} 1',
  );
  assert.match(row(await coreMetricsMarkdown(url), "request_total"), /\| 20 \(\+2 on \/ready, \/health, \/metrics: probes and scrapes\) \|$/);
});
