// The loadtest and capacity commands: bad flags print the usage and exit 2; good ones parse.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { parseLoadtestArgs } from "../../src/cli/loadtest.ts";
import { MiniserveError } from "../../src/errors/codes.ts";

const run = (script: string, args: string[]) =>
  spawnSync(process.execPath, ["--import", "tsx", script, ...args], { encoding: "utf8", timeout: 30_000 });

test("loadtest: bad flags exit 2 with the usage and the error code", () => {
  for (const args of [["--rate", "x", "--duration", "5"], ["--rate", "5"], ["--rate", "5", "--duration", "5", "--bogus", "1"], ["--rate", "5", "--duration", "5", "--url", "http://example.com"]]) {
    const r = run("src/cli/loadtest.ts", args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, /usage: npm run loadtest/);
    assert.match(r.stderr, /MSV_ERR_LOADTEST_(USAGE|TARGET)/);
  }
});

test("capacity: bad flags exit 2 with the usage", () => {
  const r = run("src/cli/capacity.ts", ["--rates", "10,zero"]);
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /usage: npm run capacity/);
});

test("loadtest: flags and defaults", () => {
  const o = parseLoadtestArgs(["--rate", "100", "--duration=300", "--connections", "400", "--fixed-length", "--prometheus", "none"]);
  assert.ok(o !== "help");
  assert.equal(o.rate, 100);
  assert.equal(o.durationS, 300);
  assert.equal(o.url, "http://127.0.0.1:8000");
  assert.equal(o.prometheusUrl, null);
  assert.equal(o.fixedLength, true);
  assert.equal(o.seed, 34);
  assert.equal(o.mixSize, 400);
  assert.equal(parseLoadtestArgs(["--help"]), "help");
  assert.throws(() => parseLoadtestArgs(["--rate", "-1", "--duration", "5"]), MiniserveError);
});
