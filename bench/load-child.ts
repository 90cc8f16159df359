// Load generator for the benchmarks, run as its own process so it does not share the server's
// event loop: the workbook's load driver (src/loadtest) at a fixed overall rate, or closed loop.
// Input: one JSON argument {url, rate, durationS, connections, mixFile}. Output: one JSON line.
import { readFileSync } from "node:fs";
import { runLoadTest } from "../src/loadtest/driver.ts";
import type { MixEntry } from "../src/loadtest/request-mix.ts";

interface ChildInput {
  url: string;
  /** requests per second over all connections; 0 = closed loop (as fast as answers come back) */
  rate: number;
  durationS: number;
  connections: number;
  mixFile: string;
}

const input = JSON.parse(process.argv[2] ?? "{}") as ChildInput;
const mix = JSON.parse(readFileSync(input.mixFile, "utf8")) as MixEntry[];
try {
  const view = await runLoadTest({ url: input.url, rate: input.rate, durationS: input.durationS, connections: input.connections, mix, timeoutS: 30, graceS: 30 });
  const cpu = process.cpuUsage();
  const nan = (v: number | null) => v ?? Number.NaN;
  process.stdout.write(JSON.stringify({
    requests: view.counts.completed,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    ok: view.counts.ok,
    non2xx: view.counts.non2xx,
    errors: view.counts.connectionErrors + view.counts.timeouts,
    timeouts: view.counts.timeouts,
    statuses: view.counts.byStatus,
    achievedRps: view.achievedRps,
    latencyMs: { p50: nan(view.latencyMs.p50), p95: nan(view.latencyMs.p95), p99: nan(view.latencyMs.p99), max: view.latencyMs.max ?? 0 },
  }) + "\n");
} catch (err) {
  // Loopback-only and reachability are checked by the driver; report them as the old child did.
  process.stderr.write(`load-child: ${(err as Error).message}\n`);
  process.exit(2);
}
