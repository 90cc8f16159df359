// The flags `npm start` adds to miniserve's own (which loadConfig parses): the viewer's and
// Prometheus' ports, the stack mode and data folder. Environment variables work too (lab 00).
import { resolve } from "node:path";
import { MiniserveError } from "../errors/codes.ts";
import { DEFAULT_DATA_DIR } from "../stack/paths.ts";
import { DEFAULT_PROMETHEUS_PORT } from "../stack/stack.ts";
import { DEFAULT_VIEWER_PORT } from "../viewer/viewer-args.ts";

export interface StartArgs {
  readonly help: boolean;
  readonly viewerPort: number;
  readonly prometheusPort: number;
  readonly mode: "auto" | "docker" | "native";
  readonly dataDir: string;
  /** Everything else, for loadConfig (miniserve's --port, --kv-slots, …). */
  readonly serverArgv: readonly string[];
}

export const START_USAGE = `usage: npm start -- [options] [miniserve flags]

Brings up Prometheus (Docker or native), miniserve with metrics, traces and cost, and the
built-in viewer; sends a demo request and a few warm-ups; Ctrl-C stops what it started.

  --viewer-port N      built-in viewer port (env VIEWER_PORT, default ${DEFAULT_VIEWER_PORT})
  --prometheus-port N  native Prometheus port (env PROMETHEUS_PORT, default ${DEFAULT_PROMETHEUS_PORT})
  --stack-mode MODE    auto, docker or native (env MINISERVE_STACK_MODE, default auto)
  --stack-data-dir DIR native Prometheus data, pid file and log (env MINISERVE_STACK_DATA_DIR, default .data/)

miniserve's own flags (--port, --host, --kv-slots, …) are listed by \`npm run serve -- --help\`.`;

const OWN = ["--viewer-port", "--prometheus-port", "--stack-mode", "--stack-data-dir"] as const;

function usage(why: string): never {
  throw new MiniserveError("MSV_ERR_START_USAGE", why);
}

function port(raw: string, name: string): number {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n) || n < 1 || n > 65535) usage(`${name} must be an integer from 1 to 65535 (got "${raw}")`);
  return n;
}

/** Splits argv into start's own options and miniserve's flags; throws MSV_ERR_START_USAGE. */
export function parseStartArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): StartArgs {
  const own: Record<string, string> = {};
  const rest: string[] = [];
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--help" || arg === "-h") {
      help = true;
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!(OWN as readonly string[]).includes(flag)) {
      rest.push(arg);
      continue;
    }
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === "") usage(`${flag} needs a value`);
    own[flag] = value;
  }
  const mode = own["--stack-mode"] ?? env.MINISERVE_STACK_MODE ?? "auto";
  if (mode !== "auto" && mode !== "docker" && mode !== "native") usage(`--stack-mode must be auto, docker or native (got "${mode}")`);
  const viewer = own["--viewer-port"] ?? env.VIEWER_PORT;
  const prom = own["--prometheus-port"] ?? env.PROMETHEUS_PORT;
  const dataDir = own["--stack-data-dir"] ?? env.MINISERVE_STACK_DATA_DIR;
  return {
    help,
    viewerPort: viewer === undefined ? DEFAULT_VIEWER_PORT : port(viewer, "--viewer-port (VIEWER_PORT)"),
    prometheusPort: prom === undefined ? DEFAULT_PROMETHEUS_PORT : port(prom, "--prometheus-port (PROMETHEUS_PORT)"),
    mode,
    dataDir: dataDir === undefined ? DEFAULT_DATA_DIR : resolve(dataDir),
    serverArgv: rest,
  };
}
