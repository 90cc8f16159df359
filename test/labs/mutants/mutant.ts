// A realistic wrong solution: a small edit of the reference code that still type-checks, the one
// line a learner would recognise as their mistake, and the stop condition that must reject it.
import assert from "node:assert/strict";

export interface Edit {
  /** Text that occurs exactly once in the reference file. */
  readonly find: string;
  readonly replace: string;
}

export interface Mutant {
  readonly id: string;
  readonly lab: "01" | "02" | "03";
  /** What the learner got wrong, in one line. */
  readonly mistake: string;
  readonly file: string;
  readonly edits: readonly Edit[];
  /** The check-lab condition that must fail on it. */
  readonly caughtBy: string;
}

/** The reference file with the mutant's edits applied; each edit's text must occur exactly once. */
export function mutate(m: Mutant, reference: string): string {
  let text = reference;
  for (const e of m.edits) {
    const at = text.indexOf(e.find);
    assert.ok(at >= 0, `${m.id}: "${e.find.slice(0, 60)}" is not in ${m.file} (did the reference change? update the mutant)`);
    assert.equal(text.indexOf(e.find, at + 1), -1, `${m.id}: "${e.find.slice(0, 60)}" occurs more than once in ${m.file}`);
    text = text.slice(0, at) + e.replace + text.slice(at + e.find.length);
  }
  return text;
}
