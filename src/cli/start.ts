// `npm start`: the workbook's main job — the stack (Docker or native Prometheus), miniserve with
// metrics, traces and cost on, the built-in viewer, a demo request streamed to the terminal and a few
// warm-ups; then everything keeps running for the labs until Ctrl-C stops what this run started.
import closeWithGrace from "close-with-grace";
import { loadConfig } from "../config/index.ts";
// The tracing SDK must start before http, fastify and pino load: the server (inside main-job.ts) is
// imported after it. start-args.ts loads neither.
import { startTracing } from "../observability/tracing.ts";
import { START_USAGE, parseStartArgs } from "../start/start-args.ts";
import type { StartArgs } from "../start/start-args.ts";
import { guardOutput } from "../start/output-guard.ts";
import { exitWithError } from "./cli-errors.ts";

let args: StartArgs;
try {
  args = parseStartArgs(process.argv.slice(2));
} catch (err) {
  console.error(`${START_USAGE}\n`);
  exitWithError(err, 2);
}
if (args.help) {
  console.log(START_USAGE);
  process.exit(0);
}

try {
  const config = loadConfig(process.env, args.serverArgv);
  const tracing = await startTracing(config);
  const { runMainJob } = await import("../start/main-job.ts");
  const starting = runMainJob({ config, tracing, args });
  // Registered before setup finishes: a Ctrl-C during start-up still stops what already runs
  // (runMainJob cleans up after itself when it fails). Stopping Prometheus may take up to 10 s.
  // SIGINT, SIGTERM and SIGHUP (a closed terminal) all lead here.
  let stopping = false;
  const grace = closeWithGrace({ delay: config.shutdownGraceMs + 20_000 }, async () => {
    stopping = true;
    const job = await starting.catch(() => null);
    process.stdout.write("\nStopping what npm start started…\n");
    await job?.stop();
    process.stdout.write("stopped\n");
  });
  // A reader that went away (the `| tee` a Ctrl-C also killed) must not turn the stop messages into a
  // crash that leaves Prometheus running; with nobody reading, stop as for Ctrl-C.
  guardOutput((reason) => {
    if (stopping) return;
    process.stderr.write(`${reason}: stopping what npm start started\n`);
    void grace.close();
  });
  await starting;
} catch (err) {
  exitWithError(err);
}
