// Turns a dashboard expression into the one Grafana would send: its $__ variables replaced, nothing
// else changed, so an empty panel here is an empty panel in Grafana. Built-in viewer, renderer, panel audit (lab 01).

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

/** A dashboard variable of the "query" kind (Grafana's templating list). */
export interface QueryVariable {
  readonly name: string;
  readonly query: string;
  readonly regex: string;
}

/** One instant-vector sample as Grafana's query_result() lists it: `name{k="v"} value timestampMs`. */
export function queryResultLine(metric: Record<string, string>, value: string, timeSeconds: number): string {
  const { __name__: name = "", ...labels } = metric;
  return `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}} ${value} ${Math.round(timeSeconds * 1000)}`;
}

/** Grafana's variable regex ("/…/flags") applied to query results: the first capture of the first match. */
export function applyVariableRegex(regex: string, lines: readonly string[]): string | null {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(regex.trim());
  const re = m ? new RegExp(m[1]!, m[2]!.replace("g", "")) : null;
  for (const line of lines) {
    if (re === null) return line;
    const hit = re.exec(line);
    if (hit) return hit[1] ?? hit[0];
  }
  return null;
}

/** $name and ${name} of the dashboard's variables replaced in a title or description. */
export function interpolate(text: string, values: Readonly<Record<string, string>>): string {
  return text.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => values[name] ?? whole);
}
