// Keeps the theory chapters honest against the code: metric names, bucket lists, the cost rate and
// tolerance, links and images, and the shape every chapter shares (Spanish summary, recap, next link).
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Histogram, Registry, collectDefaultMetrics } from "prom-client";
import * as catalogue from "../../src/observability/catalogue.ts";
import { METRICS } from "../../src/observability/catalogue.ts";
import { COST_IDENTITY_TOLERANCE } from "../../src/observability/cost-tracker.ts";
import { loadConfig } from "../../src/config/index.ts";
import { headingSlugsOfFile } from "../../src/quiz/index.ts";

const ROOT = resolve(import.meta.dirname, "..", "..");
const THEORY = join(ROOT, "theory");
const CHAPTERS = ["00-motivation.md", "01-red-use-metrics.md", "02-cost-accounting.md", "03-tracing-and-logging.md"];
/** Where each chapter's closing "Next" link must point (the labs are written after the theory). */
const NEXT: Record<string, string> = {
  "00-motivation.md": "01-red-use-metrics.md",
  "01-red-use-metrics.md": "02-cost-accounting.md",
  "02-cost-accounting.md": "03-tracing-and-logging.md",
  "03-tracing-and-logging.md": "../labs/README.md",
};
/** Log fields that look like metric names (a unit suffix) but are not metrics. */
const LOG_FIELDS = new Set(["cost_eur", "cost_stage_eur", "independent_eur"]);

const text = (file: string): string => readFileSync(join(THEORY, file), "utf8");

/** Every metric name the process may expose: the catalogue plus prom-client's default metrics. */
function knownMetricNames(): Set<string> {
  const names = new Set<string>(Object.values(METRICS).map((m) => m.name));
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const m of registry.getMetricsAsArray()) names.add((m as unknown as { name: string }).name);
  return names;
}

/** Names that look like Prometheus metrics: snake_case ending in a unit or a type suffix. */
const METRIC_SHAPE = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*_(?:total|seconds|eur|bytes|used|depth|ratio|capacity|size|fds|running|bucket|sum|count)$/;

function baseName(name: string, histograms: Set<string>): string {
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  return m && histograms.has(m[1]!) ? m[1]! : name;
}

/** Metric-shaped words in inline code and in PromQL/YAML code blocks. */
function metricMentions(md: string): string[] {
  const out: string[] = [];
  for (const m of md.matchAll(/```(promql|yaml)\n([\s\S]*?)```/g)) {
    for (const w of m[2]!.matchAll(/[a-z][a-z0-9_]*/g)) if (METRIC_SHAPE.test(w[0])) out.push(w[0]);
  }
  const prose = md.replace(/```[\s\S]*?```/g, "");
  for (const m of prose.matchAll(/`([^`\n]+)`/g)) {
    for (const w of m[1]!.split(/[^a-z0-9_.]+/)) if (!w.includes(".") && METRIC_SHAPE.test(w)) out.push(w);
  }
  return out;
}

test("every chapter exists", () => {
  for (const c of CHAPTERS) assert.ok(existsSync(join(THEORY, c)), `theory/${c} is missing`);
});

for (const chapter of CHAPTERS) {
  test(`${chapter}: Spanish summary first, recap and next link last`, () => {
    const md = text(chapter);
    const lines = md.split("\n");
    assert.match(lines[0]!, /^# /, "the chapter starts with its title");
    const firstBlock = md.split(/\n## /)[0]!;
    assert.ok(firstBlock.includes("🇪🇸"), "the 🇪🇸 summary must come before the first section");
    const recap = md.split(/\n## Recap\n/)[1];
    assert.ok(recap !== undefined, "a '## Recap' section is required");
    const recapText = recap.split(/\n\*\*Next:\*\*/)[0]!.trim();
    assert.ok(recapText.length > 300 && !recapText.includes("\n\n"), "the recap is one paragraph of substance");
    const next = /\*\*Next:\*\*[^\n]*\]\(([^)]+)\)/.exec(recap);
    assert.ok(next, "the recap is followed by a **Next:** link");
    assert.equal(next[1], NEXT[chapter]);
    assert.ok(md.trimEnd().endsWith(")"), "the next link is the last line");
  });

  test(`${chapter}: metric names exist in catalogue.ts or prom-client's defaults`, () => {
    const known = knownMetricNames();
    const histograms = new Set(Object.values(METRICS).filter((m) => m.type === "histogram").map((m) => m.name));
    const unknown = metricMentions(text(chapter))
      .filter((w) => !LOG_FIELDS.has(w))
      .map((w) => baseName(w, histograms))
      .filter((w) => !known.has(w));
    assert.deepEqual([...new Set(unknown)], [], "metric names not defined anywhere");
  });

  test(`${chapter}: relative links and images resolve`, () => {
    const md = text(chapter).replace(/```[\s\S]*?```/g, "");
    const broken: string[] = [];
    for (const m of md.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)) {
      const href = m[1]!;
      if (/^[a-z]+:/.test(href)) continue;
      const [path, fragment] = href.split("#") as [string, string | undefined];
      const target = path === "" ? join(THEORY, chapter) : resolve(THEORY, path);
      // The labs are written after the theory: links into labs/ are checked once labs/README.md exists.
      if (path.startsWith("../labs/") && !existsSync(join(ROOT, "labs", "README.md"))) continue;
      if (!existsSync(target)) {
        broken.push(`${href} (no such file)`);
        continue;
      }
      if (fragment && target.endsWith(".md")) {
        const anchors = new Set([...headingSlugsOfFile(target), ...[...readFileSync(target, "utf8").matchAll(/<a id="([^"]+)"/g)].map((a) => a[1]!)]);
        if (!anchors.has(fragment)) broken.push(`${href} (no heading #${fragment})`);
      }
    }
    assert.deepEqual(broken, []);
  });
}

