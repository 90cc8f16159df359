// The lab tools without servers: lab lookup, each lab's statement and notebook, the progress table
// (which never credits the shipped reference), and the exposition parser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findLab, LABS, notebookPath, solutionPath, statementPath } from "../../src/labs/lab-catalogue.ts";
import { progressTable } from "../../src/labs/progress-table.ts";
import { parseExposition, sumOf, bucketsOf } from "../../src/labs/exposition-parse.ts";
import { REPO_ROOT } from "../../src/stack/paths.ts";

test("labs are found by number or slug; unknown ones are null", () => {
  assert.equal(findLab("1")?.id, "01");
  assert.equal(findLab("03-cost-and-loadtest")?.id, "03");
  assert.equal(findLab("07"), null);
  assert.equal(findLab(undefined), null);
});

test("every lab has its statement, notebook and solution write-up", () => {
  for (const lab of LABS) {
    for (const p of [statementPath(lab), notebookPath(lab), solutionPath(lab)]) assert.ok(existsSync(join(REPO_ROOT, p)), p);
    const statement = readFileSync(join(REPO_ROOT, statementPath(lab)), "utf8");
    for (const h of ["## What you produce", "## TODO blocks", "## Constraints", "## Stop conditions", "## Pitfalls", "## When to consult the solution"]) {
      assert.ok(statement.includes(h), `${statementPath(lab)}: ${h}`);
    }
  }
});

test("every notebook is nbformat 4.5 for the tslab kernel, with cell ids (outputs: notebook-outputs.test.ts)", () => {
  for (const lab of LABS) {
    const nb = JSON.parse(readFileSync(join(REPO_ROOT, notebookPath(lab)), "utf8"));
    assert.equal(nb.nbformat, 4);
    assert.ok(nb.nbformat_minor >= 5);
    assert.equal(nb.metadata.kernelspec.name, "tslab");
    for (const cell of nb.cells) {
      assert.ok(typeof cell.id === "string" && cell.id.length > 0);
      if (cell.cell_type === "code") assert.ok(Array.isArray(cell.outputs), `${notebookPath(lab)} ${cell.id}: code cells keep an outputs list`);
    }
    assert.ok(nb.cells.some((c: { source: string[] }) => c.source.join("").includes(`kit.checkLab("${lab.id}")`)), "ends with the checks");
  }
});

test("the progress table credits only the learner's own code: the shipped reference shows as reference, never ✔", () => {
  const attempt = { at: "2026-01-02T03:04:05.000Z", mode: "answers" as const, correct: 18, total: 20, percent: 90, passed: true, chapters: {} };
  const run = (code: "learner" | "reference" | "modified" | "none" | undefined, ok = true) => ({
    at: "2026-01-01T10:00:00.000Z", passed: ok ? 8 : 6, total: 8, ok, failing: ok ? [] : ["03.load-run", "03.identity"], ...(code ? { code } : {}),
  });
  const text = progressTable(
    { version: 1, labs: { "00": run("none"), "01": run("learner"), "02": run("reference"), "03": run(undefined) } },
    { version: 1, quizzes: { "34": { best: attempt, last: attempt, attempts: 2 } } },
  );
  assert.match(text, /lab 00 .*✔ 8\/8 pass /);
  assert.match(text, /lab 01 .*✔ 8\/8 pass on your code/);
  assert.match(text, /lab 02 .*reference: 8\/8 pass on the shipped reference .*npm run lab -- start 02/);
  assert.match(text, /lab 03 .*reference: 8\/8 pass on the shipped reference/, "a record without an owner is never the learner's");
  assert.doesNotMatch(text, /lab 0[23] .*✔/);
  assert.match(text, /quiz 34 .*✔ best 90\.0 %/);
  assert.match(text, /3 of 5 done by you/);
  const fresh = progressTable({ version: 1, labs: { "02": run("modified"), "03": run("learner", false) } }, { version: 1, quizzes: {} });
  assert.match(fresh, /lab 02 .*reference: 8\/8 pass on edited reference files/);
  assert.match(fresh, /lab 03 .*✘ 6\/8 pass on your code .*failing: 03\.load-run, 03\.identity/);
  assert.match(fresh, /0 of 5 done by you/);
});

test("the exposition parser reads labels, sums and buckets", () => {
  const expo = parseExposition([
    "# HELP request_total x", "# TYPE request_total counter",
    'request_total{endpoint="/v1/completions",method="POST",status="200"} 3',
    'request_total{endpoint="/v1/completions",method="POST",status="500"} 1',
    "# TYPE d histogram", 'd_bucket{le="0.1"} 1', 'd_bucket{le="1"} 2', 'd_bucket{le="+Inf"} 2', "d_count 2", "d_sum 0.6",
  ].join("\n"));
  assert.equal(sumOf(expo, "request_total"), 4);
  assert.equal(sumOf(expo, "request_total", { status: "200" }), 3);
  assert.deepEqual(bucketsOf(expo, "d"), [0.1, 1]);
  assert.equal(expo.families.get("request_total")?.type, "counter");
});
