// `npm run check-lab NN`: checks lab NN's stop conditions, prints ✔/✘ with causes and next steps,
// and exits 0 only when every one passes; --watch checks again on every save. Starts what it needs.
import { parseArgs } from "node:util";
import { MiniserveError } from "../errors/codes.ts";
import { LAB_CHECKS, formatNext, formatResults, runLabChecks, selectConditions } from "../labs/check-runner.ts";
import { watchLab } from "../labs/watch-lab.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import { findLab, labIds } from "../labs/lab-catalogue.ts";
import { exitWithError } from "./cli-errors.ts";

const USAGE = `Usage: npm run check-lab -- NN [options]      (NN: ${labIds()})

Options:
  --port N             miniserve port Prometheus scrapes (default 8000)
  --prometheus-port N  native Prometheus port (default 9090)
  --data-dir DIR       native Prometheus data folder (default .data/)
  --only ID[,ID…]      check only these stop conditions (e.g. --only use-gauges,red)
  --quick              shorter waits and loads (also LAB_QUICK=1)
  --keep               leave a server or Prometheus started by the check running
  --watch              check again each time one of the lab's files is saved (Ctrl-C to stop)
  --next               show only the next failing stop condition, with its hint

Stop conditions (for --only):
${Object.entries(LAB_CHECKS).map(([id, checks]) => `  ${id}: ${checks.map((c) => c.id.slice(3)).join(", ")}`).join("\n")}
`;

function port(raw: string | undefined, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new MiniserveError("MSV_ERR_LAB_USAGE", `--${name} must be a port from 1 to 65535; got ${raw}\n${USAGE}`);
  return n;
}

try {
  const { values, positionals } = (() => {
    try {
      return parseArgs({
        args: process.argv.slice(2), allowPositionals: true,
        options: {
          port: { type: "string" }, "prometheus-port": { type: "string" }, "data-dir": { type: "string" },
          quick: { type: "boolean" }, keep: { type: "boolean" }, only: { type: "string" }, help: { type: "boolean", short: "h" },
          watch: { type: "boolean" }, next: { type: "boolean" },
        },
      });
    } catch (err) {
      throw new MiniserveError("MSV_ERR_LAB_USAGE", `${(err as Error).message}\n${USAGE}`);
    }
  })();
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const lab = findLab(positionals[0]);
  if (!lab || positionals.length !== 1) throw new MiniserveError("MSV_ERR_LAB_USAGE", `name one lab (${labIds()}); got ${positionals.join(" ") || "nothing"}\n${USAGE}`);
  const only = values.only?.split(",").map((s) => s.trim()).filter(Boolean) ?? [];
  selectConditions(lab.id, only);
  if (values.watch) {
    if (lab.files.length === 0) throw new MiniserveError("MSV_ERR_LAB_USAGE", `lab ${lab.id} has no files to watch: run npm run check-lab ${lab.id} once it is set up`);
    const args = process.argv.slice(2).filter((a) => a !== "--watch" && a !== positionals[0]);
    const watcher = watchLab({ repoRoot: REPO_ROOT, lab, args, out: process.stdout });
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      process.once(signal, () => void watcher.stop().finally(() => process.exit(0)));
    }
    await new Promise<never>(() => {});
  }
  const { results, code } = await runLabChecks(lab.id, {
    only,
    port: port(values.port, "port", 8000),
    prometheusPort: port(values["prometheus-port"], "prometheus-port", 9090),
    ...(values["data-dir"] ? { dataDir: values["data-dir"] } : {}),
    quick: values.quick === true || process.env.LAB_QUICK === "1",
    keep: values.keep === true,
    say: (line) => process.stderr.write(`… ${line}\n`),
    // Ctrl-C or a CI timeout: stop the server and Prometheus this run started, then exit.
    onClose: (close) => {
      for (const signal of ["SIGINT", "SIGTERM"] as const) {
        process.once(signal, () => void close().finally(() => process.exit(130)));
      }
    },
  });
  process.stdout.write(`${(values.next ? formatNext : formatResults)(lab.id, results, code)}\n`);
  process.exit(results.every((r) => r.ok) ? 0 : 1);
} catch (err) {
  exitWithError(err, 2);
}
