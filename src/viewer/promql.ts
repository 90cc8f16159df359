// Turns a dashboard expression into one Prometheus can run: Grafana's $__ variables replaced, and
// counters that never moved read as 0 while the target is scraped. Built-in viewer and renderer (lab 01).

/** Parses a Prometheus duration such as "5s", "1m", "1m30s" or "250ms" into seconds. */
export function parseDuration(text: string): number {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)/g;
  const unit: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
  let total = 0;
  let consumed = 0;
  for (const m of text.trim().matchAll(re)) {
    total += Number(m[1]) * unit[m[2]!]!;
    consumed += m[0].length;
  }
  if (consumed === 0 || consumed !== text.trim().length) throw new Error(`not a Prometheus duration: "${text}"`);
  return total;
}

/** Seconds as the shortest whole-unit Prometheus duration ("90" -> "90s", "120" -> "2m"). */
export function formatDuration(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s % 3600 === 0) return `${s / 3600}h`;
  if (s % 60 === 0) return `${s / 60}m`;
  return `${s}s`;
}

/** Query step for a range: about 240 points, never finer than the scrape interval. */
export function stepFor(rangeSeconds: number, scrapeSeconds: number): number {
  return Math.max(Math.ceil(scrapeSeconds), Math.ceil(rangeSeconds / 240));
}

/**
 * Grafana's rule for $__rate_interval: max($__interval + scrape interval, 4 × scrape interval).
 * Four scrapes guarantee rate() always sees at least two samples, even with one scrape missed.
 */
export function rateIntervalFor(stepSeconds: number, scrapeSeconds: number): number {
  return Math.max(stepSeconds + scrapeSeconds, 4 * scrapeSeconds);
}

export interface QueryWindow {
  /** Length of the displayed range, seconds ($__range). */
  readonly rangeSeconds: number;
  /** Seconds between points ($__interval). */
  readonly stepSeconds: number;
  /** The scrape interval Prometheus uses for the job. */
  readonly scrapeSeconds: number;
}

/** Replaces $__rate_interval, $__interval, $__range (and their _ms/_s forms) in one expression. */
export function substituteVariables(expr: string, w: QueryWindow): string {
  const rate = formatDuration(rateIntervalFor(w.stepSeconds, w.scrapeSeconds));
  const values: Record<string, string> = {
    __rate_interval: rate,
    __interval_ms: String(Math.round(w.stepSeconds * 1000)),
    __interval: formatDuration(w.stepSeconds),
    __range_ms: String(Math.round(w.rangeSeconds * 1000)),
    __range_s: String(Math.round(w.rangeSeconds)),
    __range: formatDuration(w.rangeSeconds),
  };
  // Longest names first inside the alternation, so $__interval_ms is not read as $__interval + "_ms".
  return expr.replace(/\$\{?(__rate_interval|__interval_ms|__interval|__range_ms|__range_s|__range)\}?/g, (_, name: string) => values[name]!);
}

/**
 * 0 while Prometheus scrapes miniserve, nothing otherwise. A counter with labels does not exist
 * until its first increment, so "no series" for it means "0 so far" — but only when the target is
 * actually scraped; when it is not, the panel must say "no data", not draw a reassuring zero.
 */
export const ZERO_WHILE_SCRAPED = '(max(up{job="miniserve"} == 1) * 0)';

/** `sum [by (...)] (rate|increase(<name>_total...[...]))`: an aggregate over a counter. */
const COUNTER_AGGREGATE = /^sum\s*(?:by\s*\([^)]*\)\s*)?\(\s*(?:rate|increase)\(\s*[a-zA-Z_:][\w:]*_total\b[^()]*\)\s*\)$/;

/** Index of the first top-level occurrence of " / " (outside any parentheses), or -1. */
function topLevelDivision(expr: string): number {
  let depth = 0;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (c === "(") depth++;
    else if (c === ")") depth--;
    else if (c === "/" && depth === 0) return i;
  }
  return -1;
}

/**
 * The viewer's one rewrite: an aggregate over a counter (the whole expression, or the numerator
 * of a ratio) gets `or on() <zero while scraped>`. A denominator is left alone: with no requests at
 * all, an error ratio has no value, and the panel says so.
 */
export function zeroForIdleCounters(expr: string): string {
  const trimmed = expr.trim();
  const fallback = (e: string): string => `(${e} or on() ${ZERO_WHILE_SCRAPED})`;
  if (COUNTER_AGGREGATE.test(trimmed)) return fallback(trimmed);
  const at = topLevelDivision(trimmed);
  if (at > 0) {
    const left = trimmed.slice(0, at).trim();
    if (COUNTER_AGGREGATE.test(left)) return `${fallback(left)} ${trimmed.slice(at)}`;
  }
  return trimmed;
}

/** Everything the viewer does to a dashboard expression before sending it. */
export function viewerQuery(expr: string, w: QueryWindow): string {
  return zeroForIdleCounters(substituteVariables(expr, w));
}
