// experiments/34-capacity/README.md and its charts: the measured ramp set against the prediction
// from engine step times, tokens per request and Little's law (lab 03).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CapacityInputs } from "./capacity-model.ts";
import { predict, predictedKnee, saturationRate } from "./capacity-model.ts";
import type { RampStep } from "./capacity.ts";
import { lineChartPng } from "./charts.ts";

export interface CapacityReport {
  readonly generatedAt: string;
  readonly command: string;
  readonly stepS: number;
  readonly connections: number;
  readonly sloMs: number;
  /** the served model as GET /ready named it, and the sha256 of its ONNX file when the server said */
  readonly model: { readonly name: string; readonly sha256: string };
  readonly mixLine: string;
  readonly inputs: CapacityInputs;
  readonly steps: readonly RampStep[];
}

/** The measured knee: the first step with errors, p95 over the SLO, or an arrival rate it could not hold. */
export function measuredKnee(steps: readonly RampStep[]): { lastGood: RampStep | null; first: RampStep | null } {
  const i = steps.findIndex((s) => s.breaksSlo);
  return { lastGood: i === 0 ? null : (steps[i === -1 ? steps.length - 1 : i - 1] ?? null), first: i === -1 ? null : steps[i]! };
}

const f = (x: number | null, d = 0) => (x === null || !Number.isFinite(x) ? "—" : x.toFixed(d));

export function renderCapacityReadme(r: CapacityReport): string {
  const knee = predictedKnee(r.inputs, r.stepS);
  const sat = saturationRate(r.inputs);
  const m = measuredKnee(r.steps);
  const inp = r.inputs;
  return [
    `# Capacity ramp`,
    ``,
    `Generated ${r.generatedAt} by \`${r.command}\`. Each step offers the request mix at a fixed rate for ${r.stepS} s over ${r.connections} connections; the SLO is p95 < ${r.sloMs} ms with no errors.`,
    `Model: \`${r.model.name}\`${r.model.sha256 ? ` (ONNX sha256 \`${r.model.sha256}\`)` : ""}.`,
    r.mixLine,
    ``,
    `## Measured`,
    ``,
    `| offered req/s | sent req/s | answered req/s | errors | p50 ms | p95 ms | p99 ms | queue max / mean | KV slots max / mean | prompt tok/s | output tok/s | SLO |`,
    `|---|---|---|---|---|---|---|---|---|---|---|---|`,
    ...r.steps.map((s) => `| ${s.offeredRps} | ${f(s.sentRps, 1)} | ${f(s.achievedRps, 1)} | ${s.errors} | ${f(s.latencyMs.p50)} | ${f(s.latencyMs.p95)} | ${f(s.latencyMs.p99)} | ${s.queueDepthMax} / ${f(s.queueDepthMean, 1)} | ${s.kvSlotsMax} / ${f(s.kvSlotsMean, 1)} | ${f(s.promptTokensPerS)} | ${f(s.completionTokensPerS)} | ${s.breaksSlo ? "broken" : "met"} |`),
    ``,
    m.first
      ? `**Measured knee: ${m.first.offeredRps} req/s** is the first step that breaks the SLO${m.lastGood ? `; ${m.lastGood.offeredRps} req/s is the highest that meets it` : ""}.`
      : `**No step broke the SLO**: the knee lies above ${r.steps.at(-1)?.offeredRps ?? 0} req/s.`,
    ``,
    `Queue depth and KV slots come from \`GET /ready\` polled twice a second during each step (a 5 s Prometheus scrape misses short peaks); tokens per second from the difference of \`tokens_total\` on \`/metrics\` before and after the step.`,
    ``,
    `## Predicted`,
    ``,
    `Inputs: ${f(inp.promptTokens, 1)} prompt tokens and ${f(inp.outputTokens, 1)} output tokens per request (p95 ${f(inp.outputTokensP95)}), ${inp.kvSlots} KV slots, decode step ${inp.decodeSteps.map((s) => `${f(s.stepMs, 2)} ms at batch ${s.batch}`).join(", ")} and prefill ${f(inp.prefillTokensPerS)} tokens/s from \`bench/engine-ceiling.json\`, and a service factor of ${f(inp.serviceFactor, 1)}: the lightest step's measured p95 divided by the bare model's prediction for it (HTTP, scheduling, sampling and the worker hop cost that much on top of the forward passes).`,
    ``,
    `The model: each decode step moves every running request one token, so a request needs T steps; newcomers' prefill interrupts decoding for a share λ·P/prefill of every second; the batch is B = λ·W (Little's law, L = λW) and the step time grows with B. Slots run out when λ·W reaches ${inp.kvSlots}: at **${f(sat, 0)} req/s**; beyond it the queue grows by (λ − ${f(sat, 0)}) requests per second (${f(sat * inp.outputTokens)} output tokens/s is then the most the engine delivers).`,
    ``,
    `**Predicted knee: ${knee.rate} req/s** (${knee.reason === "slo" ? "p95 passes the SLO before the slots run out" : "the slots run out before p95 passes the SLO"}).`,
    ``,
    `| offered req/s | predicted p95 ms | measured p95 ms | predicted KV slots | measured KV slots mean | predicted queue at step end | measured queue max | predicted output tok/s | measured output tok/s |`,
    `|---|---|---|---|---|---|---|---|---|`,
    ...r.steps.map((s) => {
      const p = predict(inp, s.offeredRps, r.stepS);
      return `| ${s.offeredRps} | ${f(p.p95S * 1000)} | ${f(s.latencyMs.p95)} | ${f(p.slotsUsed, 1)} | ${f(s.kvSlotsMean, 1)} | ${f(p.queueDepth)} | ${s.queueDepthMax} | ${f(p.tokensPerS)} | ${f(s.completionTokensPerS)} |`;
    }),
    ``,
    `Where the two part, the model is missing a cost the served path pays: the load generator shares the machine's cores with the server, and the server's main thread (HTTP, JSON, SSE) is not in the engine's step times.`,
    ``,
    `## Charts`,
    ``,
    `![throughput against p95](throughput-p95.png)`,
    ``,
    `![queue depth and KV slots against offered rate](saturation.png)`,
    ``,
    `Raw numbers: \`capacity.json\`.`,
    ``,
  ].join("\n");
}

