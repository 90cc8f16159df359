// Open-loop pacing for autocannon: requests leave at a steady rate (one every 1/rate s) over a pool
// of connections, instead of autocannon's per-connection bursts at each second boundary (lab 03).
import type { EventEmitter } from "node:events";

/** The parts of autocannon's per-connection client the driver touches (lib/httpClient.js, v9). */
export interface AutocannonClient extends EventEmitter {
  requestIterator?: { requests: unknown[]; currentRequestIndex: number; currentRequest: unknown };
  reqsMade: number;
  responseMax?: number;
  destroyed: boolean;
  timeoutTicker?: { reschedule(ms: number): void };
  _doRequest: (...args: unknown[]) => void;
  destroy(): void;
}

const TICK_MS = 5;
/** A parked connection's idle time must not count against the request timeout. */
const PARKED_TIMEOUT_MS = 24 * 3600 * 1000;

/**
 * Hands out send permits at `rate` per second. A connection that wants to send (after connecting
 * or after a response) takes a permit or parks until the ticker gives it one. When every
 * connection is busy, permits pile up as backlog and are spent as soon as one frees: nothing is
 * dropped, but such requests leave late; `lateSends` counts them so a report can say so.
 */
export class ArrivalGate {
  private readonly parked: AutocannonClient[] = [];
  private readonly send = new Map<AutocannonClient, () => void>();
  private issued = 0;
  private t0 = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  maxBacklog = 0;
  lateSends = 0;

  constructor(readonly rate: number) {}

  /** Permits due since start: one at t = 0, then one every 1/rate s. */
  private due(): number {
    return this.t0 === 0 ? 0 : Math.floor((this.rate * (performance.now() - this.t0)) / 1000) + 1;
  }

  attach(client: AutocannonClient, draining: () => boolean): void {
    const original = client._doRequest.bind(client);
    this.send.set(client, original);
    client._doRequest = () => {
      if (client.destroyed) return;
      if (draining() || this.stopped) {
        client.destroy();
        return;
      }
      const backlog = this.due() - this.issued;
      if (backlog > 0) {
        this.issued++;
        if (backlog > 1) this.lateSends++;
        original();
      } else {
        client.timeoutTicker?.reschedule(PARKED_TIMEOUT_MS);
        this.parked.push(client);
      }
    };
  }

  start(): void {
    this.t0 = performance.now();
    this.timer = setInterval(() => this.tick(), TICK_MS);
  }

  private tick(): void {
    let backlog = this.due() - this.issued;
    // Bounded: at most one pass over the parked connections per tick.
    for (let i = this.parked.length; i > 0 && backlog > 0; i--) {
      const client = this.parked.shift()!;
      if (client.destroyed) continue;
      this.issued++;
      backlog--;
      this.send.get(client)!();
    }
    this.maxBacklog = Math.max(this.maxBacklog, backlog);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }
}
