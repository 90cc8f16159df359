// The shape of a lab's stop conditions and of their results: check-lab prints them, the notebooks'
// last cell shows them, .progress/labs.json records them (labs 00–03).
import type { LabServer } from "./lab-server.ts";

export interface CheckResult {
  /** Stable id, e.g. "01.exposition"; tests and `check-lab --only` use it. */
  readonly id: string;
  /** The stop condition in the lab statement's words. */
  readonly title: string;
  readonly ok: boolean;
  /** What was observed: numbers, names, the first problem found. */
  readonly detail: string;
  /** For a failure: the likely cause (the lab's pitfalls). */
  readonly cause?: string;
  /** For a failure: the command or step to run next. */
  readonly next?: string;
}

/** A server the checks may use: one they started (logs available) or one already running. */
export interface ServerHandle {
  readonly url: string;
  /** Null when the server was already running: its logs are not readable from here. */
  readonly own: LabServer | null;
  /**
   * Set when a server that was already running started before the lab's files last changed: it
   * runs older code than the learner's files, so checking it would check the wrong code.
   */
  readonly stale: string | null;
}

export interface PrometheusHandle {
  readonly url: string;
  readonly mode: "docker" | "native";
}

/** What a lab's checks can ask for; check-env.ts starts things on demand and stops them after. */
export interface CheckEnv {
  readonly repoRoot: string;
  /** miniserve's port for labs scraped by Prometheus (the target file's port, 8000 by default). */
  readonly port: number;
  readonly prometheusPort: number;
  readonly quick: boolean;
  /** Prints a progress line (stderr in the CLI, nothing in tests). */
  say(line: string): void;
  /** miniserve at `port`: the running one, or one started now (stopped at the end). */
  scrapedServer(): Promise<ServerHandle>;
  /**
   * A miniserve running the current files that nothing else sends requests to, so the checks can
   * count exactly what they sent: the scraped one when these checks started it, else a private one.
   */
  ownServer(): Promise<LabServer>;
  /** Prometheus ready, started if installed; otherwise a sentence saying what is missing. */
  prometheus(): Promise<PrometheusHandle | { missing: string }>;
}

/** One stop condition of a lab: its id and title, and how to check it. */
export interface StopCondition {
  readonly id: string;
  readonly title: string;
  check(env: CheckEnv): Promise<CheckResult>;
}

export type LabChecks = readonly StopCondition[];

export function pass(id: string, title: string, detail: string): CheckResult {
  return { id, title, ok: true, detail };
}

export function fail(id: string, title: string, detail: string, cause: string, next: string): CheckResult {
  return { id, title, ok: false, detail, cause, next };
}

/** pass() and fail() bound to one condition's id and title. */
export interface Verdict {
  pass(detail: string): CheckResult;
  fail(detail: string, cause: string, next: string): CheckResult;
}

/** A stop condition whose check receives helpers bound to its id and title. */
export function condition(id: string, title: string, check: (env: CheckEnv, verdict: Verdict) => Promise<CheckResult>): StopCondition {
  return {
    id, title,
    check: (env) => check(env, { pass: (d) => pass(id, title, d), fail: (d, c, n) => fail(id, title, d, c, n) }),
  };
}
