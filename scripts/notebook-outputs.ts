// `npm run notebooks:outputs`: runs the lab notebooks in full mode, as a learner would (miniserve on the
// port Prometheus scrapes, Prometheus started when needed), and writes their outputs into labs/*.ipynb with
// each code cell's source hash, so the committed notebooks show what to expect and CI can tell stale ones.
// Usage: npm run notebooks:outputs [-- 01 03]   (default: every lab)
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findLab, LABS, notebookPath } from "../src/labs/lab-catalogue.ts";
import type { Lab } from "../src/labs/lab-catalogue.ts";
import { LAB_PROGRESS_FILE } from "../src/labs/lab-progress.ts";
import { nativeTargetAddress } from "../src/labs/checks-00.ts";
import { executeNotebook, jupyterMissing, kernelEnv } from "../src/labs/notebook-run.ts";
import { formatNotebook, outputProblems, withOutputs } from "../src/labs/notebook-outputs.ts";
import type { NotebookJson } from "../src/labs/notebook-outputs.ts";
import { findOnPath, portInUse, prometheusInstallHint, REPO_ROOT } from "../src/stack/index.ts";

function fail(message: string, code = 2): never {
  process.stderr.write(`error: ${message}\n`);
  process.exit(code);
}

const args = process.argv.slice(2);
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write("Usage: npm run notebooks:outputs [-- NN ...]\n\nRuns the lab notebooks in full mode and writes their outputs into labs/*.ipynb.\n");
  process.exit(0);
}
const labs: Lab[] = args.length === 0 ? [...LABS] : args.map((a) => findLab(a) ?? fail(`no lab '${a}'; labs: ${LABS.map((l) => l.id).join(", ")}`));

// Full outputs need everything a learner has: Jupyter, Prometheus, and the port Prometheus scrapes free.
const missing = jupyterMissing();
if (missing) fail(missing);
if (!findOnPath("prometheus")) fail(`Prometheus is needed for the full outputs (dashboard, queries): ${prometheusInstallHint()}`);
const port = Number(process.env["LAB_PORT"] ?? 8000);
const target = nativeTargetAddress(REPO_ROOT);
if (target !== `127.0.0.1:${port}`) fail(`infra/prometheus/targets/miniserve.json points Prometheus at ${target}, not 127.0.0.1:${port}: the notebooks' Prometheus cells would be skipped`);
if (await portInUse(port)) fail(`port ${port} is in use: stop what runs there (npm start? npm run serve?) so the notebooks can start miniserve where Prometheus scrapes`);

const work = mkdtempSync(join(tmpdir(), "notebook-outputs-"));
// The notebooks' last cells run check-lab, which records progress: keep the learner's record as it was.
const progressBefore = existsSync(LAB_PROGRESS_FILE) ? readFileSync(LAB_PROGRESS_FILE, "utf8") : null;
let failed = 0;
try {
  const env = kernelEnv(REPO_ROOT, join(work, "kernel"));
  delete env["LAB_QUICK"];
  env["LAB_PORT"] = String(port);
  env["LAB_DATA_DIR"] = join(work, "prometheus");
  for (const lab of labs) {
    const started = Date.now();
    process.stdout.write(`${notebookPath(lab)}: running in full mode…\n`);
    const out = join(work, `${lab.slug}.ipynb`);
    const run = await executeNotebook({ cwd: REPO_ROOT, notebook: notebookPath(lab), out, env, cellTimeoutMs: 600_000, totalTimeoutMs: 1_800_000 });
    const seconds = Math.round((Date.now() - started) / 1000);
    if (run.code !== 0) {
      failed++;
      process.stderr.write(`${notebookPath(lab)}: a cell failed after ${seconds} s; left unchanged. nbconvert and kernel output:\n${run.log.slice(-4000)}\n`);
      continue;
    }
    const committedFile = join(REPO_ROOT, notebookPath(lab));
    const merged = withOutputs(JSON.parse(readFileSync(committedFile, "utf8")) as NotebookJson, JSON.parse(readFileSync(out, "utf8")) as NotebookJson);
    const problems = outputProblems(merged);
    if (problems.length > 0) {
      failed++;
      process.stderr.write(`${notebookPath(lab)}: ran, but its outputs are not complete; left unchanged:\n  ${problems.join("\n  ")}\n`);
      continue;
    }
    writeFileSync(committedFile, formatNotebook(merged));
    process.stdout.write(`${notebookPath(lab)}: outputs written (${seconds} s)\n`);
  }
} finally {
  if (progressBefore === null) rmSync(LAB_PROGRESS_FILE, { force: true });
  else writeFileSync(LAB_PROGRESS_FILE, progressBefore);
  rmSync(work, { recursive: true, force: true });
}
if (failed > 0) fail(`${failed} notebook${failed === 1 ? "" : "s"} left unchanged (see above)`, 1);
process.stdout.write("Done: review with `git diff --stat labs/` and commit the notebooks.\n");
