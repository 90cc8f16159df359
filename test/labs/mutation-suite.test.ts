// The mutation suite: every realistic wrong solution in test/labs/mutants/ type-checks, and
// `npm run check-lab NN --only <condition>` rejects it with that condition, on a copy of the repo.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/stack/paths.ts";
import { freePort } from "../helpers/free-port.ts";
import { requireTool } from "../helpers/require-tool.ts";
import { typeErrors } from "../helpers/typecheck.ts";
import { MUTANTS, mutate } from "./mutants/index.ts";
import { copyRepo } from "./repo-copy.ts";
import type { RepoCopy } from "./repo-copy.ts";

const promtool = requireTool("promtool");

test("each lab has at least four wrong solutions, each with a one-line mistake, a known condition, and code that type-checks", () => {
  for (const lab of ["01", "02", "03"]) assert.ok(MUTANTS.filter((m) => m.lab === lab).length >= 4, `lab ${lab}`);
  assert.equal(new Set(MUTANTS.map((m) => m.id)).size, MUTANTS.length, "mutant ids are unique");
  for (const m of MUTANTS) {
    assert.ok(m.id.startsWith(`${m.lab}-`) && m.caughtBy.startsWith(`${m.lab}.`), m.id);
    assert.ok(m.mistake.length > 20 && !m.mistake.includes("\n"), `${m.id}: one line saying what the learner got wrong`);
    const mutated = mutate(m, readFileSync(join(REPO_ROOT, m.file), "utf8"));
    assert.deepEqual(typeErrors(new Map([[m.file, mutated]])), [], `${m.id} must type-check, as a learner's mistake would`);
  }
});

describe("check-lab rejects every wrong solution with the condition that should catch it", { skip: promtool.skip }, () => {
  let repo: RepoCopy;
  let args: string[];
  before(async () => {
    const port = await freePort();
    repo = copyRepo(port);
    args = ["--port", String(port), "--quick"];
  });
  after(() => repo?.cleanup());

  for (const m of MUTANTS) {
    test(`${m.id} (${m.mistake}) → ✘ ${m.caughtBy}`, () => {
      const path = join(repo.root, m.file);
      const reference = readFileSync(path, "utf8");
      writeFileSync(path, mutate(m, reference));
      try {
        const r = repo.run("src/cli/check-lab.ts", [m.lab, ...args, "--only", m.caughtBy.slice(3)], {}, 120_000);
        const out = r.stdout + r.stderr;
        assert.equal(r.status, 1, out);
        assert.match(r.stdout, /^✘ /m, out);
        assert.doesNotMatch(r.stdout, /^✔ /m, out);
        assert.match(r.stdout, /likely cause: .+\n {4}next: .+/, out);
      } finally {
        writeFileSync(path, reference);
      }
    });
  }
});
