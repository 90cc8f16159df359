// Lab 03's stop conditions: the cost identity holds over a load, the cost histograms are populated,
// and experiments/34-load-test/ holds a committed ≥ 100 RPS, 300 s run with its image and cost numbers.
import { fail, pass } from "./check-types.ts";
import type { CheckEnv, CheckResult } from "./check-types.ts";
import { RUN_COMMAND, RUN_DIR, readCommittedRun, runProblems } from "./committed-run.ts";
import { parseExposition, scrape, sumOf } from "./exposition-parse.ts";
import { runLabLoad } from "./lab-load.ts";

const T1 = "the cost identity holds over a load: Σ stage costs = Σ request costs (0.1 %), no violations";
const T2 = "the cost histograms are populated (cost_per_request_eur, cost_per_1k_output_tokens_eur)";
const T3 = `${RUN_DIR}/ holds a committed ≥ 100 RPS, 300 s run with its dashboard image and cost per 1k output tokens (mean, p95)`;
export const NO_RUN_MESSAGE = `no committed run yet: run \`${RUN_COMMAND}\``;

export function committedRunCheck(repoRoot: string): CheckResult {
  const run = readCommittedRun(repoRoot);
  const next = `${RUN_COMMAND}, then git add ${RUN_DIR}`;
  if (run === null) return fail("03.committed-run", T3, NO_RUN_MESSAGE, "The 5-minute run has not been recorded and committed.", next);
  const problems = runProblems(run);
  if (problems.length > 0) return fail("03.committed-run", T3, problems.join("; "), "The run is incomplete, too short, or too slow.", next);
  return pass("03.committed-run", T3,
    `${run.rate} RPS for ${run.durationS} s; cost per 1k output tokens mean €${run.costPer1kMeanEur!.toPrecision(3)}, p95 €${run.costPer1kP95Eur!.toPrecision(3)}; image ${run.images[0]}`);
}

export async function checkLab03(env: CheckEnv): Promise<CheckResult[]> {
  const server = await env.privateServer();
  const durationS = env.quick ? 4 : 8;
  env.say(`running a ${durationS} s load at 10 requests/s…`);
  const load = await runLabLoad({ url: server.url, rate: 10, durationS, connections: 16 });
  const expo = parseExposition((await scrape(server.url)).text);
  const requests = sumOf(expo, "cost_per_request_eur_count");
  const totalEur = sumOf(expo, "cost_per_request_eur_sum");
  const stagesEur = sumOf(expo, "cost_stage_eur_total");
  const violations = sumOf(expo, "cost_identity_violations_total");
  const gap = totalEur > 0 ? Math.abs(totalEur - stagesEur) / totalEur : 1;
  const out: CheckResult[] = [];
  const seen = `${load.counts.ok} requests answered 200; Σ request costs €${totalEur.toExponential(3)}, Σ stage costs €${stagesEur.toExponential(3)}, violations ${violations}`;
  if (totalEur > 0 && gap <= 0.001 && violations === 0) out.push(pass("03.identity", T1, `${seen}; gap ${(gap * 100).toFixed(4)} %`));
  else {
    out.push(fail("03.identity", T1, seen,
      totalEur === 0
        ? "No engine time is apportioned to requests: addStep or finish in cost-tracker.ts is still a stub."
        : "A step's time is booked to no stage (a phase missing from STAGE_OF_PHASE), or booked twice.",
      "open src/observability/cost-tracker.ts; npm test -- cost-tracker"));
  }
  const perK = sumOf(expo, "cost_per_1k_output_tokens_eur_count");
  const perKSum = sumOf(expo, "cost_per_1k_output_tokens_eur_sum");
  if (requests > 0 && perK > 0 && totalEur > 0 && perKSum > 0) {
    out.push(pass("03.histograms", T2, `${requests} observations per request (mean €${(totalEur / requests).toExponential(3)}), ${perK} per 1k tokens (mean €${(perKSum / perK).toExponential(3)})`));
  } else {
    out.push(fail("03.histograms", T2, `cost_per_request_eur: ${requests} observations summing €${totalEur}; per 1k tokens: ${perK} observations summing €${perKSum}`,
      "Costs are zero (the tracker apportions nothing), or the histograms are never observed when a request finishes.",
      "curl -s localhost:8000/metrics | grep ^cost_"));
  }
  out.push(committedRunCheck(env.repoRoot));
  return out;
}
