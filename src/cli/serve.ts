// `npm run serve`: miniserve on 127.0.0.1:8000 (HOST/PORT or --host/--port override) with metrics,
// traces, logs and cost on (MINISERVE_OBSERVABILITY=off: the bare server). SIGTERM or SIGINT: drain
// within the grace period, exit 0.
import closeWithGrace from "close-with-grace";
import { configHelp, loadConfig } from "../config/index.ts";
// Nothing imported statically here may load http, fastify or pino: the tracing SDK patches them
// when they load, so it starts first and the server is imported after it (lab 02).
import { startTracing } from "../observability/tracing.ts";
import { exitWithError } from "./cli-errors.ts";

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write(`Usage: npm run serve -- [flags]\n\nFlags (each also read from the environment):\n${configHelp()}\n`);
  process.exit(0);
}

try {
  const config = loadConfig(process.env, argv);
  const tracing = await startTracing(config);
  const { startObservedMiniserve } = await import("../serve/index.ts");
  const server = await startObservedMiniserve(config);
  server.app.log.info({ url: server.url, model: config.modelName, kvSlots: config.kvSlots, observability: config.observability, tracing: server.tracing !== null }, "miniserve ready");
  closeWithGrace({ delay: config.shutdownGraceMs + 5000 }, async ({ signal, err }) => {
    if (err) server.app.log.error({ err }, "shutting down after an unexpected error");
    else server.app.log.info({ signal }, "shutting down");
    await server.close();
    await tracing?.shutdown();
  });
} catch (err) {
  exitWithError(err);
}
