// Reads Prometheus text exposition (GET /metrics) into families and samples, so lab checks and
// notebooks can ask "is request_total{status="200"} above 0?" without a Prometheus (labs 01, 03).

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
}

export interface Exposition {
  readonly families: ReadonlyMap<string, Family>;
  readonly samples: readonly Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Parses the plain-text format; exemplars (after " # ") and timestamps are ignored. */
export function parseExposition(text: string): Exposition {
  const families = new Map<string, Family>();
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "") continue;
    if (line.startsWith("# HELP ")) {
      const [name, ...rest] = line.slice(7).split(" ");
      help.set(name!, rest.join(" "));
      continue;
    }
    if (line.startsWith("# TYPE ")) {
      const [name, type] = line.slice(7).split(" ");
      families.set(name!, { name: name!, type: type ?? "untyped", help: help.get(name!) ?? "" });
      continue;
    }
    if (line.startsWith("#")) continue;
    const m = SAMPLE.exec(line.split(" # ")[0]!);
    if (!m) continue;
    const labels: Record<string, string> = {};
    for (const l of (m[3] ?? "").matchAll(LABEL)) labels[l[1]!] = l[2]!.replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    const value = m[4] === "+Inf" ? Infinity : m[4] === "-Inf" ? -Infinity : Number(m[4]);
    samples.push({ name: m[1]!, labels, value });
  }
  return { families, samples };
}

/** Sum of every sample of `name` whose labels include `match`. */
export function sumOf(expo: Exposition, name: string, match: Record<string, string> = {}): number {
  let total = 0;
  for (const s of expo.samples) {
    if (s.name !== name) continue;
    if (Object.entries(match).every(([k, v]) => s.labels[k] === v)) total += s.value;
  }
  return total;
}

/** Label names used by a family's samples (histogram series without `le`). */
export function labelNamesOf(expo: Exposition, family: string): string[] {
  const names = new Set<string>();
  for (const s of expo.samples) {
    if (s.name === family || s.name.startsWith(`${family}_`)) for (const k of Object.keys(s.labels)) if (k !== "le") names.add(k);
  }
  return [...names].sort();
}

/** Upper bounds of a histogram's buckets, +Inf excluded, in order. */
export function bucketsOf(expo: Exposition, family: string): number[] {
  const les = new Set<number>();
  for (const s of expo.samples) if (s.name === `${family}_bucket` && s.labels["le"] !== "+Inf") les.add(Number(s.labels["le"]));
  return [...les].sort((a, b) => a - b);
}

/** GET /metrics in the plain-text format (no Accept header: promtool can lint it). */
export async function scrape(url: string, timeoutMs = 5000): Promise<{ status: number; text: string }> {
  const res = await fetch(`${url}/metrics`, { headers: { accept: "text/plain" }, signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, text: await res.text() };
}
