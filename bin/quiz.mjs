#!/usr/bin/env node
// Entry point for `npx quiz 34`: runs the TypeScript quiz command (src/cli/quiz.ts) through tsx.
// Paths are resolved from the package root, so it works from any directory.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const entry = fileURLToPath(new URL("../src/cli/quiz.ts", import.meta.url));
const result = spawnSync(process.execPath, ["--import", "tsx", entry, ...process.argv.slice(2)], {
  stdio: "inherit",
  cwd: fileURLToPath(new URL("..", import.meta.url)),
});
if (result.error) {
  console.error(`quiz: could not start node (${result.error.message}).`);
  process.exit(2);
}
process.exit(result.status ?? 130);