test("quoted bucket lists equal the catalogue's", () => {
  const lists = Object.entries(catalogue).filter(([name, v]) => name.includes("BUCKETS") && Array.isArray(v)) as [string, readonly number[]][];
  assert.ok(lists.length >= 6, "catalogue.ts exports its bucket lists");
  const quoted = new Map<string, number>();
  for (const chapter of CHAPTERS) {
    const md = text(chapter);
    for (const m of md.matchAll(/\b([A-Z0-9_]*BUCKETS[A-Z0-9_]*)\s*=\s*\[([^\]]*)\]/g)) {
      const name = m[1]!;
      const value = lists.find(([n]) => n === name)?.[1];
      assert.ok(value, `${chapter} quotes ${name}, which catalogue.ts does not export`);
      assert.deepEqual(m[2]!.split(",").map((s) => Number(s.trim())), [...value], `${chapter}: ${name} differs from catalogue.ts`);
      quoted.set(name, (quoted.get(name) ?? 0) + 1);
    }
  }
  for (const required of ["LLM_LATENCY_BUCKETS", "TTFT_BUCKETS", "COST_PER_REQUEST_BUCKETS_EUR", "COST_PER_1K_TOKENS_BUCKETS_EUR"]) {
    assert.ok(quoted.has(required), `no chapter quotes ${required}`);
  }
});

test("chapter 00 quotes prom-client's real default buckets", () => {
  const h = new Histogram({ name: "theory_docs_default_buckets", help: "h", registers: [] }) as unknown as { upperBounds: number[] };
  assert.ok(text("00-motivation.md").includes(h.upperBounds.join(", ")), `expected ${h.upperBounds.join(", ")} in chapter 00`);
});

test("chapter 02 states the configured cost rate and the identity tolerance", () => {
  const md = text("02-cost-accounting.md");
  const rate = loadConfig({}).costRatePerSecondEur;
  assert.ok(md.includes(rate.toFixed(8)), `the default rate ${rate.toFixed(8)} €/s must appear in chapter 02`);
  assert.ok(md.includes(`${COST_IDENTITY_TOLERANCE * 100} %`), "the identity tolerance must appear as a percentage");
});

test("every figure has its source: a .dot file or the figures script's data", () => {
  const img = join(THEORY, "img");
  const pngs = readdirSync(img).filter((f) => f.endsWith(".png"));
  const script = readFileSync(join(ROOT, "scripts", "theory-figures.ts"), "utf8");
  for (const png of pngs) {
    const dot = png.replace(/\.png$/, ".dot");
    assert.ok(existsSync(join(img, dot)) || script.includes(`"${png}"`), `${png} is neither rendered from a .dot file nor drawn by scripts/theory-figures.ts`);
  }
  assert.ok(existsSync(join(img, "data", "miniserve-run.json")), "the measured run the figures plot is committed");
  assert.ok(dirname(img).endsWith("theory"));
});
