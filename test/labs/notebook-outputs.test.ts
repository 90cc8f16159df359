// The committed notebooks show what to expect: every code cell's outputs come from a full run of its current
// source (hash), charts are present, nothing failed or was skipped. Regenerate with `npm run notebooks:outputs`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { LABS, notebookPath } from "../../src/labs/lab-catalogue.ts";
import { SOURCE_HASH_KEY, formatNotebook, hasOutputs, outputProblems, sourceHash, withOutputs } from "../../src/labs/notebook-outputs.ts";
import type { NotebookCell, NotebookJson } from "../../src/labs/notebook-outputs.ts";
import { REPO_ROOT } from "../../src/stack/paths.ts";

const REGENERATE = "npm run notebooks:outputs (full mode, about 2–3 minutes; needs Jupyter, Prometheus and port 8000 free)";

const png = { output_type: "display_data", data: { "image/png": "iVBORw0KGgo=", "text/plain": ["<image>"] }, metadata: {} };
const stream = (text: string) => ({ output_type: "stream", name: "stdout", text: [text] });
const code = (id: string, source: string): NotebookCell => ({ cell_type: "code", id, metadata: {}, source: [source], outputs: [], execution_count: null });

/** A small committed notebook and what a full run of it gives. */
function sample(): { committed: NotebookJson; executed: NotebookJson } {
  const committed: NotebookJson = {
    metadata: {},
    cells: [
      { cell_type: "markdown", id: "m0", metadata: {}, source: ["# Lab"] },
      code("c1", 'console.log(kit.quick() ? "quick mode (LAB_QUICK=1): short loads and waits" : "full mode");'),
      code("c2", "tslab.display.png(await view.histogramPng(server.url));"),
    ],
  };
  const executed: NotebookJson = {
    ...committed,
    cells: committed.cells.map((c) => (c.cell_type !== "code" ? c : {
      ...c, execution_count: 1, metadata: { execution: { "shell.execute_reply": "2026-01-01T00:00:00Z" } },
      outputs: c.id === "c1" ? [stream("full mode\n")] : [png],
    })),
  };
  return { committed, executed };
}

test("outputs copied from a full run carry each cell's source hash and pass the check; timings are dropped", () => {
  const { committed, executed } = sample();
  const merged = withOutputs(committed, executed);
  assert.deepEqual(outputProblems(merged), []);
  const c2 = merged.cells[2]!;
  assert.equal(c2.metadata?.[SOURCE_HASH_KEY], sourceHash(committed.cells[2]!));
  assert.equal(c2.metadata?.["execution"], undefined);
  assert.ok(hasOutputs(merged) && !hasOutputs(committed));
  assert.ok(formatNotebook(merged).endsWith("}\n"));
});

test("stale, incomplete, failed, skipped or quick outputs are each named", () => {
  const { committed, executed } = sample();
  const merged = withOutputs(committed, executed);
  const edit = (id: string, change: Partial<NotebookCell>): NotebookJson => ({ ...merged, cells: merged.cells.map((c) => (c.id === id ? { ...c, ...change } : c)) });
  assert.match(outputProblems(edit("c2", { source: ["tslab.display.png(await view.histogramPng(server.url, 'ttft'));"] })).join(), /cell c2: its source changed/);
  assert.match(outputProblems(edit("c2", { outputs: [stream("done\n")] })).join(), /cell c2: draws 1 chart but has 0 PNG outputs/);
  assert.match(outputProblems(edit("c2", { outputs: [png, { output_type: "error", ename: "Error", evalue: "x", traceback: [] }] })).join(), /cell c2: an error output/);
  assert.match(outputProblems(edit("c2", { outputs: [png, stream("SKIPPED: Prometheus is not installed\n")] })).join(), /a step was skipped .*SKIPPED: Prometheus is not installed/);
  assert.match(outputProblems(edit("c1", { outputs: [stream("quick mode (LAB_QUICK=1): short loads and waits\n")] })).join(), /quick run/);
  assert.match(outputProblems(edit("c1", { outputs: [] })).join(), /cell c1: no output/);
  assert.throws(() => withOutputs(committed, { ...executed, cells: executed.cells.slice(0, 2) }), /cell c2 was not executed/);
});

const committed = LABS.map((lab) => ({ lab, path: notebookPath(lab), nb: JSON.parse(readFileSync(join(REPO_ROOT, notebookPath(lab)), "utf8")) as NotebookJson }));
const none = committed.every((c) => !hasOutputs(c.nb));
const NONE_YET = `NO NOTEBOOK HAS COMMITTED OUTPUTS YET: run ${REGENERATE} and commit labs/*.ipynb`;
if (none) console.warn(`\n*** ${NONE_YET} ***\n`);

for (const { path, nb } of committed) {
  test(`${path}: its committed outputs are a full run of its current cells`, (t) => {
    if (none) {
      // Strict as soon as any notebook has outputs; until the first regeneration, say so loudly.
      t.skip(NONE_YET);
      return;
    }
    const problems = outputProblems(nb);
    assert.deepEqual(problems, [], `${path} is out of date. Regenerate with ${REGENERATE}.\n  ${problems.join("\n  ")}`);
  });
}
