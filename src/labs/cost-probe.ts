// Lab 03's in-process cost checks: the learner's tracker prices requests on a real engine, and the
// check prices the same requests again from the engine's own step events and the configured rate;
// and the identity check is fed a step no stage claims, to prove it can fail.
import { join } from "node:path";
import type { EngineRequest, StepEvent } from "../engine/index.ts";
import { startProbeEngine } from "./engine-probe.ts";

const STAGE_OF: Record<string, "prefill" | "decode"> = { prefill: "prefill", decode: "decode" };
type Stages = { retrieval: number; prefill: number; decode: number };

/** The part of the request's record the check compares: its cost, priced by the learner's tracker. */
interface LearnerRecord {
  readonly cost?: { readonly totalEur: number; readonly stagesEur: Stages };
}

export interface StageMismatch {
  readonly request: string;
  readonly stage: keyof Stages;
  readonly learnerEur: number;
  readonly referenceEur: number;
}

export interface ApportionProbe {
  readonly requests: number;
  /** Prefill steps whose rows put unequal numbers of tokens through the model. */
  readonly unequalPrefills: number;
  readonly retrievals: number;
  readonly worst: StageMismatch | null;
  /** Largest relative gap between the learner's and the reference stage costs. */
  readonly maxRelativeGap: number;
  readonly errors: readonly string[];
}

const PROMPTS = [
  "Cost", "What does a request cost when its prompt is longer", "Retrieval puts passages before the prompt so the prefill of this request grows",
  "Short", "A much longer prompt makes the prefill share of one row larger than its neighbours in the same batch of rows",
  "Queue", "Tokens per second", "How is the cost of a decode step split among the rows of the batch",
];

/** Prices a mixed burst with the learner's tracker and again from the step events; compares. */
export async function probeApportioning(repoRoot: string): Promise<ApportionProbe> {
  const probe = await startProbeEngine(repoRoot, { MINISERVE_KV_SLOTS: "8" });
  const rate = probe.config.costRatePerSecondEur;
  const reference = new Map<EngineRequest, Stages>();
  const seconds = (r: EngineRequest) => {
    let s = reference.get(r);
    if (!s) reference.set(r, (s = { retrieval: 0, prefill: 0, decode: 0 }));
    return s;
  };
  let unequalPrefills = 0;
  let retrievals = 0;
  const mismatches: StageMismatch[] = [];
  let maxRelativeGap = 0;
  probe.engine.events.on("retrieved", ({ request }) => {
    retrievals++;
    seconds(request).retrieval += (request.timings.retrievedMs! - request.timings.retrievalStartMs!) / 1000;
  });
  probe.engine.events.on("step", (step: StepEvent) => {
    const wall = (step.endMs - step.startMs) / 1000;
    const tokens = step.rows.reduce((n, r) => n + r.tokens, 0);
    if (step.phase === "prefill" && new Set(step.rows.map((r) => r.tokens)).size > 1) unequalPrefills++;
    for (const row of step.rows) seconds(row.request)[STAGE_OF[step.phase]!] += wall * (row.tokens / tokens);
  });
  probe.engine.events.on("finished", ({ request }) => {
    const record = probe.recordOf(request) as LearnerRecord | null;
    const ref = seconds(request);
    for (const stage of ["retrieval", "prefill", "decode"] as const) {
      const learner = record?.cost?.stagesEur?.[stage] ?? Number.NaN;
      const want = ref[stage] * rate;
      const gap = want === 0 ? Math.abs(learner) : Math.abs(learner - want) / want;
      if (!(gap <= 1e-9)) mismatches.push({ request: request.id, stage, learnerEur: learner, referenceEur: want });
      if (Number.isFinite(gap)) maxRelativeGap = Math.max(maxRelativeGap, gap);
      else maxRelativeGap = Infinity;
    }
  });
  try {
    // Submitted in one synchronous burst: the engine admits them together, so the first prefill
    // step holds rows of very different lengths, where an equal split and a token split differ.
    const handles = PROMPTS.map((prompt, i) => probe.engine.submit({
      prompt, maxTokens: 6 + 3 * i, temperature: 0, topP: 1, seed: i, ignoreEos: true, retrievalTopK: i % 3 === 0 ? 2 : undefined, tag: probe.tag(),
    }));
    await Promise.all(handles.map((h) => h.done));
  } finally {
    await probe.close();
  }
  const worst = mismatches.sort((a, b) => Math.abs(b.learnerEur - b.referenceEur) - Math.abs(a.learnerEur - a.referenceEur))[0] ?? null;
  return { requests: PROMPTS.length, unequalPrefills, retrievals, worst, maxRelativeGap, errors: probe.errors };
}

interface TrackerModule {
  CostTracker: new (rate: number) => { addStep(step: StepEvent, accOf: () => unknown): void; finish(acc: unknown): { totalEur: number; independentEur: number; identityHolds: boolean; relativeError: number } };
  CostAccumulator: new () => unknown;
}

/**
 * The identity must be able to fail: one second of prefill plus half a second of a phase no stage
 * claims gives stage costs of 1 and an independent total of 1.5 (rate 1), a 33 % gap.
 */
export async function identityCanFail(repoRoot: string): Promise<string[]> {
  const mod = (await import(join(repoRoot, "src/observability/cost-tracker.ts"))) as TrackerModule;
  const tracker = new mod.CostTracker(1);
  const acc = new mod.CostAccumulator();
  const row = { request: {} as EngineRequest, tokens: 10 };
  tracker.addStep({ phase: "prefill", startMs: 0, endMs: 1000, rows: [row], paddedTokens: 10 }, () => acc);
  tracker.addStep({ phase: "speculate" as StepEvent["phase"], startMs: 1000, endMs: 1500, rows: [row], paddedTokens: 10 }, () => acc);
  const r = tracker.finish(acc);
  const problems: string[] = [];
  const near = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
  if (!near(r.totalEur, 1)) problems.push(`totalEur is ${r.totalEur}, not the sum of the stage costs (1)`);
  if (!near(r.independentEur, 1.5)) problems.push(`independentEur is ${r.independentEur}, not engineSeconds × rate (1.5)`);
  if (r.identityHolds) problems.push(`identityHolds is true with stage costs of 1 against 1.5 engine-seconds: the check cannot fail`);
  if (!near(r.relativeError, 0.5 / 1.5)) problems.push(`relativeError is ${r.relativeError}, not |1.5 − 1| / 1.5`);
  return problems;
}
