// Client-side statistics of a load test: percentiles of latency and time to first token, and the
// per-second timeline the results file and the live progress display read (lab 03).

/** Percentiles of a sample in milliseconds; null fields when there were no samples. */
export interface Distribution {
  readonly count: number;
  readonly mean: number | null;
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** Nearest-rank percentile (the value below which p % of samples fall); NaN for an empty sample. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return nearestRank(sorted, p);
}

function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

/** Rounded to 0.1 ms: finer digits are timer noise and only bloat results.json. */
const ms = (v: number): number => Math.round(v * 10) / 10;

export function distribution(values: readonly number[]): Distribution {
  if (values.length === 0) return { count: 0, mean: null, p50: null, p95: null, p99: null, max: null };
  const sorted = [...values].sort((a, b) => a - b);
  const sum = sorted.reduce((a, v) => a + v, 0);
  return {
    count: sorted.length,
    mean: ms(sum / sorted.length),
    p50: ms(nearestRank(sorted, 50)),
    p95: ms(nearestRank(sorted, 95)),
    p99: ms(nearestRank(sorted, 99)),
    max: ms(sorted[sorted.length - 1]!),
  };
}

/** One second of the run, counted from the first request: what was sent and what came back. */
export interface TimelineSecond {
  readonly second: number;
  readonly sent: number;
  readonly completed: number;
  readonly ok: number;
  readonly errors: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
}

/** Accumulates per-second counts; bounded by the run's length in seconds, not by request count. */
export class Timeline {
  private readonly seconds: { sent: number; completed: number; ok: number; errors: number; latencies: number[] }[] = [];

  private at(second: number) {
    const s = Math.max(0, Math.floor(second));
    while (this.seconds.length <= s) this.seconds.push({ sent: 0, completed: 0, ok: 0, errors: 0, latencies: [] });
    return this.seconds[s]!;
  }

  sent(elapsedMs: number): void {
    this.at(elapsedMs / 1000).sent++;
  }

  completed(elapsedMs: number, ok: boolean, latencyMs: number): void {
    const s = this.at(elapsedMs / 1000);
    s.completed++;
    if (ok) s.ok++;
    else s.errors++;
    s.latencies.push(latencyMs);
  }

  failed(elapsedMs: number): void {
    this.at(elapsedMs / 1000).errors++;
  }

  toJSON(): TimelineSecond[] {
    return this.seconds.map((s, second) => {
      const d = distribution(s.latencies);
      return { second, sent: s.sent, completed: s.completed, ok: s.ok, errors: s.errors, p50Ms: d.p50, p95Ms: d.p95 };
    });
  }
}

/** Latencies of the last few seconds, for the live p95 of the progress display. */
export class RollingWindow {
  private samples: { at: number; value: number }[] = [];
  constructor(private readonly windowMs: number) {}

  add(at: number, value: number): void {
    this.samples.push({ at, value });
  }

  /** Drops samples older than the window, then returns what is left. */
  values(now: number): number[] {
    const from = now - this.windowMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.at < from) drop++;
    if (drop > 0) this.samples = this.samples.slice(drop);
    return this.samples.map((s) => s.value);
  }
}
