// The load driver against a real miniserve on port 0: rate control, the results schema, client
// TTFT only for streamed requests, loopback-only targets and a clear error when nothing answers.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { MiniserveError } from "../../src/errors/codes.ts";
import { buildRequestMix, describeMix } from "../../src/loadtest/request-mix.ts";
import { buildResults, runLoadTest, validateResults } from "../../src/loadtest/index.ts";
import type { ClientView, LoadProgress } from "../../src/loadtest/index.ts";
import type { Miniserve } from "../../src/server/index.ts";
import { freePort } from "../helpers/free-port.ts";
import { testServer } from "../helpers/miniserve.ts";

let server: Miniserve;
let view: ClientView;
const progress: LoadProgress[] = [];
const RATE = 40, DURATION = 5;

before(async () => {
  server = await testServer();
  const mix = buildRequestMix(server.engine.tokenizer, { size: 120, seed: 34, model: "miniserve-tiny", fixedLength: false });
  view = await runLoadTest({ url: server.url, rate: RATE, durationS: DURATION, connections: 60, mix, graceS: 15 }, { onProgress: (p) => progress.push(p) });
}, { timeout: 60_000 });
after(async () => server?.close());

test("a fixed rate of 40 req/s for 5 s is held within ±15 %, with no errors", () => {
  assert.ok(Math.abs(view.sentRps - RATE) / RATE <= 0.15, `sent ${view.sentRps} req/s`);
  assert.ok(Math.abs(view.achievedRps - RATE) / RATE <= 0.15, `answered ${view.achievedRps} req/s`);
  assert.equal(view.counts.ok, view.counts.sent);
  assert.equal(view.counts.non2xx + view.counts.timeouts + view.counts.connectionErrors + view.counts.unfinished, 0);
  assert.equal(view.stoppedAtDeadline, false);
  // The timeline covers the run, second by second, and its sends add up.
  assert.ok(view.timeline.length >= DURATION);
  assert.equal(view.timeline.reduce((a, s) => a + s.sent, 0), view.counts.sent);
});

test("progress arrives at most about twice a second and ends draining", () => {
  assert.ok(progress.length >= DURATION, `${progress.length} progress reports`);
  assert.ok(progress.length <= (DURATION + 3) * 2 + 2, `${progress.length} progress reports`);
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i]!.sent >= progress[i - 1]!.sent);
  assert.ok(progress.some((p) => p.p95Ms !== null));
});

test("client TTFT is measured for streamed requests only, and comes before the whole answer", () => {
  assert.ok(view.streamedOk > 0 && view.streamedOk < view.counts.ok, "the mix has both kinds");
  assert.ok(view.ttftMs.count > 0 && view.ttftMs.count <= view.streamedOk);
  assert.ok(view.ttftMs.p50! <= view.latencyMs.max!);
  assert.ok(view.ttftMs.p50! > 0);
});

test("results.json built from a run passes the schema; broken files are caught field by field", () => {
  const results = buildResults(view, { url: server.url, rate: RATE, durationS: DURATION, connections: 60, timeoutS: 30, graceS: 15, seed: 34, mixSize: 120, fixedLength: false },
    { url: server.url, model: "miniserve-tiny", kvSlots: 32, queueCapacity: 256 }, describeMix(buildRequestMix(server.engine.tokenizer, { size: 10, seed: 1, model: "m", fixedLength: false })));
  const json = JSON.parse(JSON.stringify(results)) as Record<string, unknown>;
  assert.deepEqual(validateResults(json), []);
  assert.match(results.runId, /^\d{8}T\d{4}Z-40rps$/);
  const broken = structuredClone(json) as { client: { counts: { ok: number }; latencyMs: Record<string, unknown> }; extra?: number; options: Record<string, unknown> };
  broken.client.counts.ok += 1;
  delete broken.client.latencyMs["p95"];
  delete broken.options["seed"];
  broken.extra = 1;
  const problems = validateResults(broken);
  assert.ok(problems.some((p) => p.startsWith("client.latencyMs.p95: missing")), problems.join("\n"));
  assert.ok(problems.some((p) => p.startsWith("options.seed: missing")));
  assert.ok(problems.some((p) => p.startsWith("extra: not in schema")));
});

test("only loopback targets are accepted", async () => {
  const mix = buildRequestMix(server.engine.tokenizer, { size: 2, seed: 1, model: "miniserve-tiny", fixedLength: false });
  for (const url of ["http://example.com:8000", "http://10.0.0.1:8000", "https://127.0.0.1:8000", "http://127.0.0.1:8000/v1"]) {
    await assert.rejects(runLoadTest({ url, rate: 1, durationS: 1, connections: 1, mix }),
      (err: unknown) => err instanceof MiniserveError && err.code === "MSV_ERR_LOADTEST_TARGET", url);
  }
});

test("a port nobody listens on gives a clear 'start it with npm run serve' error", async () => {
  const mix = buildRequestMix(server.engine.tokenizer, { size: 2, seed: 1, model: "miniserve-tiny", fixedLength: false });
  const port = await freePort();
  await assert.rejects(runLoadTest({ url: `http://127.0.0.1:${port}`, rate: 1, durationS: 1, connections: 1, mix }), (err: unknown) =>
    err instanceof MiniserveError && err.code === "MSV_ERR_LOADTEST_UNREACHABLE" && /not answering at http:\/\/127\.0\.0\.1:\d+.*npm run serve/.test(err.message));
});
