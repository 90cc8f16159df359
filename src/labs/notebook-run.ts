// Runs a lab notebook headless as CI and `npm run notebooks:outputs` do: the tslab kernel registered in a
// throwaway prefix (never the learner's .jupyter/), Debian's nbconvert executing every cell. Labs 00–03.
import { spawn, spawnSync } from "node:child_process";
import { join } from "node:path";
import { DEFAULT_LAB_PYTHON } from "./jupyter-command.ts";

export const JUPYTER_HINT = "Debian/Ubuntu: sudo apt-get install python3-nbconvert python3-nbclient python3-ipykernel jupyter-notebook";

/** Null when nbconvert, nbclient and ipykernel import; otherwise what is missing and how to install it. */
export function jupyterMissing(python = DEFAULT_LAB_PYTHON): string | null {
  const probe = spawnSync(python, ["-c", "import nbconvert, nbclient, ipykernel"], { encoding: "utf8" });
  return probe.status === 0 ? null : `nbconvert, nbclient or ipykernel is missing for ${python} (${JUPYTER_HINT})`;
}

/** Registers the tslab kernel under `prefix`; returns the env that finds it (JUPYTER_PATH, tslab on PATH). */
export function kernelEnv(repoRoot: string, prefix: string, base: NodeJS.ProcessEnv = process.env, python = DEFAULT_LAB_PYTHON): NodeJS.ProcessEnv {
  const bin = join(repoRoot, "node_modules", ".bin");
  const install = spawnSync(join(bin, "tslab"), ["install", `--python=${python}`, "--prefix", prefix], { encoding: "utf8" });
  if (install.status !== 0) throw new Error(`tslab install failed: ${install.stderr || install.error?.message}`);
  return { ...base, PATH: `${bin}:${base["PATH"] ?? ""}`, JUPYTER_PATH: join(prefix, "share", "jupyter") };
}

export interface NotebookRun {
  readonly code: number | null;
  /** Everything nbconvert and the kernel wrote: a failing cell's real message is on the kernel's stderr. */
  readonly log: string;
}

export interface ExecuteOptions {
  readonly cwd: string;
  /** The notebook, relative to `cwd`. */
  readonly notebook: string;
  /** Where the executed copy goes (absolute): the notebook itself is never overwritten. */
  readonly out: string;
  readonly env: NodeJS.ProcessEnv;
  /** nbconvert's limit for one cell. */
  readonly cellTimeoutMs: number;
  /** A hard limit for the whole run; a hung nbconvert is killed after it. */
  readonly totalTimeoutMs: number;
  readonly python?: string;
}

/** Executes every cell of a notebook into a copy, stopping at the first error. */
export function executeNotebook(o: ExecuteOptions): Promise<NotebookRun> {
  return new Promise((resolve) => {
    const child = spawn(o.python ?? DEFAULT_LAB_PYTHON, ["-m", "nbconvert", "--to", "notebook", "--execute", o.notebook, "--output", o.out,
      `--ExecutePreprocessor.timeout=${Math.round(o.cellTimeoutMs / 1000)}`], { cwd: o.cwd, env: o.env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr.on("data", (d: Buffer) => (log += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), o.totalTimeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, log });
    });
  });
}
