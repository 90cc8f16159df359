// Lab 03's four stop conditions: stage costs equal an independent pricing of the same engine steps,
// the identity can fail and holds over a load when recomputed from independent sums, the cost
// histograms agree with the spans, and a 5-minute run of the learner's own is committed.
import { readTraceFiles } from "../observability/local-trace-store.ts";
import type { StoredSpan } from "../observability/local-trace-store.ts";
import { condition } from "./check-types.ts";
import type { CheckEnv, LabChecks } from "./check-types.ts";
import { identityCanFail, probeApportioning } from "./cost-probe.ts";
import { parseExposition, scrape, sumOf } from "./exposition-parse.ts";
import type { Exposition } from "./exposition-parse.ts";
import { labStartedAt } from "./lab-progress.ts";
import { runLabLoad } from "./lab-load.ts";
import { RUN_BAR, RUN_COMMAND, RUN_DIR, listLoadRuns } from "./load-run.ts";

const TRACKER_NEXT = "open src/observability/cost-tracker.ts; npm run check-lab -- 03 --only apportioning";

interface LoadFacts {
  readonly answered: number;
  readonly expo: Exposition;
  /** Every span of the load's requests, read from the server's trace store. */
  readonly spans: readonly StoredSpan[];
}

/** One short load per check run, shared by the conditions that read it. */
const loads = new WeakMap<CheckEnv, Promise<LoadFacts>>();
function sharedLoad(env: CheckEnv): Promise<LoadFacts> {
  let load = loads.get(env);
  if (!load) {
    load = (async () => {
      const server = await env.ownServer();
      const durationS = env.quick ? 4 : 8;
      env.say(`running a ${durationS} s load at 10 requests/s…`);
      const view = await runLabLoad({ url: server.url, rate: 10, durationS, connections: 16 });
      const expo = parseExposition((await scrape(server.url)).text);
      const priced = sumOf(expo, "cost_per_request_eur_count");
      // Spans are exported in batches every 250 ms: wait until every priced request's span is there.
      const deadline = Date.now() + 5000;
      let spans = readTraceFiles(server.traceDir);
      while (spans.filter(isGeneration).length < priced && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 250));
        spans = readTraceFiles(server.traceDir);
      }
      return { answered: view.counts.ok, expo, spans };
    })();
    loads.set(env, load);
  }
  return load;
}

const isGeneration = (s: StoredSpan): boolean => /^(text_completion|chat) /.test(s.name);
const costOf = (s: StoredSpan): number => (typeof s.attributes["cost.eur"] === "number" ? s.attributes["cost.eur"] : 0);
const STAGE_SPAN = { retrieval: "retrieve", prefill: "prefill", decode: "decode" } as const;
const within = (a: number, b: number, tol = 0.001) => b > 0 && Math.abs(a - b) / b <= tol;

