// Reads the committed load-test run under experiments/34-load-test/ (results.json and summary.md
// written by the load driver, plus the dashboard image) for check-lab 03 and lab 03's notebook.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const RUN_DIR = "experiments/34-load-test";
export const RUN_COMMAND = "npm run loadtest -- --rate 100 --duration 300";

export interface CommittedRun {
  readonly files: readonly string[];
  readonly rate: number | null;
  readonly durationS: number | null;
  readonly achievedRps: number | null;
  readonly costPer1kMeanEur: number | null;
  readonly costPer1kP95Eur: number | null;
  readonly images: readonly string[];
}

/** Every numeric leaf of a JSON value with its dotted path. */
function leaves(value: unknown, path = ""): [string, number][] {
  if (typeof value === "number") return [[path, value]];
  if (value === null || typeof value !== "object") return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([k, v]) => leaves(v, path ? `${path}.${k}` : k));
}

/** The first leaf whose lower-cased path matches every pattern (results.json's layout may evolve). */
function find(all: [string, number][], ...patterns: RegExp[]): number | null {
  const hit = all.find(([p]) => patterns.every((re) => re.test(p.toLowerCase())));
  return hit ? hit[1] : null;
}

/** Files of the run that git tracks; an empty list means nothing is committed yet. */
export function committedFiles(repoRoot: string): string[] {
  const res = spawnSync("git", ["ls-files", RUN_DIR], { cwd: repoRoot, encoding: "utf8" });
  return res.status === 0 ? res.stdout.split("\n").filter(Boolean) : [];
}

/** One run folder (or the run dir itself) read into a CommittedRun. */
function readRun(repoRoot: string, files: readonly string[]): CommittedRun {
  const resultsFile = files.find((f) => f.endsWith("results.json"));
  let all: [string, number][] = [];
  if (resultsFile && existsSync(join(repoRoot, resultsFile))) {
    try {
      all = leaves(JSON.parse(readFileSync(join(repoRoot, resultsFile), "utf8")));
    } catch {
      all = [];
    }
  }
  let mean = find(all, /1k/, /cost/, /mean/);
  let p95 = find(all, /1k/, /cost/, /p95/);
  const summaryFile = files.find((f) => f.endsWith("summary.md"));
  if ((mean === null || p95 === null) && summaryFile && existsSync(join(repoRoot, summaryFile))) {
    // The summary's headline: "Cost per 1k output tokens: mean €0.0000355, p95 €0.000210."
    const m = /mean\s*€\s*([\d.e+-]+)[^\n]*?p95\s*€\s*([\d.e+-]+)/i.exec(readFileSync(join(repoRoot, summaryFile), "utf8"));
    if (m) {
      mean ??= Number(m[1]);
      p95 ??= Number(m[2]!.replace(/\.$/, ""));
    }
  }
  return {
    files,
    rate: find(all, /(^|\.)(options\.)?(rate|targetrps|offeredrps)$/),
    durationS: find(all, /(^|\.)(options\.)?(durations|duration)$/),
    achievedRps: find(all, /(^|\.)achievedrps$/),
    costPer1kMeanEur: mean,
    costPer1kP95Eur: p95,
    images: files.filter((f) => /\.(png|jpe?g)$/i.test(f)),
  };
}

/** Whether a run meets the lab's bar: ≥ 100 RPS, ≥ 300 s, an image, both cost numbers. */
export function runProblems(run: CommittedRun): string[] {
  const problems: string[] = [];
  if (run.rate === null || run.rate < 100) problems.push(`rate ${run.rate ?? "unknown"} < 100 RPS`);
  if (run.durationS === null || run.durationS < 300) problems.push(`duration ${run.durationS ?? "unknown"} s < 300 s`);
  if (run.images.length === 0) problems.push("no dashboard image (.png)");
  if (run.costPer1kMeanEur === null || run.costPer1kP95Eur === null) problems.push("no cost per 1k output tokens (mean and p95)");
  return problems;
}

/**
 * The committed runs (one folder per run id, experiments/34-load-test/<run-id>/, or files directly
 * in the folder), the first that meets the bar first; null when nothing is committed.
 */
export function readCommittedRun(repoRoot: string): CommittedRun | null {
  const files = committedFiles(repoRoot);
  if (files.length === 0) return null;
  const groups = new Map<string, string[]>();
  for (const f of files) {
    const rest = f.slice(RUN_DIR.length + 1);
    const key = rest.includes("/") ? rest.slice(0, rest.indexOf("/")) : "";
    groups.set(key, [...(groups.get(key) ?? []), f]);
  }
  const runs = [...groups.values()].filter((g) => g.some((f) => f.endsWith("results.json") || f.endsWith("summary.md"))).map((g) => readRun(repoRoot, g));
  if (runs.length === 0) return readRun(repoRoot, files);
  return runs.find((r) => runProblems(r).length === 0) ?? runs[runs.length - 1]!;
}
