// The committed outputs of the lab notebooks ("what you should see"): `npm run notebooks:outputs` copies a
// full run's outputs into labs/*.ipynb with a hash of each code cell's source, and CI checks every output
// still belongs to the cell above it (same source, charts present, no error). Labs 00–03.
import { createHash } from "node:crypto";

export interface NotebookOutput {
  readonly output_type: string;
  readonly text?: string | string[];
  readonly data?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

export interface NotebookCell {
  readonly cell_type: string;
  readonly id?: string;
  readonly source: string | string[];
  readonly metadata?: Record<string, unknown>;
  readonly outputs?: readonly NotebookOutput[];
  readonly execution_count?: number | null;
  readonly [key: string]: unknown;
}

export interface NotebookJson {
  readonly cells: readonly NotebookCell[];
  readonly metadata: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** Cell metadata key holding "sha256:<hex>" of the source the outputs were produced from. */
export const SOURCE_HASH_KEY = "source_sha256";

const sourceText = (cell: NotebookCell): string => (Array.isArray(cell.source) ? cell.source.join("") : cell.source);

export function sourceHash(cell: NotebookCell): string {
  return `sha256:${createHash("sha256").update(sourceText(cell)).digest("hex")}`;
}

/** True when any code cell of the notebook has an output. */
export function hasOutputs(nb: NotebookJson): boolean {
  return nb.cells.some((c) => c.cell_type === "code" && (c.outputs?.length ?? 0) > 0);
}

/**
 * The committed notebook with the executed copy's outputs: cells matched by id, sources and markdown kept
 * as committed, each code cell stamped with its source hash; nbclient's per-cell timings are dropped so a
 * re-run only changes what it shows.
 */
export function withOutputs(committed: NotebookJson, executed: NotebookJson): NotebookJson {
  const byId = new Map(executed.cells.map((c) => [c.id, c]));
  const cells = committed.cells.map((cell) => {
    if (cell.cell_type !== "code") return cell;
    const ran = byId.get(cell.id);
    if (!ran || sourceText(ran) !== sourceText(cell)) throw new Error(`cell ${cell.id ?? "(no id)"} was not executed from the committed source`);
    const { execution: _timing, ...metadata } = (ran.metadata ?? {}) as Record<string, unknown>;
    return { ...cell, metadata: { ...metadata, [SOURCE_HASH_KEY]: sourceHash(cell) }, execution_count: ran.execution_count ?? null, outputs: ran.outputs ?? [] };
  });
  return { ...committed, cells };
}

/** As Jupyter writes it: one-space indent, non-ASCII kept, a final newline. */
export function formatNotebook(nb: NotebookJson): string {
  return `${JSON.stringify(nb, null, 1)}\n`;
}

const textOf = (o: NotebookOutput): string => {
  const parts = [o.text, o.data?.["text/plain"], o.data?.["text/markdown"]].map((t) => (Array.isArray(t) ? t.join("") : typeof t === "string" ? t : ""));
  return parts.join("");
};

/** Every output text of the notebook, joined (for checks that look for a line). */
export function outputText(nb: NotebookJson): string {
  return nb.cells.flatMap((c) => c.outputs ?? []).map(textOf).join("\n");
}

/**
 * Why a notebook's committed outputs are not the outputs of its current cells, one line per problem: a cell
 * edited since the run (hash), a code cell without output, a chart cell without a PNG, an error, a
 * quick-mode run, or a step that was skipped (Prometheus missing when the outputs were made).
 */
export function outputProblems(nb: NotebookJson): string[] {
  const problems: string[] = [];
  for (const cell of nb.cells) {
    if (cell.cell_type !== "code") continue;
    const where = `cell ${cell.id ?? "(no id)"}`;
    const outputs = cell.outputs ?? [];
    const stamped = (cell.metadata ?? {})[SOURCE_HASH_KEY];
    if (stamped !== sourceHash(cell)) {
      problems.push(`${where}: its source changed since the outputs were made (or they were never made)`);
      continue;
    }
    if (outputs.length === 0) problems.push(`${where}: no output`);
    if (outputs.some((o) => o.output_type === "error")) problems.push(`${where}: an error output`);
    const charts = (sourceText(cell).match(/display\.png\(/g) ?? []).length;
    const pngs = outputs.filter((o) => o.data?.["image/png"] !== undefined).length;
    if (pngs < charts) problems.push(`${where}: draws ${charts} chart${charts === 1 ? "" : "s"} but has ${pngs} PNG output${pngs === 1 ? "" : "s"}`);
    const skipped = outputs.map(textOf).find((t) => /SKIPPED/.test(t));
    if (skipped) problems.push(`${where}: a step was skipped when the outputs were made: ${skipped.trim().split("\n")[0]!.slice(0, 160)}`);
  }
  if (/quick mode \(LAB_QUICK=1\)/.test(outputText(nb))) problems.push("the outputs come from a quick run (LAB_QUICK=1), not a full one");
  return problems;
}
