// Answers errors node raises before a request reaches fastify (headers or body not sent in time,
// malformed HTTP): an OpenAI-style body, then the connection is closed (labs 00 and 01 see 408 here).
import type { Socket } from "node:net";
import { STATUS_CODES } from "node:http";
import type { FastifyServerOptions } from "fastify";
import { MiniserveError } from "../errors/codes.ts";
import { errorBody } from "./openai-format.ts";
import type { Config } from "../config/index.ts";

type ClientErrorHandler = NonNullable<FastifyServerOptions["clientErrorHandler"]>;

/** What node reports, turned into our error: 408 for the timeouts, 431 for huge headers, 400 otherwise. */
function clientError(err: Error & { code?: string }, config: Config): { status: number; error: MiniserveError } {
  if (err.code === "ERR_HTTP_REQUEST_TIMEOUT") {
    return {
      status: 408,
      error: new MiniserveError("MSV_ERR_REQUEST_TIMEOUT", `The request did not arrive in time: headers are due within ${config.headersTimeoutMs} ms and the whole body within ${config.requestTimeoutMs} ms. Send the body right after the headers, with a Content-Length that matches it.`),
    };
  }
  if (err.code === "HPE_HEADER_OVERFLOW") {
    return { status: 431, error: new MiniserveError("MSV_ERR_INVALID_BODY", "The request headers are too large; send fewer or shorter headers.") };
  }
  return { status: 400, error: new MiniserveError("MSV_ERR_INVALID_BODY", `The request is not valid HTTP/1.1 (${err.code ?? err.message}).`) };
}

/** Bytes a connection had sent when its last response was written: anything after is a new request. */
const readAtLastAnswer = new WeakMap<Socket, number>();

/** Called as each response ends: the connection is idle until it sends another byte. */
export function markAnswered(socket: Socket): void {
  readAtLastAnswer.set(socket, socket.bytesRead);
}

/**
 * fastify's clientErrorHandler option. It writes a response only when a request has begun and none
 * has started on the socket (a half-sent body or half-sent headers); a connection that sent nothing
 * since its last answer, or nothing at all, is closed without one: a client opening connections
 * ahead of use would read an unasked-for 408 as the reply to its next request. Either way the socket
 * is closed, so nothing lingers.
 */
export function clientErrorHandler(config: Config): ClientErrorHandler {
  return function handle(err: Error & { code?: string }, socket: Socket): void {
    if (err.code === "ECONNRESET" || socket.destroyed) return;
    const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    const idle = err.code === "ERR_HTTP_REQUEST_TIMEOUT" && socket.bytesRead === (readAtLastAnswer.get(socket) ?? 0);
    if (socket.writable && !inFlight?.headersSent && !idle) {
      const { status, error } = clientError(err, config);
      const body = JSON.stringify(errorBody(error));
      socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    }
    socket.destroy(err);
  };
}

/**
 * How often node looks for connections past their headers or request timeout. Its default (30 s)
 * would let a 1 s timeout fire 31 s late; a quarter of the shorter timeout, at most 1 s, cuts a
 * connection a fraction of a second after its deadline (test/server/timeouts.test.ts bounds it).
 */
export function connectionsCheckingIntervalMs(config: Config): number {
  return Math.max(25, Math.min(1000, Math.floor(Math.min(config.headersTimeoutMs, config.requestTimeoutMs) / 4)));
}
