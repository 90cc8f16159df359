// The load driver: the request mix at a fixed arrival rate for a fixed time over N connections,
// with client-side latency and time to first token. The CLI, the benchmarks and lab 03's notebook call it.
import { performance } from "node:perf_hooks";
import type { EventEmitter } from "node:events";
import autocannon from "autocannon";
import { MiniserveError } from "../errors/codes.ts";
import { Timeline, RollingWindow, distribution } from "./client-stats.ts";
import { ArrivalGate } from "./arrival-gate.ts";
import type { AutocannonClient } from "./arrival-gate.ts";
import type { ClientView, LoadProgress, LoadTestHooks, LoadTestOptions } from "./driver-types.ts";
import { baseUrl, checkReady, loopbackTarget } from "./target.ts";

export type { ClientView, LoadProgress, LoadTestHooks, LoadTestOptions } from "./driver-types.ts";

/** A chunk carries generated text when a "text" or "content" field holds a non-empty string. */
const GENERATED_TEXT = /"(?:text|content)":"(?!")/;
const PROGRESS_EVERY_MS = 500;

interface InFlight {
  readonly index: number;
  readonly stream: boolean;
  readonly sentAt: number;
  firstTextAt?: number;
}

export async function runLoadTest(options: LoadTestOptions, hooks: LoadTestHooks = {}): Promise<ClientView> {
  const { rate, durationS, connections, mix } = options;
  const timeoutS = options.timeoutS ?? 30;
  const graceS = options.graceS ?? 30;
  if (!(Number.isFinite(rate) && rate >= 0 && rate <= 5000)) throw new MiniserveError("MSV_ERR_LOADTEST_USAGE", `rate must be from 0 (closed loop) to 5000 requests/s; got ${rate}`);
  if (!(durationS > 0 && durationS <= 3600)) throw new MiniserveError("MSV_ERR_LOADTEST_USAGE", `duration must be from 1 to 3600 s; got ${durationS}`);
  if (!(Number.isInteger(connections) && connections >= 1 && connections <= 2000)) throw new MiniserveError("MSV_ERR_LOADTEST_USAGE", `connections must be an integer from 1 to 2000; got ${connections}`);
  if (mix.length === 0) throw new MiniserveError("MSV_ERR_LOADTEST_USAGE", "the request mix is empty");
  const url = baseUrl(loopbackTarget(options.url));
  if (options.skipReadyCheck !== true) await checkReady(url);

  const timeline = new Timeline();
  const recent = new RollingWindow(5000);
  const latencies: number[] = [];
  const ttfts: number[] = [];
  const byStatus: Record<string, number> = {};
  let sent = 0, completed = 0, ok = 0, connectionErrors = 0, timeouts = 0, streamedOk = 0;
  const clients: { client: AutocannonClient; inflight: InFlight | null }[] = [];
  const gate = rate > 0 ? new ArrivalGate(rate) : null;

  let startedAtMs = Date.now();
  let t0 = performance.now();
  const elapsed = () => performance.now() - t0;
  let draining = false;

  const setupClient = (raw: unknown) => {
    const client = raw as AutocannonClient;
    const n = mix.length;
    // Each connection starts at a different point of the mix, or every connection would send
    // the same entry at the same moment and each second of the run would be one kind of request.
    const offset = Math.floor((clients.length * n) / connections) % n;
    const state = { client, inflight: null as InFlight | null };
    clients.push(state);
    const iterator = client.requestIterator;
    if (offset > 0 && iterator !== undefined && Array.isArray(iterator.requests) && iterator.requests.length === n) {
      iterator.requests = [...iterator.requests.slice(offset), ...iterator.requests.slice(0, offset)];
      iterator.currentRequestIndex = 0;
      iterator.currentRequest = iterator.requests[0];
    }
    let made = 0;
    client.on("request", () => {
      const index = (offset + made++) % n;
      state.inflight = { index, stream: mix[index]!.stream, sentAt: performance.now() };
      sent++;
      timeline.sent(elapsed());
    });
    client.on("body", (chunk: Buffer) => {
      const f = state.inflight;
      if (f && f.stream && f.firstTextAt === undefined && GENERATED_TEXT.test(chunk.toString("utf8"))) f.firstTextAt = performance.now();
    });
    client.on("response", (statusCode: number) => {
      const f = state.inflight;
      state.inflight = null;
      if (!f) return;
      const now = performance.now();
      const latency = now - f.sentAt;
      const good = statusCode >= 200 && statusCode < 300;
      completed++;
      if (good) ok++;
      byStatus[String(statusCode)] = (byStatus[String(statusCode)] ?? 0) + 1;
      latencies.push(latency);
      recent.add(now, latency);
      if (good && f.stream) {
        streamedOk++;
        if (f.firstTextAt !== undefined) ttfts.push(f.firstTextAt - f.sentAt);
      }
      timeline.completed(now - t0, good, latency);
    });
    const lost = (kind: "timeout" | "connError") => () => {
      if (kind === "timeout") timeouts++;
      else connectionErrors++;
      state.inflight = null;
      timeline.failed(elapsed());
    };
    client.on("timeout", lost("timeout"));
    client.on("connError", lost("connError"));
    gate?.attach(client, () => draining);
  };

  const instance = autocannon({
    url,
    connections,
    // autocannon's own timer is only a backstop: the drain below and the hard deadline stop it first.
    duration: durationS + graceS + 2,
    timeout: timeoutS,
    pipelining: 1,
    setupClient,
    requests: mix.map((e) => ({ method: "POST", path: e.path, headers: { "content-type": "application/json" }, body: JSON.stringify(e.body) })),
  } as autocannon.Options) as unknown as Promise<autocannon.Result> & EventEmitter & { stop(): void };
  // The clock starts when pacing does: building autocannon's clients above takes a while.
  startedAtMs = Date.now();
  t0 = performance.now();
  gate?.start();

  let lastCompleted = 0, lastAt = 0;
  const progress = setInterval(() => {
    const now = elapsed();
    const currentRps = ((completed - lastCompleted) * 1000) / Math.max(1, now - lastAt);
    lastCompleted = completed;
    lastAt = now;
    const window = recent.values(performance.now());
    const report: LoadProgress = {
      elapsedS: Math.min(now / 1000, durationS + graceS), durationS, sent, completed,
      errors: connectionErrors + timeouts + (completed - ok), currentRps,
      p95Ms: window.length > 0 ? distribution(window).p95 : null, draining,
    };
    try {
      hooks.onProgress?.(report);
    } catch {
      // A failing display must not stop the load test.
    }
  }, PROGRESS_EVERY_MS);

  // Stop sending at the end of the duration, let requests in flight finish (the drain),
  // and stop hard at duration + grace whatever is still open.
  const drain = () => {
    if (draining) return;
    draining = true;
    gate?.stop();
    for (const s of clients) {
      if (s.inflight === null) s.client.destroy();
      else s.client.responseMax = Math.max(1, s.client.reqsMade);
    }
  };
  let stoppedAtDeadline = false, aborted = false;
  const drainTimer = setTimeout(drain, durationS * 1000);
  const deadline = setTimeout(() => {
    stoppedAtDeadline = true;
    instance.stop();
  }, (durationS + graceS) * 1000);
  const onAbort = () => {
    aborted = true;
    drain();
    instance.stop();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let backstop: NodeJS.Timeout | undefined;
  try {
    await Promise.race([instance, new Promise((resolve) => (backstop = setTimeout(resolve, (durationS + graceS + 5) * 1000)))]);
  } finally {
    for (const t of [drainTimer, deadline, backstop]) clearTimeout(t);
    clearInterval(progress);
    gate?.stop();
    options.signal?.removeEventListener("abort", onAbort);
    for (const s of clients) s.client.destroy();
  }
  const endedAtMs = Date.now();
  const measuredS = aborted ? Math.max(0.001, Math.min(durationS, elapsed() / 1000)) : durationS;
  const unfinished = Math.max(0, sent - completed - timeouts - connectionErrors);
  return {
    startedAtMs, endedAtMs, elapsedS: (endedAtMs - startedAtMs) / 1000, aborted, stoppedAtDeadline,
    effectiveConnections: clients.length,
    counts: { sent, completed, ok, non2xx: completed - ok, connectionErrors, timeouts, unfinished, byStatus },
    sentRps: sent / measuredS,
    achievedRps: completed / measuredS,
    okRps: ok / measuredS,
    latencyMs: distribution(latencies),
    ttftMs: distribution(ttfts),
    streamedOk,
    maxBacklog: gate?.maxBacklog ?? 0,
    lateSends: gate?.lateSends ?? 0,
    timeline: timeline.toJSON(),
  };
}
