// Test helper: miniserve as `npm run serve` runs it (src/cli/serve.ts starts tracing before it
// imports the server), in a child process on a free loopback port, its JSON log lines collected.
import { join } from "node:path";
import { startLabServer } from "../../src/labs/lab-server.ts";
import { tempDir } from "../helpers/free-port.ts";

export interface ObservedChild {
  readonly url: string;
  readonly pid: number;
  readonly traceDir: string;
  /** Every JSON line the server logged so far. */
  readonly logs: Record<string, unknown>[];
  stop(): Promise<void>;
}

/** miniserve as the labs start it (src/labs/lab-server.ts), traces kept in a temp folder removed on stop. */
export async function spawnObserved(env: Record<string, string> = {}, readyTimeoutMs = 60_000): Promise<ObservedChild> {
  const tmp = tempDir("miniserve-obs");
  try {
    const server = await startLabServer({
      traceDir: join(tmp.dir, "traces"),
      readyTimeoutMs,
      env: { OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "1", ...env },
    });
    return {
      url: server.url, pid: server.pid, traceDir: server.traceDir, logs: server.logs,
      stop: async () => {
        await server.stop();
        tmp.cleanup();
      },
    };
  } catch (err) {
    tmp.cleanup();
    throw err;
  }
}

/** Poll an async condition until it returns a value (bounded). */
export async function eventually<T>(probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000, what = "condition"): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
