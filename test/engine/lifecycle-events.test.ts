// docs/miniserve-map.md's table of lifecycle events names exactly the events the engine emits.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ENGINE_EVENTS } from "../../src/engine/index.ts";
import { REPO_ROOT } from "../../src/stack/paths.ts";

test("the map's event table lists every lifecycle event, in order, and no other", () => {
  const doc = readFileSync(join(REPO_ROOT, "docs/miniserve-map.md"), "utf8");
  const section = doc.slice(doc.indexOf("## Lifecycle events"), doc.indexOf("\n## ", doc.indexOf("## Lifecycle events") + 3));
  const rows = [...section.matchAll(/^\| `([a-z-]+)` \|/gm)].map((m) => m[1]);
  assert.deepEqual(rows, [...ENGINE_EVENTS]);
});