export function writeCapacityReport(dir: string, r: CapacityReport): void {
  const xs = r.steps.map((s) => s.offeredRps);
  const pred = xs.map((x) => predict(r.inputs, x, r.stepS));
  writeFileSync(join(dir, "throughput-p95.png"), lineChartPng({
    title: "Throughput and p95 latency against offered rate", xName: "offered requests/s", yNames: ["p95 latency (ms)", "answered requests/s"],
    series: [
      { name: "measured p95", points: r.steps.map((s) => [s.offeredRps, s.latencyMs.p95]) },
      { name: "predicted p95", points: pred.map((p) => [p.rate, p.p95S * 1000]), dashed: true },
      { name: "answered req/s", points: r.steps.map((s) => [s.offeredRps, s.achievedRps]), axis: 1 },
    ],
    marks: [{ label: `SLO ${r.sloMs} ms`, y: r.sloMs }],
  }));
  writeFileSync(join(dir, "saturation.png"), lineChartPng({
    title: "Queue depth and KV slots against offered rate", xName: "offered requests/s", yNames: ["requests"],
    series: [
      { name: "queue depth (max)", points: r.steps.map((s) => [s.offeredRps, s.queueDepthMax]) },
      { name: "KV slots used (max)", points: r.steps.map((s) => [s.offeredRps, s.kvSlotsMax]) },
      { name: "KV slots used (mean)", points: r.steps.map((s) => [s.offeredRps, s.kvSlotsMean]) },
      { name: "predicted queue", points: pred.map((p) => [p.rate, p.queueDepth]), dashed: true },
      { name: "predicted KV slots", points: pred.map((p) => [p.rate, p.slotsUsed]), dashed: true },
    ],
    marks: [{ label: `${r.inputs.kvSlots} KV slots`, y: r.inputs.kvSlots }],
  }));
  writeFileSync(join(dir, "capacity.json"), JSON.stringify(r, null, 2) + "\n");
  writeFileSync(join(dir, "README.md"), renderCapacityReadme(r));
}
