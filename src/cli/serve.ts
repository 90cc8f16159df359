// `npm run serve`: miniserve alone on 127.0.0.1:8000 (HOST/PORT or --host/--port override).
// SIGTERM or SIGINT: stop accepting, finish or cancel in-flight work within the grace period, exit 0.
import closeWithGrace from "close-with-grace";
import { configHelp, loadConfig } from "../config/index.ts";
import { startMiniserve } from "../server/index.ts";
import { exitWithError } from "./cli-errors.ts";

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write(`Usage: npm run serve -- [flags]\n\nFlags (each also read from the environment):\n${configHelp()}\n`);
  process.exit(0);
}

try {
  const config = loadConfig(process.env, argv);
  const server = await startMiniserve(config);
  server.app.log.info({ url: server.url, model: config.modelName, kvSlots: config.kvSlots }, "miniserve ready");
  closeWithGrace({ delay: config.shutdownGraceMs + 5000 }, async ({ signal, err }) => {
    if (err) server.app.log.error({ err }, "shutting down after an unexpected error");
    else server.app.log.info({ signal }, "shutting down");
    await server.close();
  });
} catch (err) {
  exitWithError(err);
}
