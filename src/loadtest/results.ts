// results.json of a load test: its versioned schema, a validator, the run id and where runs are
// written (experiments/34-load-test/<run-id>/). Read by the summary, the tests and lab 03.
import type { ClientView, LoadTestOptions } from "./driver-types.ts";
import type { describeMix } from "./request-mix.ts";

export const RESULTS_SCHEMA = "miniserve-loadtest-results";
export const RESULTS_SCHEMA_VERSION = 1;

export interface LoadTestResults {
  readonly schema: typeof RESULTS_SCHEMA;
  readonly schemaVersion: typeof RESULTS_SCHEMA_VERSION;
  readonly runId: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number;
  readonly target: {
    readonly url: string; readonly model: string; readonly kvSlots: number; readonly queueCapacity: number;
    /** sha256 of the served model's ONNX file, when the server said (runs before it was recorded lack it) */
    readonly modelSha256?: string;
  };
  readonly options: {
    readonly rate: number; readonly durationS: number; readonly connections: number;
    readonly timeoutS: number; readonly graceS: number;
    readonly seed: number; readonly mixSize: number; readonly fixedLength: boolean;
  };
  readonly mix: ReturnType<typeof describeMix>;
  readonly client: ClientView;
}

/** e.g. 20261122T0630Z-100rps: UTC minute of the start plus the offered rate. */
export function runIdOf(startedAtMs: number, rate: number): string {
  const iso = new Date(startedAtMs).toISOString(); // 2026-11-22T06:30:12.345Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  return `${stamp}-${rate > 0 ? `${rate}rps` : "closed"}`;
}

export function buildResults(
  client: ClientView,
  opts: Pick<LoadTestOptions, "url" | "rate" | "durationS" | "connections"> & { timeoutS: number; graceS: number; seed: number; mixSize: number; fixedLength: boolean },
  target: LoadTestResults["target"],
  mix: LoadTestResults["mix"],
): LoadTestResults {
  return {
    schema: RESULTS_SCHEMA, schemaVersion: RESULTS_SCHEMA_VERSION,
    runId: runIdOf(client.startedAtMs, opts.rate),
    startedAtMs: client.startedAtMs, endedAtMs: client.endedAtMs,
    target,
    options: {
      rate: opts.rate, durationS: opts.durationS, connections: opts.connections, timeoutS: opts.timeoutS,
      graceS: opts.graceS, seed: opts.seed, mixSize: opts.mixSize, fixedLength: opts.fixedLength,
    },
    mix, client,
  };
}

// ---- validation: every field, so a hand-edited or truncated file is caught before it is summarised ----
type Check = (v: unknown) => boolean;
const num: Check = (v) => typeof v === "number" && Number.isFinite(v);
const nonNeg: Check = (v) => num(v) && (v as number) >= 0;
const int: Check = (v) => Number.isInteger(v) && (v as number) >= 0;
const numOrNull: Check = (v) => v === null || num(v);
const bool: Check = (v) => typeof v === "boolean";
const str: Check = (v) => typeof v === "string" && v.length > 0;
/** A field that may be absent; when present, it must pass `check`. */
const optional = (check: Check): Check => Object.assign((v: unknown) => check(v), { optional: true });

const DISTRIBUTION = { count: int, mean: numOrNull, p50: numOrNull, p95: numOrNull, p99: numOrNull, max: numOrNull };
const SHAPE = {
  schema: (v: unknown) => v === RESULTS_SCHEMA,
  schemaVersion: (v: unknown) => v === RESULTS_SCHEMA_VERSION,
  runId: (v: unknown) => typeof v === "string" && /^\d{8}T\d{4}Z-(\d+rps|closed)$/.test(v),
  startedAtMs: int, endedAtMs: int,
  target: { url: str, model: str, kvSlots: int, queueCapacity: int, modelSha256: optional((v) => typeof v === "string" && /^[0-9a-f]{64}$/.test(v)) },
  options: { rate: nonNeg, durationS: nonNeg, connections: int, timeoutS: nonNeg, graceS: nonNeg, seed: int, mixSize: int, fixedLength: bool },
  mix: { requests: int, meanPromptTokens: nonNeg, meanMaxTokens: nonNeg, streamShare: nonNeg, retrievalShare: nonNeg, chatShare: nonNeg },
  client: {
    startedAtMs: int, endedAtMs: int, elapsedS: nonNeg, aborted: bool, stoppedAtDeadline: bool, effectiveConnections: int,
    counts: {
      sent: int, completed: int, ok: int, non2xx: int, connectionErrors: int, timeouts: int, unfinished: int,
      byStatus: (v: unknown) => typeof v === "object" && v !== null && !Array.isArray(v) && Object.entries(v).every(([k, n]) => /^\d{3}$/.test(k) && int(n)),
    },
    sentRps: nonNeg, achievedRps: nonNeg, okRps: nonNeg,
    latencyMs: DISTRIBUTION, ttftMs: DISTRIBUTION, streamedOk: int, maxBacklog: int, lateSends: int,
    timeline: (v: unknown) => Array.isArray(v) && v.every((s, i) =>
      typeof s === "object" && s !== null && (s as { second: unknown }).second === i &&
      walk(s, { second: int, sent: int, completed: int, ok: int, errors: int, p50Ms: numOrNull, p95Ms: numOrNull }, "").length === 0),
  },
};
type Shape = { readonly [k: string]: Check | Shape };

function walk(value: unknown, shape: Shape, path: string): string[] {
  if (typeof value !== "object" || value === null) return [`${path || "results"}: expected an object`];
  const problems: string[] = [];
  const obj = value as Record<string, unknown>;
  for (const [key, check] of Object.entries(shape)) {
    const at = path ? `${path}.${key}` : key;
    if (!(key in obj)) {
      if (!(typeof check === "function" && "optional" in check)) problems.push(`${at}: missing`);
    }
    else if (typeof check === "function") {
      if (!check(obj[key])) problems.push(`${at}: unexpected value ${JSON.stringify(obj[key])?.slice(0, 80)}`);
    } else problems.push(...walk(obj[key], check, at));
  }
  for (const key of Object.keys(obj)) if (!(key in shape)) problems.push(`${path ? `${path}.` : ""}${key}: not in schema v${RESULTS_SCHEMA_VERSION}`);
  return problems;
}

/** Every problem with a parsed results.json (empty: valid), including cross-field consistency. */
export function validateResults(value: unknown): string[] {
  const problems = walk(value, SHAPE, "");
  if (problems.length > 0) return problems;
  const r = value as LoadTestResults;
  const c = r.client.counts;
  if (c.ok + c.non2xx !== c.completed) problems.push("client.counts: ok + non2xx must equal completed");
  if (Object.values(c.byStatus).reduce((a, n) => a + n, 0) !== c.completed) problems.push("client.counts.byStatus must add up to completed");
  if (r.client.latencyMs.count !== c.completed) problems.push("client.latencyMs.count must equal completed");
  if (r.client.ttftMs.count > r.client.streamedOk) problems.push("client.ttftMs.count cannot exceed streamedOk");
  if (r.endedAtMs < r.startedAtMs) problems.push("endedAtMs is before startedAtMs");
  return problems;
}
