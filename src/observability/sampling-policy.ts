// The trace sampling policy (lab 02): keep every error, every request slower than a threshold and a
// ratio of the rest, drop health checks. The same rules as infra/otel-collector/config.yml's tail_sampling.
import { SpanKind, SpanStatusCode, TraceFlags, isSpanContextValid, trace } from "@opentelemetry/api";
import type { Attributes, Context, Link } from "@opentelemetry/api";
import { hrTimeToMilliseconds } from "@opentelemetry/core";
import {
  AlwaysOffSampler, AlwaysOnSampler, ParentBasedSampler, SamplingDecision, TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import type { ReadableSpan, Sampler, SamplingResult } from "@opentelemetry/sdk-trace-base";
import type { Config } from "../config/index.ts";

/** Paths whose traces are never kept (probes and scrapes); the HTTP instrumentation does not even start them. */
export const UNTRACED_PATHS: ReadonlySet<string> = new Set(["/health", "/ready", "/metrics", "/favicon.ico"]);

export interface TracePolicy {
  /** Share of the traces no other rule keeps, 0..1 (OTEL_TRACES_SAMPLER_ARG). */
  readonly ratio: number;
  readonly keepErrors: boolean;
  /** Keep traces at least this long, first span start to last span end; 0 = no latency rule. */
  readonly keepSlowerThanMs: number;
}

/** Why a trace was kept or dropped: the `rule` label of trace_sampling_decisions_total. */
export type DecisionRule = "route" | "error" | "slow" | "ratio" | "none";
export const DECISIONS: readonly { keep: boolean; rule: DecisionRule }[] = [
  { keep: false, rule: "route" }, { keep: true, rule: "error" }, { keep: true, rule: "slow" },
  { keep: true, rule: "ratio" }, { keep: false, rule: "none" },
];

// FNV-1a, 64 bits, salted and compared as the collector's probabilistic policy does
// (processor/tailsamplingprocessor/internal/sampling/probabilistic.go): both keep the same traces.
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = (1n << 64n) - 1n;
const SALT = new TextEncoder().encode("default-hash-seed");

function fnv1a64(bytes: Iterable<number>, hash = FNV_OFFSET): bigint {
  let h = hash;
  for (const b of bytes) h = ((h ^ BigInt(b)) * FNV_PRIME) & MASK;
  return h;
}

function traceIdBytes(traceId: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < traceId.length; i += 2) out.push(parseInt(traceId.slice(i, i + 2), 16));
  return out;
}

/** The collector's hash of a trace id: FNV-1a 64 over the salt "default-hash-seed", then the id's 16 bytes. */
export function traceIdHash(traceId: string): bigint {
  return fnv1a64(traceIdBytes(traceId), fnv1a64(SALT));
}

/** True when the ratio rule keeps this trace: deterministic in the trace id, so every hop agrees. */
export function ratioKeeps(traceId: string, ratio: number): boolean {
  if (ratio >= 1) return true;
  if (ratio <= 0) return false;
  // The collector computes MaxUint64 × ratio in big floats; a double's 53 bits differ from it by
  // less than 2^-52 of the range, which no trace id hash can tell apart in practice.
  const threshold = BigInt(Math.floor(Number(MASK) * ratio));
  return traceIdHash(traceId) <= threshold;
}

/**
 * The head part of the policy. Every span is recorded, because whether a request fails or runs
 * slow is only known when it ends; the W3C sampled flag is set when the ratio rule (or a caller's
 * sampled traceparent) already keeps the trace. So the flag still means "kept for certain": the
 * audit child traces only then, and exemplars link only to such traces. The tail part
 * (TailSamplingProcessor) decides the rest once the trace has ended.
 */
export class PolicySampler implements Sampler {
  constructor(private readonly ratio: number) {}

  shouldSample(context: Context, traceId: string, _name: string, _kind: SpanKind, _attributes: Attributes, _links: Link[]): SamplingResult {
    const parent = trace.getSpanContext(context);
    const flagged = parent !== undefined && isSpanContextValid(parent) && (parent.traceFlags & TraceFlags.SAMPLED) !== 0;
    // A local child follows its parent's flag; a root, or a request from a caller, also gets the ratio rule.
    const keep = flagged || ((parent === undefined || !isSpanContextValid(parent) || parent.isRemote === true) && ratioKeeps(traceId, this.ratio));
    return { decision: keep ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.RECORD };
  }

  toString(): string {
    return `PolicySampler{ratio=${this.ratio}}`;
  }
}

/** The head policy: one of OTEL_TRACES_SAMPLER's standard samplers decides at span start, alone. */
export function samplerFor(config: Pick<Config, "traceSampler" | "traceSamplerArg">): { sampler: Sampler; ratio: number } {
  const ratio = config.traceSamplerArg;
  switch (config.traceSampler) {
    case "always_on": return { sampler: new AlwaysOnSampler(), ratio: 1 };
    case "always_off": return { sampler: new AlwaysOffSampler(), ratio: 0 };
    case "traceidratio": return { sampler: new TraceIdRatioBasedSampler(ratio), ratio };
    case "parentbased_always_on": return { sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }), ratio: 1 };
    case "parentbased_always_off": return { sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }), ratio: 0 };
    case "parentbased_traceidratio": return { sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) }), ratio };
  }
}

/** A span that starts this process's part of a trace: no parent, or a parent in another process. */
export function isLocalRoot(span: ReadableSpan): boolean {
  return span.parentSpanContext === undefined || span.parentSpanContext.isRemote === true;
}

/**
 * The tail decision over every span of a trace, in the collector's precedence: a health-check
 * path drops the trace whatever else holds; then error, latency, and the sampled flag (the ratio
 * rule's mark) each keep it.
 */
export function decideTrace(policy: TracePolicy, spans: readonly ReadableSpan[]): { keep: boolean; rule: DecisionRule } {
  let start = Infinity;
  let end = -Infinity;
  let error = false;
  let flagged = false;
  for (const s of spans) {
    const path = s.attributes["url.path"];
    if (typeof path === "string" && UNTRACED_PATHS.has(path)) return { keep: false, rule: "route" };
    start = Math.min(start, hrTimeToMilliseconds(s.startTime));
    end = Math.max(end, hrTimeToMilliseconds(s.endTime));
    if (s.status.code === SpanStatusCode.ERROR) error = true;
    if ((s.spanContext().traceFlags & TraceFlags.SAMPLED) !== 0) flagged = true;
  }
  if (policy.keepErrors && error) return { keep: true, rule: "error" };
  if (policy.keepSlowerThanMs > 0 && Math.floor(end - start) >= policy.keepSlowerThanMs) return { keep: true, rule: "slow" };
  if (flagged) return { keep: true, rule: "ratio" };
  return { keep: false, rule: "none" };
}
