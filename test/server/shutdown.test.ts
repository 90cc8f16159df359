// SIGTERM on a real `npm run serve` process: stop accepting, finish or cancel in-flight work, exit 0.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { postJson } from "../helpers/miniserve.ts";

interface Running {
  child: ChildProcess;
  url: string;
  exit: Promise<number | null>;
  lines: string[];
}

async function startServe(env: Record<string, string>): Promise<Running> {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/serve.ts"], {
    env: { ...process.env, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: string[] = [];
  const exit = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start:\n${lines.join("\n")}`)), 20_000);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      lines.push(line);
      const url = /"url":"([^"]+)"/.exec(line)?.[1];
      if (url && line.includes("miniserve ready")) {
        clearTimeout(timer);
        resolve(url);
      }
    });
    child.stderr!.on("data", (d: Buffer) => lines.push(d.toString()));
  });
  return { child, url, exit, lines };
}

const long = { model: "miniserve-tiny", prompt: "The queue", ignore_eos: true };

test("SIGTERM lets in-flight requests finish within the grace period, then exits 0", async () => {
  const s = await startServe({ MINISERVE_SHUTDOWN_GRACE_MS: "10000" });
  const inflight = postJson(`${s.url}/v1/completions`, { ...long, max_tokens: 120 });
  await new Promise((r) => setTimeout(r, 100));
  s.child.kill("SIGTERM");
  const res = await inflight;
  const body = (await res.json()) as { choices: { finish_reason: string }[]; usage: { completion_tokens: number } };
  assert.equal(res.status, 200);
  assert.equal(body.choices[0]!.finish_reason, "length");
  assert.equal(body.usage.completion_tokens, 120);
  assert.equal(await s.exit, 0, s.lines.join("\n"));
  assert.ok(s.lines.some((l) => l.includes("shutting down")));
});

test("past the grace period in-flight work is cancelled (finish_reason abort) and the exit is still 0", async () => {
  const s = await startServe({ MINISERVE_SHUTDOWN_GRACE_MS: "100", MINISERVE_MAX_TOKENS_CAP: "500" });
  // Sixteen long generations keep the engine busy well past the 100 ms grace period.
  const inflight = Array.from({ length: 16 }, () => postJson(`${s.url}/v1/completions`, { ...long, max_tokens: 500 }));
  await new Promise((r) => setTimeout(r, 150));
  s.child.kill("SIGINT");
  const responses = await Promise.all(inflight);
  const bodies = (await Promise.all(responses.map((r) => r.json()))) as { choices: { finish_reason: string }[] }[];
  assert.deepEqual(new Set(responses.map((r) => r.status)), new Set([200]));
  assert.ok(bodies.some((b) => b.choices[0]!.finish_reason === "abort"), JSON.stringify(bodies.map((b) => b.choices[0]!.finish_reason)));
  assert.equal(await s.exit, 0, s.lines.join("\n"));
});

test("a bad configuration value is a clear error and exit 1, not a stack trace", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/serve.ts", "--kv-slots", "zero"], { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  assert.equal(code, 1);
  assert.match(stderr, /MSV_ERR_CONFIG: --kv-slots must be an integer from 1 to 256; got "zero"/);
  assert.doesNotMatch(stderr, /at .*\.ts:\d+/);
});
