// The command behind `npm run labs`: classic Jupyter Notebook on labs/ with the project's tslab kernel
// (.jupyter/, registered by `npm run kernel`). As root, Jupyter refuses to start without --allow-root
// (containers, CI machines), so it is added and said. Labs 00–03.
import { existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { REPO_ROOT } from "../stack/paths.ts";

/** Debian's Python has Jupyter; the first python3 on PATH may be another build without it. */
export const DEFAULT_LAB_PYTHON = "/usr/bin/python3";
export const KERNEL_PREFIX = join(REPO_ROOT, ".jupyter");

export interface JupyterCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** One line each, printed before Jupyter starts. */
  readonly notes: readonly string[];
}

export interface NotebookCommandOptions {
  /** Extra Jupyter arguments, e.g. --no-browser --port 8890. */
  readonly argv?: readonly string[];
  readonly env?: NodeJS.ProcessEnv;
  /** Effective user id; null where the platform has none (Windows). */
  readonly uid?: number | null;
  readonly repoRoot?: string;
}

export function notebookCommand(o: NotebookCommandOptions = {}): JupyterCommand {
  const env = o.env ?? process.env;
  const root = o.repoRoot ?? REPO_ROOT;
  const uid = o.uid === undefined ? (process.getuid?.() ?? null) : o.uid;
  const argv = [...(o.argv ?? [])];
  const notes: string[] = [];
  if (uid === 0 && !argv.includes("--allow-root")) {
    argv.push("--allow-root");
    notes.push("running as root: added --allow-root, which Jupyter requires for root (a container or CI machine?)");
  }
  const kernelDir = join(root, ".jupyter", "share", "jupyter");
  if (!existsSync(join(kernelDir, "kernels", "tslab", "kernel.json"))) {
    notes.push("the tslab kernel is not registered yet: stop this (Ctrl-C) and run `npm run kernel` once, or the notebooks find no TypeScript kernel");
  }
  return {
    command: env["LAB_PYTHON"] || DEFAULT_LAB_PYTHON,
    args: ["-m", "notebook", join(root, "labs"), ...argv],
    // The kernelspec runs `tslab` by name: the project's node_modules/.bin must be on PATH.
    env: { ...env, JUPYTER_PATH: kernelDir, PATH: [join(root, "node_modules", ".bin"), env["PATH"] ?? ""].join(delimiter) },
    notes,
  };
}
