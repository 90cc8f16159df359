// The four labs: number, slug, title, statement and solution write-up, and the src files each lab
// teaches (the ones `npm run lab -- start NN` swaps for starters). Used by every lab command.
export interface Lab {
  readonly id: "00" | "01" | "02" | "03";
  readonly slug: string;
  readonly title: string;
  /** Files under src/ holding the lab's learner regions (BEGIN LAB NN … END LAB NN): what its starter replaces. */
  readonly files: readonly string[];
}

export const LABS: readonly Lab[] = [
  { id: "00", slug: "00-prom-grafana-up", title: "Bring the stack up", files: [] },
  {
    id: "01", slug: "01-instrument-server", title: "Instrument the server",
    files: ["src/observability/metrics.ts", "src/observability/exposition.ts", "src/observability/request-metrics.ts"],
  },
  {
    id: "02", slug: "02-tracing-end-to-end", title: "Tracing end to end",
    files: ["src/observability/request-spans.ts", "src/observability/subprocess.ts"],
  },
  { id: "03", slug: "03-cost-and-loadtest", title: "Cost and load test", files: ["src/observability/cost-tracker.ts"] },
];

export type LabId = Lab["id"];

/** The lab for "1", "01" or "01-instrument-server"; null when none matches. */
export function findLab(arg: string | undefined): Lab | null {
  if (!arg) return null;
  const trimmed = arg.trim();
  const id = /^\d{1,2}$/.test(trimmed) ? trimmed.padStart(2, "0") : trimmed.slice(0, 2);
  return LABS.find((l) => l.id === id && (trimmed.length <= 2 || l.slug.startsWith(trimmed) || trimmed.startsWith(l.slug))) ?? null;
}

export function labIds(): string {
  return LABS.map((l) => l.id).join(", ");
}

export const statementPath = (lab: Lab): string => `labs/${lab.slug}.md`;
export const notebookPath = (lab: Lab): string => `labs/${lab.slug}.ipynb`;
export const solutionPath = (lab: Lab): string => `solutions/${lab.slug}-ref.md`;
