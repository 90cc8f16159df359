// `npm run stack -- up|down|status [options]`: starts, stops or checks the observability stack
// (Docker compose when a daemon answers, otherwise native Prometheus). Lab 00 starts here.
import { resolve } from "node:path";
import { MiniserveError } from "../errors/codes.ts";
import { exitWithError } from "./cli-errors.ts";
import { formatStatus, stackDown, stackStatus, stackUp } from "../stack/stack.ts";
import type { StackOptions } from "../stack/stack.ts";

const USAGE = `usage: npm run stack -- <up|down|status> [options]

  up       start Prometheus (native) or Prometheus + Grafana + Tempo (Docker) and wait until ready
  down     stop what up started
  status   show each component's readiness and the one command that fixes what is missing

options:
  --mode auto|docker|native   default auto: Docker when \`docker info\` answers, else native
  --port N                    native Prometheus port on 127.0.0.1 (default 9090)
  --data-dir DIR              native storage, pid file and log (default .data/)
  --timeout SECONDS           how long up waits for readiness`;

type Command = "up" | "down" | "status";
const KNOWN_FLAGS: readonly string[] = ["--mode", "--port", "--data-dir", "--timeout"];

/** Parses argv into a command and options; throws MSV_ERR_STACK_USAGE on anything unexpected. */
export function parseStackArgs(argv: readonly string[]): { command: Command | "help"; options: StackOptions } {
  const usage = (why: string): never => {
    throw new MiniserveError("MSV_ERR_STACK_USAGE", why);
  };
  let command: Command | "help" | undefined;
  const options: { -readonly [K in keyof StackOptions]: StackOptions[K] } = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === "-h" || arg === "--help" || arg === "help") return { command: "help", options };
    if (!arg.startsWith("-")) {
      if (command) usage(`one command at a time (got ${command} and ${arg})`);
      if (arg !== "up" && arg !== "down" && arg !== "status") usage(`unknown command "${arg}"`);
      command = arg as Command;
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq === -1 ? arg : arg.slice(0, eq);
    if (!KNOWN_FLAGS.includes(flag)) usage(`unknown option ${flag}`);
    const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === "") usage(`${flag} needs a value`);
    const v = value as string;
    switch (flag) {
      case "--mode":
        if (v !== "auto" && v !== "docker" && v !== "native") usage(`--mode must be auto, docker or native (got "${v}")`);
        options.mode = v as StackOptions["mode"];
        break;
      case "--port": {
        const port = Number(v);
        if (!Number.isInteger(port) || port < 1 || port > 65535) usage(`--port must be an integer from 1 to 65535 (got "${v}")`);
        options.prometheusPort = port;
        break;
      }
      case "--data-dir":
        options.dataDir = resolve(v);
        break;
      case "--timeout": {
        const seconds = Number(v);
        if (!Number.isFinite(seconds) || seconds <= 0) usage(`--timeout must be a positive number of seconds (got "${v}")`);
        options.readyTimeoutMs = seconds * 1000;
        break;
      }
      default:
        usage(`unknown option ${flag}`);
    }
  }
  if (!command) usage("missing command");
  return { command: command as Command, options };
}

async function main(argv: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parseStackArgs>;
  try {
    parsed = parseStackArgs(argv);
  } catch (err) {
    console.error(`${USAGE}\n`);
    exitWithError(err, 2);
  }
  const { command, options } = parsed;
  if (command === "help") {
    console.log(USAGE);
    return 0;
  }
  if (command === "status") {
    const status = await stackStatus(options);
    console.log(formatStatus(status));
    return status.ok ? 0 : 1;
  }
  if (command === "down") {
    console.log(await stackDown(options));
    return 0;
  }
  const status = await stackUp(options);
  console.log(formatStatus(status));
  return status.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  // Expected failures carry a code and a message that says what to do; never a stack trace.
  (err: unknown) => exitWithError(err, 1),
);
