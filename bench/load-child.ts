// Load generator for the benchmarks, run as its own process so it does not share the server's
// event loop: autocannon at a fixed overall rate (or closed loop), per-request latencies collected.
// Input: one JSON argument {url, rate, durationS, connections, mixFile}. Output: one JSON line.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import type { MixEntry } from "../src/loadtest/request-mix.ts";
import { percentile } from "./stats.ts";

interface ChildInput {
  url: string;
  /** requests per second over all connections; 0 = closed loop (as fast as answers come back) */
  rate: number;
  durationS: number;
  connections: number;
  mixFile: string;
}

const input = JSON.parse(process.argv[2] ?? "{}") as ChildInput;
if (!/^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(input.url)) {
  process.stderr.write(`load-child targets loopback only; got ${input.url}\n`);
  process.exit(2);
}
const mix = JSON.parse(readFileSync(input.mixFile, "utf8")) as MixEntry[];
const latencies: number[] = [];
const statuses = new Map<number, number>();

// Without a callback autocannon returns an instance that is both an EventEmitter and a promise.
const instance = autocannon({
  url: input.url,
  connections: input.connections,
  duration: input.durationS,
  ...(input.rate > 0 ? { overallRate: input.rate } : {}),
  timeout: 30,
  requests: mix.map((e) => ({ method: "POST", path: e.path, headers: { "content-type": "application/json" }, body: JSON.stringify(e.body) })),
}) as unknown as Promise<autocannon.Result> & import("node:events").EventEmitter;
instance.on("response", (_client: unknown, statusCode: number, _bytes: number, responseTime: number) => {
  latencies.push(responseTime);
  statuses.set(statusCode, (statuses.get(statusCode) ?? 0) + 1);
});
const result = await instance;
const ok = statuses.get(200) ?? 0;
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({
  requests: latencies.length,
  cpuSeconds: (cpu.user + cpu.system) / 1e6,
  ok,
  non2xx: result.non2xx,
  errors: result.errors,
  timeouts: result.timeouts,
  statuses: Object.fromEntries(statuses),
  achievedRps: latencies.length / input.durationS,
  latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: Math.max(0, ...latencies) },
}) + "\n");
