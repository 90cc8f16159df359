// Every lab notebook runs top to bottom headless (Debian's Jupyter, the tslab kernel, LAB_QUICK=1)
// in a temporary copy of the repo on free ports; a failing cell fails the test with the kernel's stderr.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, tempDir } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";
import { LABS, notebookPath } from "../../src/labs/lab-catalogue.ts";
import { executeNotebook, jupyterMissing, kernelEnv } from "../../src/labs/notebook-run.ts";
import { copyRepo } from "./repo-copy.ts";
import type { RepoCopy } from "./repo-copy.ts";

/** Jupyter is a set of Python modules, not a binary: probe them; skip loudly locally, fail in CI. */
function jupyterSkip(): string | false {
  const missing = jupyterMissing();
  if (!missing) return false;
  if (process.env.CI) throw new Error(`${missing}: required in CI`);
  const reason = `SKIPPED: ${missing}, so the notebooks do not run`;
  console.warn(`\n*** ${reason} ***\n`);
  return reason;
}

const skip = jupyterSkip();
// Prometheus-dependent cells print SKIPPED without it, so it is optional here; CI installs it.
requireTool("prometheus");

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
    // The kernel goes into a temp prefix: never the system's or the learner's Jupyter folders.
    env = { ...kernelEnv(repo.root, prefix.dir), LAB_QUICK: "1", LAB_PORT: String(port), LAB_PROMETHEUS_PORT: String(promPort), LAB_DATA_DIR: data.dir };
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
      const committed = readFileSync(join(repo.root, notebookPath(lab)), "utf8");
      // Into a temp file: the committed notebook (and its outputs from a full run) is never overwritten.
      const res = await executeNotebook({ cwd: repo.root, notebook: notebookPath(lab), out, env, cellTimeoutMs: 240_000, totalTimeoutMs: 270_000 });
      assert.equal(readFileSync(join(repo.root, notebookPath(lab)), "utf8"), committed, "the quick run left the committed notebook alone");
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
