// Test helpers: a validated config for tests (port 0, quiet logs) and a real miniserve on loopback.
import { loadConfig } from "../../src/config/index.ts";
import type { Config } from "../../src/config/index.ts";
import { createEngine, startMiniserve } from "../../src/server/index.ts";
import type { EngineParts, Miniserve } from "../../src/server/index.ts";
import { runAudit } from "../../src/observability/index.ts";

/** Config from defaults plus overrides given as environment variables. */
export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig({
    HOST: "127.0.0.1",
    PORT: "0",
    LOG_LEVEL: "silent",
    ...(process.env.MINISERVE_MODEL_DIR ? { MINISERVE_MODEL_DIR: process.env.MINISERVE_MODEL_DIR } : {}),
    ...env,
  });
}

export async function testEngine(env: Record<string, string> = {}): Promise<EngineParts> {
  return createEngine(testConfig(env));
}

/** The bare server, plus the audit extension (untraced: no tracing runs in the test process). */
export async function testServer(env: Record<string, string> = {}): Promise<Miniserve> {
  const config = testConfig(env);
  return startMiniserve(config, { audit: (text) => runAudit(text, { traceDir: config.traceDir }) });
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

/** Poll until `check` is true or the deadline passes (bounded: never loops forever). */
export async function waitFor(check: () => boolean, timeoutMs = 5000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
