// Picks a readable display unit for a Grafana unit id and a range of values (seconds → ms, bytes →
// MiB, ratios → %, tiny euro amounts → µ€). The chart options and the PNG renderer share it (labs 01, 03).

export interface DisplayUnit {
  /** Multiply raw values by this before drawing. */
  readonly factor: number;
  /** Shown on the value axis, e.g. "ms", "MiB", "%", "req/s". */
  readonly suffix: string;
}

/** The display unit for `unit` given the largest absolute value to draw. */
export function displayUnit(unit: string, maxAbs: number): DisplayUnit {
  switch (unit) {
    case "s":
      return maxAbs > 0 && maxAbs < 1 ? { factor: 1000, suffix: "ms" } : { factor: 1, suffix: "s" };
    case "ms":
      return { factor: 1, suffix: "ms" };
    case "percentunit":
      return { factor: 100, suffix: "%" };
    case "percent":
      return { factor: 1, suffix: "%" };
    case "bytes": {
      const steps: [number, string][] = [[2 ** 30, "GiB"], [2 ** 20, "MiB"], [2 ** 10, "KiB"]];
      const hit = steps.find(([size]) => maxAbs >= size);
      return hit ? { factor: 1 / hit[0], suffix: hit[1] } : { factor: 1, suffix: "B" };
    }
    case "reqps":
      return { factor: 1, suffix: "req/s" };
    case "currencyEUR":
      // A request costs micro-euros; "0.000012 €" is unreadable on an axis.
      return maxAbs > 0 && maxAbs < 0.01 ? { factor: 1e6, suffix: "µ€" } : { factor: 1, suffix: "€" };
    default:
      return { factor: 1, suffix: "" };
  }
}

/** A value with its unit, rounded to about three significant digits. */
export function formatValue(value: number | null, unit: DisplayUnit): string {
  if (value === null || !Number.isFinite(value)) return "–";
  const v = value * unit.factor;
  const text = v === 0 ? "0" : Math.abs(v) >= 1000 ? v.toFixed(0) : Number(v.toPrecision(3)).toString();
  return unit.suffix ? `${text} ${unit.suffix}` : text;
}
