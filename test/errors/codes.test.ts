// docs/errors.md documents every MSV_ERR_* code with how to fix it; this keeps both in step.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { ERROR_CODES } from "../../src/errors/codes.ts";

const doc = readFileSync("docs/errors.md", "utf8");
const rows = [...doc.matchAll(/^\|\s*`(MSV_ERR_[A-Z_]+)`\s*\|\s*(\d{3}|—)\s*\|([^|]+)\|([^|]+)\|/gm)];

test("every code in src/errors/codes.ts has a row in docs/errors.md, and no row is stale", () => {
  const documented = rows.map((r) => r[1]!);
  assert.deepEqual([...documented].sort(), Object.keys(ERROR_CODES).sort());
});

test("each row gives the status the code answers with and a how-to-fix", () => {
  for (const [, code, status, , fix] of rows) {
    const spec = ERROR_CODES[code as keyof typeof ERROR_CODES];
    const expected = spec.type === "cli_error" || spec.type === "config_error" ? "—" : String(spec.statusCode);
    assert.equal(status, expected, `${code}: status column`);
    assert.ok(fix!.trim().length > 15, `${code}: how to fix is missing`);
  }
});

test("every code has an anchor the CLI error messages link to", () => {
  for (const code of Object.keys(ERROR_CODES)) assert.ok(doc.includes(`<a id="${code.toLowerCase()}"></a>`), code);
});
