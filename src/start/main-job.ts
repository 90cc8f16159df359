// `npm start` orchestration: stack (Docker or native), observed miniserve, the viewer in its own
// process, the demo and warm-up requests, the URLs to open; stop() undoes only what it started.
// Import it only after startTracing(): it loads the server, which loads http and fastify (lab 00).
import type { Config } from "../config/index.ts";
import { startObservedMiniserve } from "../serve/index.ts";
import type { Tracing } from "../observability/tracing.ts";
import { prometheusUrl as nativePrometheusUrl } from "../stack/native.ts";
import { streamDemo, warmUp } from "./demo.ts";
import { bringUpStack } from "./stack-part.ts";
import type { StackPart } from "./stack-part.ts";
import type { StartArgs } from "./start-args.ts";
import { startViewerChild } from "./viewer-child.ts";
import type { ViewerChild } from "./viewer-child.ts";

export interface MainJob {
  readonly miniserveUrl: string;
  readonly viewer: ViewerChild;
  readonly stack: StackPart;
  /** Stops the viewer, miniserve, tracing, then the stack if this run started it. */
  stop(): Promise<void>;
}

export interface MainJobOptions {
  readonly config: Config;
  readonly tracing: Tracing | null;
  readonly args: StartArgs;
  readonly out?: NodeJS.WritableStream;
}

/** The native target file points Prometheus at 127.0.0.1:8000; another port is not scraped. */
function scrapeWarning(stack: StackPart, port: number): string | null {
  if (stack.mode !== "native" || stack.prometheusUrl === null || port === 8000) return null;
  return `miniserve runs on port ${port}, but infra/prometheus/targets/miniserve.json points Prometheus at 127.0.0.1:8000: edit that file (Prometheus re-reads it within 30 s) to see this server's metrics`;
}

export async function runMainJob(o: MainJobOptions): Promise<MainJob> {
  const out = o.out ?? process.stdout;
  const server = await startObservedMiniserve({ ...o.config, logLevel: process.env.LOG_LEVEL ? o.config.logLevel : "warn" });
  out.write(`miniserve is listening on ${server.url} (model ${o.config.modelName}, ${o.config.kvSlots} KV slots)\n`);
  // From here on a failure must still stop what already runs.
  let stack: StackPart | null = null;
  let viewer: ViewerChild | null = null;
  const stop = async (): Promise<void> => {
    await viewer?.stop();
    await server.close();
    await o.tracing?.shutdown();
    const stopped = await stack?.stop().catch((err: Error) => `could not stop the stack: ${err.message}`);
    if (stopped) out.write(`${stopped}\n`);
  };
  try {
    out.write("Starting the observability stack…\n");
    stack = await bringUpStack({ mode: o.args.mode, prometheusPort: o.args.prometheusPort, dataDir: o.args.dataDir });
    for (const note of stack.notes) out.write(`  ${note}\n`);
    viewer = await startViewerChild({
      port: o.args.viewerPort,
      // Without a Prometheus the viewer still starts, and its banner says what is missing.
      prometheusUrl: stack.prometheusUrl ?? nativePrometheusUrl(o.args.prometheusPort),
      traceDir: o.config.traceDir,
    });
    if (viewer.problem) out.write(`  ${viewer.problem}\n`);
    await streamDemo(server.url, out);
    const warmed = await warmUp(server.url);
    out.write(`  ${warmed} warm-up requests sent (one with retrieval, one chat, one streamed)\n`);
  } catch (err) {
    await stop();
    throw err;
  }
  const warning = scrapeWarning(stack, Number(new URL(server.url).port));
  const lines = [
    "",
    "Open:",
    ...(stack.grafanaUrl ? [`  Grafana     ${stack.grafanaUrl}/d/lynx-llm   (dashboard "lynx-cortex LLM serving")`] : []),
    viewer.url ? `  viewer      ${viewer.url}   (the dashboard's panels and the local traces)` : `  viewer      not running: ${viewer.problem}`,
    stack.prometheusUrl ? `  Prometheus  ${stack.prometheusUrl}   (try up{job="miniserve"})` : "  Prometheus  not running (see above)",
    `  miniserve   ${server.url}   (/v1/completions, /v1/chat/completions, /metrics, /traces)`,
    ...(warning ? ["", `Note: ${warning}`] : []),
    "",
    "Try it yourself:",
    `  curl -s ${server.url}/v1/completions -H 'content-type: application/json' \\`,
    `    -d '{"model": "miniserve-tiny", "prompt": "A histogram bucket", "max_tokens": 24}'`,
    `  curl -s ${server.url}/metrics          # the metrics Prometheus scrapes (lab 01)`,
    "",
    `Press Ctrl-C to stop (${stack.startedHere ? "miniserve, the viewer and the Prometheus started here" : "miniserve and the viewer; the stack found running stays up"}).`,
    "",
  ];
  out.write(lines.join("\n"));
  return { miniserveUrl: server.url, viewer, stack, stop };
}
