// Shared test helpers for things that listen: a free TCP port on 127.0.0.1 and a temporary
// directory removed after the test file. Used by the stack and dashboard tests.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A free port on 127.0.0.1: the stack's implementation, shared rather than written twice. */
export { freePort } from "../../src/stack/index.ts";

/** A fresh temp directory and a cleanup function to call in `after`. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
