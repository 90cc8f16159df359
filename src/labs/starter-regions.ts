// The learner's regions inside the reference files, and the starter each lab generates from them:
// `npm run lab -- start NN` writes generateStarter(reference) instead of keeping hand-made copies.
//
// A region in a reference file (labs 01–03):
//     // BEGIN LAB 01 BLOCK A: what the learner writes here, as the TODO says it
//     //   more TODO text (comment lines indented by at least two spaces after //)
//     // STARTER: code the starter keeps so it still type-checks (zero or more lines)
//     ...the reference solution...
//     // END LAB 01 BLOCK A
// In the starter the region becomes `// TODO(lab 01, block A): …`, the TODO text and the STARTER code.
import { MiniserveError } from "../errors/codes.ts";

/** Every generated starter opens with this; a reference file never contains it. */
export const STARTER_MARKER = "STARTER for lab";

export interface LearnerRegion {
  readonly lab: string;
  readonly block: string;
  /** 1-based line numbers of the BEGIN and END markers. */
  readonly beginLine: number;
  readonly endLine: number;
  readonly indent: string;
  readonly todo: readonly string[];
  readonly starter: readonly string[];
  /** The reference solution's lines between the TODO/STARTER comments and END. */
  readonly solution: readonly string[];
}

const BEGIN = /^(\s*)\/\/ BEGIN LAB (\d\d) BLOCK ([A-Z]): (.+)$/;
const END = /^(\s*)\/\/ END LAB (\d\d) BLOCK ([A-Z])\s*$/;
const TODO_MORE = /^\s*\/\/ {2,}\S/;
const STARTER = /^(\s*)\/\/ STARTER: ?(.*)$/;
/** Anything that looks like a marker but is not well formed: reported instead of silently kept. */
const LOOSE = /^\s*\/\/\s*(BEGIN|END) LAB\b/;

function bad(file: string, line: number, what: string): never {
  throw new MiniserveError("MSV_ERR_LAB_FILES", `${file}:${line}: ${what}. Fix the lab markers (see src/labs/starter-regions.ts).`);
}

/** The learner's regions of one file, in order; throws on unbalanced, nested or malformed markers. */
export function parseRegions(text: string, file: string): LearnerRegion[] {
  const lines = text.split("\n");
  const regions: LearnerRegion[] = [];
  let open: { lab: string; block: string; line: number; indent: string; todo: string[]; starter: string[]; solution: string[]; phase: "todo" | "starter" | "solution" } | null = null;
  lines.forEach((line, i) => {
    const n = i + 1;
    const begin = BEGIN.exec(line);
    const end = END.exec(line);
    if (begin) {
      if (open) bad(file, n, `BEGIN LAB ${begin[2]} BLOCK ${begin[3]} inside the open block ${open.lab}/${open.block} of line ${open.line}`);
      open = { lab: begin[2]!, block: begin[3]!, line: n, indent: begin[1]!, todo: [begin[4]!], starter: [], solution: [], phase: "todo" };
      return;
    }
    if (end) {
      if (!open) bad(file, n, `END LAB ${end[2]} BLOCK ${end[3]} without a BEGIN`);
      if (end[2] !== open.lab || end[3] !== open.block) bad(file, n, `END LAB ${end[2]} BLOCK ${end[3]} closes BEGIN LAB ${open.lab} BLOCK ${open.block} (line ${open.line})`);
      if (open.solution.every((l) => l.trim() === "")) bad(file, open.line, `block ${open.lab}/${open.block} has no reference solution`);
      regions.push({ lab: open.lab, block: open.block, beginLine: open.line, endLine: n, indent: open.indent, todo: open.todo, starter: open.starter, solution: open.solution });
      open = null;
      return;
    }
    if (LOOSE.test(line)) bad(file, n, `a malformed lab marker: ${line.trim()}`);
    if (!open) return;
    const starter = STARTER.exec(line);
    if (open.phase === "todo" && TODO_MORE.test(line)) {
      open.todo.push(line.trim().replace(/^\/\/\s*/, ""));
    } else if (starter && open.phase !== "solution") {
      open.phase = "starter";
      open.starter.push(starter[2]!);
    } else {
      if (starter) bad(file, n, "a STARTER line after the solution began (put STARTER lines right after the TODO text)");
      open.phase = "solution";
      open.solution.push(line);
    }
  });
  if (open !== null) {
    const o = open as { lab: string; block: string; line: number };
    bad(file, o.line, `BEGIN LAB ${o.lab} BLOCK ${o.block} is never closed`);
  }
  return regions;
}

/** The header line every generated starter opens with. */
export function starterHeader(lab: string): string {
  return `// ${STARTER_MARKER} ${lab} (npm run lab -- start ${lab}): write the TODO(lab ${lab}, …) blocks, then npm run check-lab ${lab}.`;
}

/**
 * The starter of `lab` generated from a reference file: each of the lab's regions becomes its TODO
 * comment and its STARTER code; everything else, other labs' regions included, is kept as it is.
 */
export function generateStarter(reference: string, lab: string, file: string): string {
  const regions = parseRegions(reference, file).filter((r) => r.lab === lab);
  if (regions.length === 0) throw new MiniserveError("MSV_ERR_LAB_FILES", `${file} has no BEGIN LAB ${lab} block, so lab ${lab} has no starter for it.`);
  const lines = reference.split("\n");
  const out: string[] = [starterHeader(lab)];
  let at = 0;
  for (const r of regions) {
    out.push(...lines.slice(at, r.beginLine - 1));
    out.push(`${r.indent}// TODO(lab ${r.lab}, block ${r.block}): ${r.todo[0]}`);
    for (const more of r.todo.slice(1)) out.push(`${r.indent}//   ${more}`);
    for (const code of r.starter) out.push(`${r.indent}${code}`);
    at = r.endLine;
  }
  out.push(...lines.slice(at));
  return out.join("\n");
}
