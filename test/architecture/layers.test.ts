// The layers hold: the engine imports no server, observability or telemetry library; the server
// imports no observability and no OpenTelemetry (the bare server runs without it); observability
// imports no server; src/serve alone composes the two. Read from the import statements themselves.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { REPO_ROOT } from "../../src/stack/paths.ts";

const SRC = join(REPO_ROOT, "src");
const IMPORT = /^\s*(?:import|export)\s[^;]*?from\s+"([^"]+)"|import\(\s*"([^"]+)"\s*\)/gm;

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith(".ts") ? [p] : [];
  });
}

/** Every module a file imports: a package name, or a path relative to src/. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(IMPORT)].map((m) => m[1] ?? m[2]!).map((spec) =>
    spec.startsWith(".") ? relative(SRC, resolve(dirname(file), spec)) : spec);
}

/** The files a module reaches through its imports, itself included (packages are leaves). */
function reach(start: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const stack = [start];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    const deps = importsOf(join(SRC, file));
    seen.set(file, deps);
    for (const d of deps) if (d.endsWith(".ts") && !seen.has(d)) stack.push(d);
  }
  return seen;
}

const folder = (rel: string) => rel.split("/")[0]!;

test("no file imports from a layer above it", () => {
  const forbidden: Record<string, RegExp> = {
    engine: /^(server|observability|serve|labs|loadtest|cli)\/|^@opentelemetry\/|^prom-client$|^fastify$/,
    server: /^(observability|serve|labs|cli)\/|^@opentelemetry\//,
    observability: /^(server|serve|labs|cli)\//,
  };
  const problems: string[] = [];
  for (const file of files(SRC)) {
    const rel = relative(SRC, file);
    const rule = forbidden[folder(rel)];
    if (!rule) continue;
    for (const dep of importsOf(file)) if (rule.test(dep)) problems.push(`${rel} imports ${dep}`);
  }
  assert.deepEqual(problems, []);
});

test("the bare server loads no OpenTelemetry and no observability, through any chain of imports", () => {
  const graph = reach("server/index.ts");
  const bad = [...graph].flatMap(([file, deps]) => deps.filter((d) => d.startsWith("@opentelemetry/") || d.startsWith("observability/")).map((d) => `${file} → ${d}`));
  assert.deepEqual(bad, []);
  assert.ok(graph.size > 10, "the walk followed the server's imports");
});
