// Every lab notebook runs top to bottom headless (Debian's Jupyter, the tslab kernel, LAB_QUICK=1)
// in a temporary copy of the repo on free ports; a failing cell fails the test with the kernel's stderr.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";
import { LABS, notebookPath } from "../../src/labs/lab-catalogue.ts";
import { copyRepo } from "./repo-copy.ts";
import type { RepoCopy } from "./repo-copy.ts";

const PYTHON = "/usr/bin/python3";
const HINT = "Debian/Ubuntu: sudo apt-get install python3-nbconvert python3-nbclient python3-ipykernel jupyter-notebook";

/** Jupyter is a set of Python modules, not a binary: probe them; skip loudly locally, fail in CI. */
function jupyterSkip(): string | false {
  const probe = spawnSync(PYTHON, ["-c", "import nbconvert, nbclient, ipykernel"], { encoding: "utf8" });
  if (probe.status === 0) return false;
  if (process.env.CI) throw new Error(`nbconvert, nbclient and ipykernel are required in CI (${HINT})`);
  const reason = `SKIPPED: Debian's Jupyter (python3-nbconvert) is missing; ${HINT} to run the notebooks`;
  console.warn(`\n*** ${reason} ***\n`);
  return reason;
}

const skip = jupyterSkip();
// Prometheus-dependent cells print SKIPPED without it, so it is optional here; CI installs it.
requireTool("prometheus");

/** Runs one notebook; resolves with the exit code and everything nbconvert and the kernel wrote. */
function execute(repo: RepoCopy, nb: string, env: NodeJS.ProcessEnv, out: string, timeoutMs: number): Promise<{ code: number | null; log: string }> {
  return new Promise((resolve) => {
    const child = spawn(PYTHON, ["-m", "nbconvert", "--to", "notebook", "--execute", nb, "--output", out,
      `--ExecutePreprocessor.timeout=${Math.round(timeoutMs / 1000)}`], { cwd: repo.root, env, stdio: ["ignore", "pipe", "pipe"] });
    let log = "";
    child.stdout.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr.on("data", (d: Buffer) => (log += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs + 30_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, log });
    });
  });
}

describe("lab notebooks execute headless in quick mode", { skip }, () => {
  let repo: RepoCopy;
  const prefix = tempDir("tslab-kernel");
  const outDir = tempDir("lab-notebooks-out");
  const data = tempDir("lab-notebooks-prom");
  let env: NodeJS.ProcessEnv;

  before(async () => {
    const port = await freePort();
    const promPort = await freePort();
    repo = copyRepo(port);
    const bin = join(repo.root, "node_modules", ".bin");
    // The kernel goes into a temp prefix: never the system's or the learner's Jupyter folders.
    const install = spawnSync(join(bin, "tslab"), ["install", `--python=${PYTHON}`, "--prefix", prefix.dir], { encoding: "utf8" });
    assert.equal(install.status, 0, `tslab install failed: ${install.stderr}`);
    env = {
      ...process.env, PATH: `${bin}:${process.env.PATH}`, JUPYTER_PATH: join(prefix.dir, "share", "jupyter"),
      LAB_QUICK: "1", LAB_PORT: String(port), LAB_PROMETHEUS_PORT: String(promPort), LAB_DATA_DIR: data.dir,
    };
  });
  after(() => {
    repo?.cleanup();
    prefix.cleanup();
    outDir.cleanup();
    data.cleanup();
  });

  for (const lab of LABS) {
    test(`${notebookPath(lab)} runs every cell without an error`, { timeout: 360_000 }, async () => {
      const out = join(outDir.dir, `${lab.slug}.ipynb`);
      const res = await execute(repo, notebookPath(lab), env, out, 240_000);
      // tslab reports a failing cell's real message on the kernel's stderr; nbconvert's own is empty.
      assert.equal(res.code, 0, `nbconvert failed for ${lab.slug}; nbconvert and kernel output:\n${res.log.slice(-6000)}`);
      const executed = JSON.parse(readFileSync(out, "utf8")) as { cells: { cell_type: string; outputs?: { output_type: string; text?: string[] }[] }[] };
      const errors = executed.cells.flatMap((c) => c.outputs ?? []).filter((o) => o.output_type === "error");
      assert.equal(errors.length, 0, JSON.stringify(errors).slice(0, 2000));
      const text = executed.cells.flatMap((c) => c.outputs ?? []).flatMap((o) => o.text ?? []).join("");
      assert.match(text, new RegExp(`lab ${lab.id} stop conditions:`), "the last cells must run the lab's checks");
      assert.match(text, /stopped \d miniserve process/);
    });
  }
});
