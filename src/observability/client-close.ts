// How a response ended when its client never got all of it: 499 when the client closed the
// connection (nginx's "client closed request"), 408 when the server timed the request out (lab 01).
import type { IncomingMessage, ServerResponse } from "node:http";

/** Sockets the server cut for not sending their request in time (marked from the 'clientError' event). */
const timedOut = new WeakSet<object>();

export function markTimedOut(socket: object): void {
  timedOut.add(socket);
}

export function wasTimedOut(socket: object | null | undefined): boolean {
  return socket != null && timedOut.has(socket);
}

/** null when the response was written in full; else the status RED metrics, logs and spans record. */
export function unfinishedStatus(req: IncomingMessage, res: ServerResponse): 408 | 499 | null {
  if (res.writableFinished) return null;
  return wasTimedOut(req.socket) ? 408 : 499;
}