export const LAB03_CHECKS: LabChecks = [
  condition("03.apportioning", "each request's stage costs equal an independent pricing of the same engine steps (prefill split by each row's tokens)", async (env, v) => {
    const p = await probeApportioning(env.repoRoot);
    const errors = p.errors.length > 0 ? `; errors: ${p.errors.slice(0, 2).join("; ")}` : "";
    if (p.worst === null && p.unequalPrefills > 0 && p.retrievals > 0) {
      return v.pass(`${p.requests} requests, ${p.unequalPrefills} prefill step(s) with rows of unequal length, ${p.retrievals} retrievals: every stage cost within ${p.maxRelativeGap.toExponential(1)} of the reference${errors}`);
    }
    if (p.worst === null) {
      return v.fail(`the burst gave ${p.unequalPrefills} prefill steps with unequal rows and ${p.retrievals} retrievals: nothing to compare where a split differs`,
        "The engine did not batch the burst's prompts together (another process kept it busy?).", "run npm run check-lab -- 03 --only apportioning again");
    }
    const w = p.worst;
    return v.fail(`request ${w.request}: ${w.stage} €${w.learnerEur.toExponential(4)} from your tracker, €${w.referenceEur.toExponential(4)} from the step events × the rate${errors}`,
      w.stage === "retrieval"
        ? "addOwnTime does not book the retrieval's seconds to the retrieval stage."
        : w.stage === "prefill"
          ? "A prefill step's time is not split by each row's tokens (an equal split gives short prompts too much), or it is booked to another stage."
          : "A decode step's time is not split equally among its rows, or it is booked to another stage, or the rate is applied in other units.",
      TRACKER_NEXT);
  }),

  condition("03.identity", "the identity check can fail, and over a load Σ stage-span costs = Σ cost_per_request_eur within 0.1 % with no violation", async (env, v) => {
    const cannot = await identityCanFail(env.repoRoot);
    if (cannot.length > 0) {
      return v.fail(`fed a step of a phase no stage claims (1 s priced, 1.5 s of engine time): ${cannot.join("; ")}`,
        "finish() does not compute the identity from the two sums (hard-coded to hold, or total taken from the independent side), so a booking error would go unnoticed.",
        "compute totalEur from the stages and independentEur from engineSeconds, then compare (Block B)");
    }
    const { expo, spans } = await sharedLoad(env);
    const histogramEur = sumOf(expo, "cost_per_request_eur_sum");
    const stageSpanEur = spans.filter((s) => Object.values(STAGE_SPAN).includes(s.name as never)).reduce((a, s) => a + costOf(s), 0);
    const violations = sumOf(expo, "cost_identity_violations_total");
    const seen = `Σ stage spans €${stageSpanEur.toExponential(4)}, Σ cost_per_request_eur €${histogramEur.toExponential(4)}, violations ${violations}`;
    if (within(stageSpanEur, histogramEur) && violations === 0) {
      return v.pass(`the identity fails when it should (33 % gap reported); over the load ${seen}: gap ${((Math.abs(stageSpanEur - histogramEur) / histogramEur) * 100).toFixed(4)} %`);
    }
    return v.fail(seen, histogramEur === 0
      ? "No engine time is priced: addStep or finish is still a stub."
      : "A request's total is not the sum of its stage costs, or a step is booked to no stage (a phase missing from STAGE_OF_PHASE), or booked twice.",
    TRACKER_NEXT);
  }),

  condition("03.histograms", "cost_per_request_eur and cost_per_1k_output_tokens_eur hold one observation per request, agreeing with the spans", async (env, v) => {
    const { answered, expo, spans } = await sharedLoad(env);
    const count = sumOf(expo, "cost_per_request_eur_count");
    const sum = sumOf(expo, "cost_per_request_eur_sum");
    const perKSum = sumOf(expo, "cost_per_1k_output_tokens_eur_sum");
    const gens = spans.filter(isGeneration);
    const perKFromSpans = gens.reduce((a, s) => {
      const out = Number(s.attributes["gen_ai.usage.output_tokens"]);
      return out > 0 ? a + (costOf(s) / out) * 1000 : a;
    }, 0);
    const seen = `${answered} answered; cost_per_request_eur ${count} observations summing €${sum.toExponential(3)}; per 1k tokens Σ €${perKSum.toExponential(3)} (spans: €${perKFromSpans.toExponential(3)})`;
    if (count >= answered && answered > 0 && sum > 0 && within(perKSum, perKFromSpans)) return v.pass(seen);
    return v.fail(seen, sum === 0
      ? "Costs are zero: the tracker apportions nothing, or finish ignores the accumulator."
      : "The histograms are not observed once per finished request with the record's cost.",
    "curl -s localhost:8000/metrics | grep ^cost_");
  }),

  condition("03.load-run", `${RUN_DIR}/ holds a run of yours: ≥ ${RUN_BAR.rate} RPS for ${RUN_BAR.durationS} s made after you started the lab, with its dashboard image and cost per 1k output tokens (mean, p95), committed`, async (env, v) => {
    const runs = listLoadRuns(env.repoRoot, labStartedAt("03"));
    const good = runs.filter((r) => r.problems.length === 0);
    const next = `${RUN_COMMAND} (with npm run stack -- up and npm run serve), then git add ${RUN_DIR} && git commit`;
    if (good.length > 0) {
      const r = good[good.length - 1]!;
      return v.pass(`${r.dir}: ${r.rate} RPS for ${r.durationS} s, ${r.okRps.toFixed(1)} req/s answered OK; cost per 1k output tokens mean €${r.costPer1kMeanEur!.toPrecision(3)}, p95 €${r.costPer1kP95Eur!.toPrecision(3)}`);
    }
    if (runs.length === 0) return v.fail(`no run under ${RUN_DIR}/ yet`, "The 5-minute run has not been recorded.", next);
    const detail = runs.slice(-3).map((r) => `${r.runId}: ${r.problems.join("; ")}`).join(" | ");
    return v.fail(detail, runs.every((r) => r.problems.some((p) => p.includes("before you started") || p.includes("not started")))
      ? "The runs there were made before you started the lab (the workbook ships its own): they measure the reference code, not yours."
      : "Your run is incomplete, too short, slower than the rate it offered, or not committed.",
    next);
  }),
];
