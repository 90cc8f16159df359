// The project's npm setup: no npm warning on every command (an unknown key in .npmrc printed one), the GPU
// download of onnxruntime-node stays skipped, and no lifecycle script of ours is silently skipped with it.
// A fresh `npm ci` with only the npm registry reachable is run by .ci/run itself.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "../../src/stack/paths.ts";

test("npm commands in the project print no warning about its config", () => {
  const res = spawnSync("npm", ["pkg", "get", "name"], { cwd: REPO_ROOT, encoding: "utf8", env: { ...process.env, npm_config_loglevel: "warn" } });
  assert.equal(res.status, 0, res.stderr);
  assert.doesNotMatch(res.stderr, /npm warn/i, res.stderr);
});

test(".npmrc keeps dependencies' install scripts off, so onnxruntime-node fetches no CUDA binaries", () => {
  const npmrc = readFileSync(join(REPO_ROOT, ".npmrc"), "utf8");
  assert.match(npmrc, /^ignore-scripts=true$/m);
  const config = spawnSync("npm", ["config", "get", "ignore-scripts"], { cwd: REPO_ROOT, encoding: "utf8" });
  assert.equal(config.stdout.trim(), "true", config.stderr);
});

test("package.json has no pre/post or install hooks, which ignore-scripts would skip without a word", () => {
  const scripts = Object.keys((JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { scripts: Record<string, string> }).scripts);
  const hooks = scripts.filter((s) => /^(pre|post)|^(install|prepare|prepublish|prepack)$/.test(s));
  assert.deepEqual(hooks, [], "ignore-scripts=true in .npmrc skips these: run them explicitly instead");
});
