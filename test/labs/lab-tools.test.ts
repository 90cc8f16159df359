// The lab tools without servers: lab lookup, starters that differ from the reference exactly in TODO
// blocks, the progress table, and the committed-run reader's honest "no run yet".
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { findLab, LABS, notebookPath, solutionPath, starterPath, statementPath } from "../../src/labs/lab-catalogue.ts";
import { STARTER_MARKER } from "../../src/labs/lab-switcher.ts";
import { progressTable } from "../../src/labs/progress-table.ts";
import { parseExposition, sumOf, bucketsOf } from "../../src/labs/exposition-parse.ts";
import { REPO_ROOT } from "../../src/stack/paths.ts";

test("labs are found by number or slug; unknown ones are null", () => {
  assert.equal(findLab("1")?.id, "01");
  assert.equal(findLab("03-cost-and-loadtest")?.id, "03");
  assert.equal(findLab("07"), null);
  assert.equal(findLab(undefined), null);
});

test("every lab has its statement, notebook and solution write-up; every starter is marked and has TODO blocks", () => {
  for (const lab of LABS) {
    for (const p of [statementPath(lab), notebookPath(lab), solutionPath(lab)]) assert.ok(existsSync(join(REPO_ROOT, p)), p);
    const statement = readFileSync(join(REPO_ROOT, statementPath(lab)), "utf8");
    for (const h of ["## What you produce", "## TODO blocks", "## Constraints", "## Stop conditions", "## Pitfalls", "## When to consult the solution"]) {
      assert.ok(statement.includes(h), `${statementPath(lab)}: ${h}`);
    }
    for (const file of lab.files) {
      const starter = readFileSync(join(REPO_ROOT, starterPath(lab, file)), "utf8");
      assert.ok(starter.includes(STARTER_MARKER), `${file}: starter marker`);
      assert.match(starter, new RegExp(`TODO\\(lab ${lab.id}, block [A-E]\\)`), `${file}: TODO blocks`);
      // The starter keeps every export of the reference: the rest of the server still imports them.
      const exportsOf = (t: string) => [...t.matchAll(/^export (?:async )?(?:function|class|const|interface|type) (\w+)/gm)].map((m) => m[1]).sort();
      assert.deepEqual(exportsOf(starter), exportsOf(readFileSync(join(REPO_ROOT, file), "utf8")), `${file}: exports`);
    }
  }
});

test("every notebook is nbformat 4.5 for the tslab kernel, with cell ids and no stored outputs", () => {
  for (const lab of LABS) {
    const nb = JSON.parse(readFileSync(join(REPO_ROOT, notebookPath(lab)), "utf8"));
    assert.equal(nb.nbformat, 4);
    assert.ok(nb.nbformat_minor >= 5);
    assert.equal(nb.metadata.kernelspec.name, "tslab");
    for (const cell of nb.cells) {
      assert.ok(typeof cell.id === "string" && cell.id.length > 0);
      if (cell.cell_type === "code") assert.deepEqual(cell.outputs, [], `${notebookPath(lab)} ${cell.id} has outputs`);
    }
    assert.ok(nb.cells.some((c: { source: string[] }) => c.source.join("").includes(`kit.checkLab("${lab.id}")`)), "ends with the checks");
  }
});

test("the progress table shows each lab's last check and the quiz's best score", () => {
  const attempt = { at: "2026-01-02T03:04:05.000Z", mode: "answers" as const, correct: 18, total: 20, percent: 90, passed: true, chapters: {} };
  const text = progressTable(
    { version: 1, labs: { "01": { at: "2026-01-01T10:00:00.000Z", passed: 5, total: 5, ok: true, failing: [] }, "03": { at: "2026-01-01T11:00:00.000Z", passed: 2, total: 3, ok: false, failing: ["03.committed-run"] } } },
    { version: 1, quizzes: { "34": { best: attempt, last: attempt, attempts: 2 } } },
  );
  assert.match(text, /lab 00 .*not checked yet .*npm run check-lab 00/);
  assert.match(text, /lab 01 .*✔ 5\/5 pass/);
  assert.match(text, /lab 03 .*✘ 2\/3 pass .*failing: 03\.committed-run/);
  assert.match(text, /quiz 34 .*✔ best 90\.0 %/);
  assert.match(text, /2 of 5 done/);
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
