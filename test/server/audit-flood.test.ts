// Forty concurrent "audit": true requests: at most MINISERVE_AUDIT_MAX_CONCURRENT child processes run,
// the rest are refused at once with 503 and Retry-After, and every slot is given back afterwards.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import type { Miniserve } from "../../src/server/index.ts";
import { postJson, testServer } from "../helpers/miniserve.ts";

let server: Miniserve;
before(async () => {
  server = await testServer({ MINISERVE_AUDIT_MAX_CONCURRENT: "2" });
});
after(() => server.close());

/** Audit children of this process (the test server runs in it): node processes running audit-child. */
function auditChildren(): number {
  try {
    return execFileSync("ps", ["--ppid", String(process.pid), "-o", "args="], { encoding: "utf8" })
      .split("\n").filter((line) => line.includes("audit-child")).length;
  } catch {
    return 0; // ps exits 1 when there are no children at all
  }
}

test("a 40-request audit flood runs at most 2 children; the others get 503 + Retry-After before generating", async () => {
  let most = 0;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      most = Math.max(most, auditChildren());
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const finished: string[] = [];
  const off = server.engine.events.on("finished", ({ request }) => void finished.push(request.id));
  const responses = await Promise.all(Array.from({ length: 40 }, (_, i) =>
    postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: `audit ${i}`, max_tokens: 6, audit: true })));
  const bodies = await Promise.all(responses.map(async (r) => (await r.json()) as { audit?: { words: number }; error?: { code: string } }));
  sampling = false;
  await sampler;
  off();

  const ok = responses.filter((r) => r.status === 200).length;
  const refused = responses.filter((r) => r.status === 503);
  assert.equal(ok + refused.length, 40, `statuses ${responses.map((r) => r.status).join(",")}`);
  assert.ok(ok >= 2, `${ok} audits ran`);
  assert.ok(most <= 2, `${most} audit children ran at once`);
  for (const r of refused) assert.equal(r.headers.get("retry-after"), "1");
  assert.ok(bodies.filter((b) => b.error).every((b) => b.error!.code === "MSV_ERR_AUDIT_BUSY"));
  assert.ok(bodies.filter((b) => !b.error).every((b) => typeof b.audit?.words === "number"), "the audits that ran returned their statistics");
  assert.equal(finished.length, ok, "refused requests were never generated");

  // Every slot came back: two more audits, one after the other, both run.
  for (let i = 0; i < 2; i++) {
    const res = await postJson(`${server.url}/v1/completions`, { model: "miniserve-tiny", prompt: "again", max_tokens: 4, audit: true });
    assert.equal(res.status, 200, await res.text());
  }
  assert.equal(auditChildren(), 0);
});
