// Clients that send half a request: a half-sent body or unfinished headers are cut within the
// configured timeout with a 408 that says why, and the connection is closed; a slow but complete
// request within the limit is served.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import type { Miniserve } from "../../src/server/index.ts";
import { testServer } from "../helpers/miniserve.ts";

let server: Miniserve;
before(async () => {
  server = await testServer({ MINISERVE_REQUEST_TIMEOUT_MS: "1000", MINISERVE_HEADERS_TIMEOUT_MS: "500" });
});
after(() => server.close());

interface Outcome { readonly closedAfterMs: number; readonly response: string }

/** Write `parts` to a raw socket (`pauseMs` apart), then wait (bounded) for the server to answer and close it. */
function rawExchange(parts: readonly string[], pauseMs = 0, limitMs = 5000): Promise<Outcome> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    const started = performance.now();
    let response = "";
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the connection was still open after ${limitMs} ms`));
    }, limitMs);
    socket.on("data", (b: Buffer) => (response += b.toString()));
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(guard);
      resolve({ closedAfterMs: performance.now() - started, response });
    });
    socket.on("connect", async () => {
      for (const [i, part] of parts.entries()) {
        if (i > 0) await new Promise((r) => setTimeout(r, pauseMs));
        if (!socket.destroyed) socket.write(part);
      }
    });
  });
}

const head = (length: number): string =>
  `POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${length}\r\nConnection: close\r\n\r\n`;

test("a half-sent body is cut within the request timeout, answered 408 MSV_ERR_REQUEST_TIMEOUT", async () => {
  const { closedAfterMs, response } = await rawExchange([head(1000), '{"model": "mini']);
  assert.ok(closedAfterMs >= 950, `cut after ${closedAfterMs.toFixed(0)} ms, before the timeout`);
  assert.ok(closedAfterMs < 1000 + 250 + 500, `cut after ${closedAfterMs.toFixed(0)} ms (timeout 1000 ms, checked every 125 ms)`);
  assert.match(response, /^HTTP\/1\.1 408 Request Timeout\r\n/);
  const body = JSON.parse(response.slice(response.indexOf("\r\n\r\n") + 4)) as { error: { code: string; message: string } };
  assert.equal(body.error.code, "MSV_ERR_REQUEST_TIMEOUT");
  assert.match(body.error.message, /whole body within 1000 ms/);
});

test("headers that never finish are cut within the headers timeout", async () => {
  const { closedAfterMs, response } = await rawExchange(["POST /v1/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "]);
  assert.ok(closedAfterMs < 500 + 125 + 500, `cut after ${closedAfterMs.toFixed(0)} ms`);
  assert.match(response, /^HTTP\/1\.1 408 /);
});

test("twenty half-sent bodies at once: every connection is closed, and the server still answers", async () => {
  const outcomes = await Promise.all(Array.from({ length: 20 }, () => rawExchange([head(500), "{"])));
  assert.ok(outcomes.every((o) => o.response.startsWith("HTTP/1.1 408")), "each got its 408");
  const res = await fetch(`${server.url}/health`);
  assert.equal(res.status, 200);
  await res.text();
});

test("a slow but complete request within the limit is served", async () => {
  const body = JSON.stringify({ model: "miniserve-tiny", prompt: "Slow but fine", max_tokens: 3 });
  const third = Math.ceil(body.length / 3);
  const { response } = await rawExchange([head(body.length), body.slice(0, third), body.slice(third, 2 * third), body.slice(2 * third)], 150);
  assert.match(response, /^HTTP\/1\.1 200 OK\r\n/);
});

test("a connection that never sends a byte is closed at the headers timeout without an unasked-for 408", async () => {
  // A load generator opens its connections up front and may not use one for longer than the
  // timeout; a response it never asked for would reach it as a reply to its next request.
  const idle = await rawExchange([], 0, 5000);
  assert.equal(idle.response, "");
  assert.ok(idle.closedAfterMs < 2500, `closed after ${idle.closedAfterMs} ms`);
});
