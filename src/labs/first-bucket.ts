// Lab 01's notebook view of the first-bucket trap on the learner's own server: the same requests'
// p50/p95/p99 read from lab 01's histograms and from the GenAI ones, beside the exact mean.
import { METRICS } from "../observability/catalogue.ts";
import type { MetricSpec } from "../observability/catalogue.ts";
import { formatSeconds, histogramQuantile, locateQuantile } from "../observability/histogram-quantile.ts";
import type { CumulativeBucket } from "../observability/histogram-quantile.ts";
import { parseExposition, scrape } from "./exposition-parse.ts";
import type { Exposition } from "./exposition-parse.ts";

/** One histogram's reading: what Prometheus' histogram_quantile would answer, from /metrics now. */
export interface HistogramReading {
  readonly name: string;
  readonly firstBound: number;
  readonly count: number;
  /** _sum / _count: exact, no bucket involved. */
  readonly meanS: number | null;
  readonly quantiles: readonly { q: number; valueS: number; inFirstBucket: boolean }[];
}

/** Lab 01's two histograms beside the GenAI ones that observe the same requests. */
const PAIRS: readonly (readonly [MetricSpec, Record<string, string>, MetricSpec, Record<string, string>])[] = [
  [METRICS.timeToFirstToken, {}, METRICS.genAiTimeToFirstToken, {}],
  // The same requests on both sides: completions, not /metrics scrapes or chat.
  [METRICS.requestDuration, { endpoint: "/v1/completions" }, METRICS.genAiRequestDuration, { gen_ai_operation_name: "text_completion" }],
];

function bucketsOf(expo: Exposition, name: string, match: Record<string, string>): CumulativeBucket[] {
  const byLe = new Map<number, number>();
  for (const s of expo.samples) {
    if (s.name !== `${name}_bucket` || !Object.entries(match).every(([k, v]) => s.labels[k] === v)) continue;
    const le = s.labels["le"] === "+Inf" ? Infinity : Number(s.labels["le"]);
    byLe.set(le, (byLe.get(le) ?? 0) + s.value);
  }
  return [...byLe].map(([le, count]) => ({ le, count }));
}

export function readHistogram(expo: Exposition, spec: MetricSpec, match: Record<string, string> = {}): HistogramReading {
  const buckets = bucketsOf(expo, spec.name, match);
  const total = (suffix: string) => expo.samples
    .filter((s) => s.name === `${spec.name}_${suffix}` && Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((a, s) => a + s.value, 0);
  const count = total("count");
  const bounds = spec.buckets ?? [];
  return {
    name: spec.name, firstBound: bounds[0]!, count,
    meanS: count > 0 ? total("sum") / count : null,
    quantiles: count === 0 ? [] : [0.5, 0.95, 0.99].map((q) => {
      const valueS = histogramQuantile(q, buckets);
      return { q, valueS, inFirstBucket: locateQuantile(valueS, bounds).kind === "first-bucket" };
    }),
  };
}

const ms = (s: number): string => `${(s * 1000).toFixed(1)} ms`;

/** The readings as a markdown table; a quantile in the first bucket is flagged, not trusted. */
export function firstBucketTable(readings: readonly HistogramReading[]): string {
  const rows = readings.map((r) => {
    const qs = r.quantiles.map((x) => (x.inFirstBucket ? `**${ms(x.valueS)}** ⚠ first bucket` : ms(x.valueS)));
    return `| \`${r.name}\` | ${formatSeconds(r.firstBound)} | ${r.count} | ${r.meanS === null ? "—" : ms(r.meanS)} | ${qs.join(" | ") || "— | — | —"} |`;
  });
  return [
    "| histogram | first bound | observations | mean (exact) | p50 | p95 | p99 |",
    "|---|---|---|---|---|---|---|",
    ...rows,
  ].join("\n");
}

/** Scrape the learner's server and compare lab 01's histograms with the GenAI ones. */
export async function firstBucketMarkdown(url: string): Promise<string> {
  const expo = parseExposition((await scrape(url)).text);
  return firstBucketTable(PAIRS.flatMap(([seed, seedMatch, fine, fineMatch]) => [readHistogram(expo, seed, seedMatch), readHistogram(expo, fine, fineMatch)]));
}
