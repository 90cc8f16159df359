// Lab 03's wrong solutions: costs split or booked the wrong way, and an identity check that cannot fail.
import type { Mutant } from "./mutant.ts";

const TRACKER = "src/observability/cost-tracker.ts";

export const LAB03_MUTANTS: readonly Mutant[] = [
  {
    id: "03-equal-prefill-split", lab: "03", file: TRACKER, caughtBy: "03.apportioning",
    mistake: "split every step's time equally among its rows, so a short prompt pays for a long one's prefill",
    edits: [{ find: `const share = tokens > 0 ? wallSeconds * (row.tokens / tokens) : wallSeconds / step.rows.length;`, replace: `const share = wallSeconds / step.rows.length;` }],
  },
  {
    id: "03-step-time-in-milliseconds", lab: "03", file: TRACKER, caughtBy: "03.apportioning",
    mistake: "took a step's wall time in milliseconds and priced it with a per-second rate",
    edits: [{ find: `const wallSeconds = (step.endMs - step.startMs) / 1000;`, replace: `const wallSeconds = step.endMs - step.startMs;` }],
  },
  {
    id: "03-everything-to-prefill", lab: "03", file: TRACKER, caughtBy: "03.apportioning",
    mistake: "booked every step to the prefill stage, decode steps included",
    edits: [{ find: `if (stage !== undefined) acc.stageSeconds[stage] += share;`, replace: `if (stage !== undefined) acc.stageSeconds.prefill += share;` }],
  },
  {
    id: "03-retrieval-not-priced", lab: "03", file: TRACKER, caughtBy: "03.apportioning",
    mistake: "counted retrieval's own time in the engine seconds but never in its stage",
    edits: [{ find: `    acc.stageSeconds[stage] += seconds;\n`, replace: `` }],
  },
  {
    id: "03-identity-hard-coded", lab: "03", file: TRACKER, caughtBy: "03.identity",
    mistake: "hard-coded the identity check to hold",
    edits: [{ find: `identityHolds: relativeError <= COST_IDENTITY_TOLERANCE,`, replace: `identityHolds: true,` }],
  },
  {
    id: "03-total-from-engine-seconds", lab: "03", file: TRACKER, caughtBy: "03.identity",
    mistake: "took the request's total from the engine seconds instead of summing its stage costs, so the identity compares a number with itself",
    edits: [{ find: `    for (const stage of COST_STAGES) totalEur += stagesEur[stage];`, replace: `    totalEur = acc.engineSeconds * rate;` }],
  },
];
