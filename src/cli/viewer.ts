// `npm run viewer`: the built-in dashboard and trace viewer on 127.0.0.1:3100, for machines without
// Grafana and Tempo (labs 01–02). SIGINT or SIGTERM stops it.
import { relative } from "node:path";
import { MiniserveError } from "../errors/codes.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import { portInUse } from "../stack/probe.ts";
import { startViewer } from "../viewer/server.ts";
import { VIEWER_USAGE, parseViewerArgs } from "../viewer/viewer-args.ts";
import type { ViewerArgs } from "../viewer/viewer-args.ts";
import { exitWithError } from "./cli-errors.ts";

let args: ViewerArgs;
try {
  args = parseViewerArgs(process.argv.slice(2));
} catch (err) {
  console.error(`${VIEWER_USAGE}\n`);
  exitWithError(err, 2);
}
if (args.help) {
  console.log(VIEWER_USAGE);
  process.exit(0);
}

try {
  // Checked first so a second viewer says what is wrong instead of fastify's EADDRINUSE trace.
  if (args.port !== 0 && await portInUse(args.port, args.host)) {
    throw new MiniserveError("MSV_ERR_VIEWER_PORT_IN_USE", `something already listens on ${args.host}:${args.port}; stop it or pass --port (env VIEWER_PORT)`);
  }
  const viewer = await startViewer(args);
  const traces = relative(REPO_ROOT, args.traceDir);
  console.log(`viewer listening on ${viewer.url} (Prometheus ${args.prometheusUrl}, traces from ${traces.startsWith("..") ? args.traceDir : traces})`);
  const stop = (): void => {
    viewer.close().then(() => process.exit(0), () => process.exit(0));
    // Bounded: open keep-alive sockets must not keep the process alive forever.
    setTimeout(() => process.exit(0), 3000).unref();
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (err) {
  exitWithError(err);
}
