// Prices each request from the engine time it used: stages that ran for it alone (retrieval), its
// share of every prefill and decode step, and an independent total that checks the stages add up (lab 03).
import type { StepEvent } from "../engine/index.ts";

/** The priced stages: metrics, spans, logs and the series created at startup all loop over this list. */
export const COST_STAGES = ["retrieval", "prefill", "decode"] as const;
export type CostStage = (typeof COST_STAGES)[number];

/** Which priced stage an engine step belongs to. A phase missing here is engine time no stage claims. */
const STAGE_OF_PHASE: Readonly<Record<string, CostStage | undefined>> = { prefill: "prefill", decode: "decode" };

const perStage = (value: (stage: CostStage) => number): Record<CostStage, number> =>
  Object.fromEntries(COST_STAGES.map((s) => [s, value(s)])) as Record<CostStage, number>;

/** Engine seconds attributed to one request, kept twice on purpose (see CostTracker.finish). */
export class CostAccumulator {
  readonly stageSeconds: Record<CostStage, number> = perStage(() => 0);
  /** Every second attributed to the request, whatever the phase: the identity's other side. */
  engineSeconds = 0;
}

/** The one computation every view reads: metrics, span attributes and the log line. */
export interface CostRecord {
  /** The request's cost: the sum of its stage costs, in euros. */
  readonly totalEur: number;
  readonly stagesEur: Readonly<Record<CostStage, number>>;
  /** rate x every engine second attributed to the request, computed independently of the stages. */
  readonly independentEur: number;
  readonly engineSeconds: number;
  readonly identityHolds: boolean;
  /** |independent - sum of stages| / independent */
  readonly relativeError: number;
}

/** The tolerance of the identity check: 0.1 %. */
export const COST_IDENTITY_TOLERANCE = 0.001;

export class CostTracker {
  constructor(readonly ratePerSecondEur: number) {
    if (!(ratePerSecondEur > 0) || !Number.isFinite(ratePerSecondEur)) {
      throw new Error(`the cost rate must be a positive number of euros per second; got ${ratePerSecondEur}. Set COST_RATE_PER_SECOND_EUR.`);
    }
  }

  /** A stage that ran for one request alone (retrieval, on the HTTP thread): all its time is that request's. */
  addOwnTime(acc: CostAccumulator, stage: CostStage, seconds: number): void {
    // BEGIN LAB 03 BLOCK A: a stage that ran for this request alone (retrieval): book all its seconds
    //   (when above 0) to the accumulator twice, to stageSeconds[stage] and to engineSeconds.
    // STARTER: void acc; void stage; void seconds;
    if (!(seconds > 0)) return;
    acc.stageSeconds[stage] += seconds;
    acc.engineSeconds += seconds;
    // END LAB 03 BLOCK A
  }

  /**
   * Split one step's wall time among its rows: in proportion to the tokens each row put through
   * the model (prefill: prompt lengths; decode: one token each, so an equal split).
   * Called once per step, O(rows): no per-token work.
   */
  addStep(step: StepEvent, accOf: (row: StepEvent["rows"][number]) => CostAccumulator | undefined): void {
    // BEGIN LAB 03 BLOCK A: split the step's wall time ((endMs - startMs) / 1000) among its rows in
    //   proportion to row.tokens (prefill: prompt tokens, so rows of unequal length get unequal
    //   shares; decode: one each). Add each share to the row's accumulator (accOf(row); skip rows
    //   without one) twice: to engineSeconds, and to stageSeconds[STAGE_OF_PHASE[step.phase]] when the
    //   phase has a stage. O(rows), once per step: no per-token work.
    // STARTER: void step; void accOf; void STAGE_OF_PHASE;
    const wallSeconds = (step.endMs - step.startMs) / 1000;
    if (!(wallSeconds > 0) || step.rows.length === 0) return;
    let tokens = 0;
    for (const row of step.rows) tokens += row.tokens;
    const stage = STAGE_OF_PHASE[step.phase];
    for (const row of step.rows) {
      const acc = accOf(row);
      if (acc === undefined) continue;
      const share = tokens > 0 ? wallSeconds * (row.tokens / tokens) : wallSeconds / step.rows.length;
      acc.engineSeconds += share;
      if (stage !== undefined) acc.stageSeconds[stage] += share;
    }
    // END LAB 03 BLOCK A
  }

  /** Price a finished request and check the identity: sum of stage costs = independent total. */
  finish(acc: CostAccumulator): CostRecord {
    // BEGIN LAB 03 BLOCK B: price the request. Each stage cost (for every stage of COST_STAGES) is
    //   stageSeconds × the rate; totalEur is their sum; independentEur is engineSeconds × the rate;
    //   relativeError is |independent - total| / independent; the identity holds when it is within
    //   COST_IDENTITY_TOLERANCE. Compute it: a check that always holds hides every booking error.
    // STARTER: void acc; void perStage;
    // STARTER: return { totalEur: 0, stagesEur: perStage(() => 0), independentEur: 0, engineSeconds: 0, identityHolds: true, relativeError: 0 };
    const rate = this.ratePerSecondEur;
    const stagesEur = perStage((stage) => acc.stageSeconds[stage] * rate);
    let totalEur = 0;
    for (const stage of COST_STAGES) totalEur += stagesEur[stage];
    const independentEur = acc.engineSeconds * rate;
    const gap = Math.abs(independentEur - totalEur);
    const relativeError = independentEur > 0 ? gap / independentEur : (totalEur > 0 ? 1 : 0);
    return {
      totalEur, stagesEur, independentEur,
      engineSeconds: acc.engineSeconds,
      identityHolds: relativeError <= COST_IDENTITY_TOLERANCE,
      relativeError,
    };
    // END LAB 03 BLOCK B
  }
}
