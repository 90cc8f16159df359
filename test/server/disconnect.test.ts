// A client that goes away mid-request or mid-stream: its generation is cancelled and its slot freed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { request } from "node:http";
import type { Miniserve } from "../../src/server/index.ts";
import { testServer, waitFor } from "../helpers/miniserve.ts";

let server: Miniserve;
before(async () => {
  server = await testServer({ MINISERVE_KV_SLOTS: "4" });
});
after(() => server.close());

/** Send a long generation and destroy the socket once `when` says so. */
function sendAndDrop(body: object, dropAfterFirstByte: boolean): Promise<void> {
  return new Promise((resolve) => {
    const req = request(`${server.url}/v1/completions`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      res.once("data", () => {
        if (dropAfterFirstByte) req.destroy();
      });
    });
    req.on("error", () => resolve());
    req.on("close", () => resolve());
    req.end(JSON.stringify(body));
    if (!dropAfterFirstByte) {
      void waitFor(() => server.engine.stats().slotsUsed > 0, 5000, "a slot in use").then(() => req.destroy());
    }
  });
}

const long = { model: "miniserve-tiny", prompt: "The queue", max_tokens: 250, ignore_eos: true };

test("dropping a streamed request mid-stream frees its slot", async () => {
  const aborted: string[] = [];
  const off = server.engine.events.on("aborted", ({ reason }) => void aborted.push(reason));
  await sendAndDrop({ ...long, stream: true }, true);
  await waitFor(() => server.engine.stats().slotsUsed === 0 && server.engine.stats().queueDepth === 0, 5000, "slots and queue back to 0");
  off();
  assert.deepEqual(aborted, ["client disconnected"]);
});

test("dropping a non-streamed request mid-generation frees its slot", async () => {
  let finished = 0;
  const off = server.engine.events.on("finished", ({ request }) => void (request.finishReason === "abort" && finished++));
  await sendAndDrop(long, false);
  await waitFor(() => server.engine.stats().slotsUsed === 0, 5000, "slots back to 0");
  off();
  assert.equal(finished, 1);
});

test("many dropped clients at once leave nothing behind", async () => {
  await Promise.all(Array.from({ length: 10 }, (_, i) => sendAndDrop({ ...long, stream: i % 2 === 0 }, i % 2 === 0)));
  await waitFor(() => server.engine.stats().slotsUsed === 0 && server.engine.stats().queueDepth === 0, 10_000, "slots and queue back to 0");
  assert.equal(server.engine.stats().running, 0);
});
