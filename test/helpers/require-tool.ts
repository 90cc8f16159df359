// Shared test helper: find a system tool (promtool, prometheus, ...) on PATH. Missing locally,
// the test is skipped with a loud reason; missing in CI (process.env.CI set), the test fails.
import { findOnPath } from "../../src/stack/modes.ts";

export interface ToolRequirement {
  /** Pass as node:test's `skip` option: false when the tool exists, else the reason. */
  readonly skip: string | false;
  /** Full path of the tool, or null when it is missing. */
  readonly path: string | null;
}

const warned = new Set<string>();

/** How to get the tools the workbook's tests use; callers may pass their own hint. */
const KNOWN_HINTS: Record<string, string> = {
  prometheus: "Debian/Ubuntu: sudo apt-get install prometheus; macOS: brew install prometheus",
  promtool: "ships with Prometheus. Debian/Ubuntu: sudo apt-get install prometheus; macOS: brew install prometheus",
};

/**
 * Use as `const tool = requireTool("promtool"); test("...", { skip: tool.skip }, ...)`.
 * In CI every tool is installed, so a missing one is a broken CI image: this throws, which
 * makes the test file fail instead of silently passing with nothing checked.
 */
export function requireTool(name: string, installHint?: string, pathEnv: string | undefined = process.env.PATH): ToolRequirement {
  const path = findOnPath(name, pathEnv);
  if (path) return { skip: false, path };
  const hint = `install it (${installHint ?? KNOWN_HINTS[name] ?? "see the tool's documentation"})`;
  if (process.env.CI) {
    throw new Error(`${name} is required in CI but is not on PATH: ${hint}`);
  }
  const reason = `SKIPPED: ${name} is not on PATH; ${hint} to run this test`;
  if (!warned.has(name)) {
    warned.add(name);
    console.warn(`\n*** ${reason} ***\n`);
  }
  return { skip: reason, path: null };
}
