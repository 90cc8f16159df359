// The load driver's inputs, hooks and client-side result, shared by the driver, the results file
// and the summary (lab 03).
import type { Distribution, TimelineSecond } from "./client-stats.ts";
import type { MixEntry } from "./request-mix.ts";

export interface LoadTestOptions {
  /** Base URL of miniserve; loopback only (127.0.0.1, localhost, [::1]). */
  readonly url: string;
  /** Arrival rate in requests per second over all connections; 0 = closed loop (send on each answer). */
  readonly rate: number;
  readonly durationS: number;
  /** Connections in the pool: the most requests that can be in flight at once. */
  readonly connections: number;
  /** The requests to send, cycled; each connection starts at a different entry. */
  readonly mix: readonly MixEntry[];
  /** Per-request timeout (default 30 s): a request open longer counts as a timeout. */
  readonly timeoutS?: number;
  /** How long requests in flight at the end may take to finish before a hard stop (default 30 s). */
  readonly graceS?: number;
  /** Stop early: sending stops at once and the run ends without waiting for answers. */
  readonly signal?: AbortSignal;
  /** The caller already checked GET /ready (the benchmarks' child process). */
  readonly skipReadyCheck?: boolean;
}

/** What onProgress receives, at most twice a second. */
export interface LoadProgress {
  readonly elapsedS: number;
  readonly durationS: number;
  readonly sent: number;
  readonly completed: number;
  /** Non-2xx answers, timeouts and connection errors so far. */
  readonly errors: number;
  /** Answers per second over the last progress interval. */
  readonly currentRps: number;
  /** p95 latency of the answers of the last 5 s; null before the first answer. */
  readonly p95Ms: number | null;
  /** True once sending has stopped and the requests in flight are finishing. */
  readonly draining: boolean;
}

export interface LoadTestHooks {
  readonly onProgress?: (progress: LoadProgress) => void;
}

/** The client's view of a run: what was sent, what came back, and how long it took. */
export interface ClientView {
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  /** Wall time from start to the last answer (or the hard stop), drain included. */
  readonly elapsedS: number;
  readonly aborted: boolean;
  /** The hard deadline (duration + grace) ended the run with requests still open. */
  readonly stoppedAtDeadline: boolean;
  /** Connections actually opened. */
  readonly effectiveConnections: number;
  readonly counts: {
    readonly sent: number;
    /** Answers received, any status. */
    readonly completed: number;
    readonly ok: number;
    readonly non2xx: number;
    readonly connectionErrors: number;
    readonly timeouts: number;
    /** Sent but neither answered nor failed when the run stopped. */
    readonly unfinished: number;
    readonly byStatus: Readonly<Record<string, number>>;
  };
  /** Requests sent per second of the configured duration (the arrival rate the server saw). */
  readonly sentRps: number;
  /** Answers (any status) per second of the configured duration. */
  readonly achievedRps: number;
  readonly okRps: number;
  /** From send to the last byte of the answer, every answered request. */
  readonly latencyMs: Distribution;
  /** From send to the first chunk carrying generated text, streamed requests answered 2xx. */
  readonly ttftMs: Distribution;
  /** Streamed requests answered 2xx (ttftMs.count is at most this). */
  readonly streamedOk: number;
  /** The most send permits waiting for a free connection (0: the pool was never exhausted). */
  readonly maxBacklog: number;
  /** Requests that left after their slot because every connection was busy (latency then understates the wait). */
  readonly lateSends: number;
  readonly timeline: readonly TimelineSecond[];
}
