// Starters are generated from the learner regions marked in the reference files: the markers are
// balanced and belong to the lab that lists the file, and every generated starter keeps the file's
// exports, shows its TODO blocks, drops the solution and type-checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { LABS } from "../../src/labs/lab-catalogue.ts";
import { STARTER_MARKER, generateStarter, parseRegions } from "../../src/labs/starter-regions.ts";
import { REPO_ROOT } from "../../src/stack/paths.ts";
import { typeErrors } from "../helpers/typecheck.ts";

const SAMPLE = [
  "// header",
  "export function f(): number {",
  "  // BEGIN LAB 01 BLOCK A: return the answer",
  "  //   (it is forty-two)",
  "  // STARTER: return 0;",
  "  // the reference's own comment stays out of the starter",
  "  return 42;",
  "  // END LAB 01 BLOCK A",
  "}",
  "// BEGIN LAB 02 BLOCK B: another lab's block",
  "export const g = 1;",
  "// END LAB 02 BLOCK B",
].join("\n");

test("a starter keeps the TODO text and STARTER code of its lab's regions and nothing of their solutions", () => {
  const starter = generateStarter(SAMPLE, "01", "sample.ts");
  assert.equal(starter.split("\n")[0], `// ${STARTER_MARKER} 01 (npm run lab -- start 01): write the TODO(lab 01, …) blocks, then npm run check-lab 01.`);
  assert.match(starter, /^ {2}\/\/ TODO\(lab 01, block A\): return the answer\n {2}\/\/ {3}\(it is forty-two\)\n {2}return 0;\n\}/m);
  assert.doesNotMatch(starter, /42;|reference's own comment|LAB 01/);
  assert.match(starter, /BEGIN LAB 02 BLOCK B[\s\S]*export const g = 1;/, "another lab's region is left as it is");
});

test("malformed markers are refused with the file, the line and what is wrong", () => {
  const cases: [string, RegExp][] = [
    ["// BEGIN LAB 01 BLOCK A: x\ncode;\n", /sample\.ts:1: BEGIN LAB 01 BLOCK A is never closed/],
    ["code;\n// END LAB 01 BLOCK A\n", /sample\.ts:2: END LAB 01 BLOCK A without a BEGIN/],
    ["// BEGIN LAB 01 BLOCK A: x\ncode;\n// END LAB 01 BLOCK B\n", /sample\.ts:3: END LAB 01 BLOCK B closes BEGIN LAB 01 BLOCK A/],
    ["// BEGIN LAB 01 BLOCK A: x\n// BEGIN LAB 01 BLOCK B: y\n", /sample\.ts:2: BEGIN LAB 01 BLOCK B inside the open block/],
    ["// BEGIN LAB 01 BLOCK A: x\n// STARTER: return 0;\n// END LAB 01 BLOCK A\n", /sample\.ts:1: block 01\/A has no reference solution/],
    ["// BEGIN LAB 01 BLOCK A: x\ncode;\n// STARTER: late;\n// END LAB 01 BLOCK A\n", /sample\.ts:3: a STARTER line after the solution began/],
    ["// BEGIN LAB 1 BLOCK A x\n", /sample\.ts:1: a malformed lab marker/],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseRegions(text, "sample.ts"), (err: Error & { code?: string }) => err.code === "MSV_ERR_LAB_FILES" && message.test(err.message), text);
  }
  assert.throws(() => generateStarter(SAMPLE, "03", "sample.ts"), /has no BEGIN LAB 03 block/);
});

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : name.endsWith(".ts") ? [relative(REPO_ROOT, path)] : [];
  });
}

test("each lab lists exactly the src files that hold its regions, and no file serves two labs", () => {
  const byLab = new Map<string, Set<string>>();
  for (const file of sourceFiles(join(REPO_ROOT, "src"))) {
    const labs = new Set(parseRegions(readFileSync(join(REPO_ROOT, file), "utf8"), file).map((r) => r.lab));
    assert.ok(labs.size <= 1, `${file} holds regions of labs ${[...labs].join(", ")}`);
    for (const lab of labs) byLab.set(lab, (byLab.get(lab) ?? new Set()).add(file));
  }
  for (const lab of LABS) assert.deepEqual([...(byLab.get(lab.id) ?? [])].sort(), [...lab.files].sort(), `lab ${lab.id}`);
});

test("every generated starter keeps the file's exports, shows TODO blocks, and type-checks", () => {
  const exportsOf = (t: string) => [...t.matchAll(/^export (?:async )?(?:function|class|const|interface|type) (\w+)/gm)].map((m) => m[1]).sort();
  const starters = new Map<string, string>();
  for (const lab of LABS) {
    for (const file of lab.files) {
      const reference = readFileSync(join(REPO_ROOT, file), "utf8");
      const starter = generateStarter(reference, lab.id, file);
      assert.ok(starter.startsWith(`// ${STARTER_MARKER} ${lab.id} `), file);
      assert.match(starter, new RegExp(`TODO\\(lab ${lab.id}, block [A-E]\\)`), file);
      assert.doesNotMatch(starter, /BEGIN LAB|END LAB|STARTER:/, file);
      assert.deepEqual(exportsOf(starter), exportsOf(reference), `${file}: the rest of the server still imports these`);
      starters.set(file, starter);
    }
  }
  assert.deepEqual(typeErrors(starters), []);
});
