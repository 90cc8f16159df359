// Every lab's wrong solutions, for the mutation suite (test/labs/mutation-suite.test.ts).
import { LAB01_MUTANTS } from "./lab-01.ts";
import { LAB02_MUTANTS } from "./lab-02.ts";
import { LAB03_MUTANTS } from "./lab-03.ts";

export { mutate } from "./mutant.ts";
export type { Edit, Mutant } from "./mutant.ts";
export const MUTANTS = [...LAB01_MUTANTS, ...LAB02_MUTANTS, ...LAB03_MUTANTS] as const;
