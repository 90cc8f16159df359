// One record per finished request, computed once from its lifecycle and then only rendered: metrics,
// spans, the log line and the cost histograms read it, none recomputes an interval (labs 01–03).
// Every interval of a request is defined here, and only here.
import type { EngineRequest, FinishReason, RequestTimings } from "../engine/index.ts";
import type { CostRecord } from "./cost-tracker.ts";
import type { RequestObservation } from "./request-state.ts";

/** The stages of a generation, in the order they happen (also the names of their spans). */
export const STAGES = ["retrieve", "tokenize", "queue", "prefill", "decode"] as const;
export type Stage = (typeof STAGES)[number];

type Mark = keyof RequestTimings;

/** Where each stage starts and ends on the request's timeline. */
const STAGE_BOUNDS: Readonly<Record<Stage, readonly [Mark, Mark]>> = {
  retrieve: ["retrievalStartMs", "retrievedMs"],
  tokenize: ["tokenizeStartMs", "tokenizedMs"],
  queue: ["enqueuedMs", "scheduledMs"],
  prefill: ["prefillStartMs", "prefillEndMs"],
  decode: ["prefillEndMs", "finishedMs"],
};

/** Time to first token: from arrival to the first generated token, in seconds; null before it. */
export function ttftSeconds(t: Readonly<RequestTimings>): number | null {
  return t.firstTokenMs === undefined ? null : (t.firstTokenMs - t.arrivedMs) / 1000;
}

export interface StageInterval {
  readonly stage: Stage;
  /** performance.now() milliseconds, the engine's clock. */
  readonly startMs: number;
  readonly endMs: number;
  /** False when the request ended inside the stage (a queue it left unscheduled). */
  readonly completed: boolean;
}

/** The stages a request went through; one that began and never ended runs to the finish. */
export function stageIntervals(t: Readonly<RequestTimings>, finishedMs: number): StageInterval[] {
  const out: StageInterval[] = [];
  for (const stage of STAGES) {
    const [from, to] = STAGE_BOUNDS[stage];
    const startMs = t[from];
    if (startMs === undefined) continue;
    const end = t[to];
    out.push({ stage, startMs, endMs: Math.max(startMs, end ?? finishedMs), completed: end !== undefined });
  }
  return out;
}

/** Parameters the route validated, as the client asked for them (the engine may adjust some). */
export interface RequestParams {
  readonly maxTokens: number | null;
  readonly temperature: number | null;
  readonly topP: number | null;
  readonly stream: boolean;
  readonly retrievalTopK: number | null;
}

export interface RequestRecord {
  readonly id: string;
  readonly model: string;
  readonly operation: "text_completion" | "chat";
  readonly params: RequestParams;
  readonly arrivedMs: number;
  readonly firstTokenMs: number | null;
  readonly finishedMs: number;
  readonly stages: readonly StageInterval[];
  /** Seconds, each computed once: arrival → first token, arrival → finish, per stage. */
  readonly seconds: {
    readonly ttft: number | null;
    readonly generation: number;
    /** Mean time between output tokens after the first; null with fewer than two. */
    readonly perOutputToken: number | null;
  } & Readonly<Partial<Record<Stage, number>>>;
  readonly tokens: { readonly prompt: number; readonly completion: number };
  /** Rows in its prefill step; decode steps it took part in, their mean and largest row count. */
  readonly batch: { readonly prefill: number; readonly decodeSteps: number; readonly decodeMean: number; readonly decodeMax: number };
  readonly passages: number;
  readonly finishReason: FinishReason;
  readonly abortReason: string | null;
  readonly cost: CostRecord;
}

/** Folds a finished request and what was gathered about it into its record. */
export function buildRecord(request: EngineRequest, obs: RequestObservation, cost: CostRecord): RequestRecord {
  const t = request.timings;
  const finishedMs = t.finishedMs ?? t.arrivedMs;
  const stages = stageIntervals(t, finishedMs);
  const seconds: Record<string, number | null> = {
    ttft: ttftSeconds(t),
    generation: (finishedMs - t.arrivedMs) / 1000,
    perOutputToken: t.firstTokenMs !== undefined && request.completionTokens > 1
      ? (finishedMs - t.firstTokenMs) / 1000 / (request.completionTokens - 1) : null,
  };
  for (const s of stages) if (s.completed) seconds[s.stage] = (s.endMs - s.startMs) / 1000;
  const b = obs.batch;
  return {
    id: request.id,
    model: request.modelName,
    operation: obs.operation,
    params: obs.params,
    arrivedMs: t.arrivedMs,
    firstTokenMs: t.firstTokenMs ?? null,
    finishedMs,
    stages,
    seconds: seconds as RequestRecord["seconds"],
    tokens: { prompt: request.promptTokens, completion: request.completionTokens },
    batch: { prefill: b.prefill, decodeSteps: b.decodeSteps, decodeMean: b.decodeSteps > 0 ? b.decodeRows / b.decodeSteps : b.prefill, decodeMax: b.decodeMax },
    passages: request.passages.length,
    finishReason: request.finishReason ?? "abort",
    abortReason: request.abortReason,
    cost,
  };
}
