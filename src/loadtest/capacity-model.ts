// The capacity prediction: from the engine's measured step times and the mix's tokens per request,
// the latency, batch, queue depth and knee to expect at each offered rate (Little's law, lab 03).

export interface CapacityInputs {
  /** Mean prompt tokens per request as the engine sees them (retrieved passages included). */
  readonly promptTokens: number;
  /** Mean and 95th-percentile output tokens per request. */
  readonly outputTokens: number;
  readonly outputTokensP95: number;
  readonly kvSlots: number;
  readonly queueCapacity: number;
  /** Decode step time at several batch sizes (bench/engine-ceiling.json). */
  readonly decodeSteps: readonly { readonly batch: number; readonly stepMs: number }[];
  /** Prefill tokens per second (bench/engine-ceiling.json). */
  readonly prefillTokensPerS: number;
  /**
   * Served time ÷ model time: how much slower a request is inside the server (HTTP, scheduler,
   * sampling, worker messages) than the bare model predicts, measured on the lightest ramp step.
   */
  readonly serviceFactor: number;
  readonly sloS: number;
}

export interface Prediction {
  readonly rate: number;
  /** Mean and p95 time in the engine of one request, queueing excluded. */
  readonly serviceS: number;
  readonly p95S: number;
  /** Requests holding a slot on average: Little's law L = λW, at most kvSlots. */
  readonly slotsUsed: number;
  /** Waiting requests at the end of a step of `stepS` seconds (0 below saturation). */
  readonly queueDepth: number;
  /** Engine output tokens per second. */
  readonly tokensPerS: number;
  readonly saturated: boolean;
}

/** Decode step time at batch b, linear between measured batch sizes and beyond the largest. */
export function stepMsAt(steps: CapacityInputs["decodeSteps"], b: number): number {
  const s = [...steps].sort((x, y) => x.batch - y.batch);
  if (s.length === 0) throw new Error("no decode step times to predict from");
  if (s.length === 1 || b <= s[0]!.batch) return s[0]!.stepMs;
  for (let i = 1; i < s.length; i++) {
    const lo = s[i - 1]!, hi = s[i]!;
    if (b <= hi.batch || i === s.length - 1) return lo.stepMs + ((hi.stepMs - lo.stepMs) * (b - lo.batch)) / (hi.batch - lo.batch);
  }
  return s.at(-1)!.stepMs;
}

/**
 * Service time at rate λ. Every decode step advances each running request by one token, so a
 * request needs T steps of stepMs(B); prefill steps of newcomers interrupt decoding for a share
 * λ·P/prefill of each second. B itself is λ·W (Little's law): solved by fixed-point iteration.
 */
function service(inp: CapacityInputs, rate: number, tokens: number): { w: number; batch: number; prefillShare: number } {
  const prefillS = (inp.serviceFactor * inp.promptTokens) / inp.prefillTokensPerS;
  const prefillShare = Math.min(0.99, rate * prefillS);
  let batch = 1, w = 0;
  for (let i = 0; i < 100; i++) {
    w = (inp.serviceFactor * tokens * stepMsAt(inp.decodeSteps, batch)) / 1000 / (1 - prefillShare) + prefillS;
    // The step never runs fewer than one row, though the average occupancy λ·W may be below one.
    const next = Math.min(inp.kvSlots, Math.max(1, rate * w));
    if (Math.abs(next - batch) < 1e-6) break;
    batch = next;
  }
  return { w, batch: Math.min(inp.kvSlots, rate * w), prefillShare };
}

/** The highest rate the slots can hold: λ·W(λ) = kvSlots (beyond it the queue grows without end). */
export function saturationRate(inp: CapacityInputs): number {
  let lo = 0, hi = 10_000;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    const { w, prefillShare } = service(inp, mid, inp.outputTokens);
    if (mid * w < inp.kvSlots && prefillShare < 0.99) lo = mid;
    else hi = mid;
  }
  return lo;
}

export function predict(inp: CapacityInputs, rate: number, stepS: number): Prediction {
  const sat = saturationRate(inp);
  const mean = service(inp, Math.min(rate, sat), inp.outputTokens);
  const p95 = service(inp, Math.min(rate, sat), inp.outputTokensP95);
  const saturated = rate > sat;
  // Above saturation the queue gains (λ − λsat) requests per second until it is full.
  const queueDepth = saturated ? Math.min(inp.queueCapacity, (rate - sat) * stepS) : 0;
  // A request that arrives to a queue of q waits q/λsat before it starts (Little's law for the queue).
  const waitS = saturated ? queueDepth / 2 / sat : 0;
  return {
    rate, serviceS: mean.w, p95S: p95.w + waitS, slotsUsed: saturated ? inp.kvSlots : mean.batch, queueDepth,
    tokensPerS: Math.min(rate, sat) * inp.outputTokens, saturated,
  };
}

/** The predicted knee: the first rate (1 req/s resolution) whose p95 breaks the SLO or saturates. */
export function predictedKnee(inp: CapacityInputs, stepS: number): { rate: number; reason: "slo" | "saturation" } {
  const sat = saturationRate(inp);
  for (let rate = 1; rate <= Math.ceil(sat); rate++) {
    if (predict(inp, rate, stepS).p95S > inp.sloS) return { rate, reason: "slo" };
  }
  return { rate: Math.ceil(sat), reason: "saturation" };
}
