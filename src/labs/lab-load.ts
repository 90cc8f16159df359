// Lab load runs: the documented request mix through the workbook's load driver (src/loadtest), for
// check-lab 03's short load and lab 03's notebook (live progress through onProgress).
import { join } from "node:path";
import { Tokenizer } from "../engine/index.ts";
import { buildRequestMix } from "../loadtest/request-mix.ts";
import { runLoadTest } from "../loadtest/driver.ts";
import { checkReady } from "../loadtest/target.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import type { ClientView, LoadProgress } from "../loadtest/driver.ts";

export type { ClientView, LoadProgress };

export interface LabLoadOptions {
  readonly url: string;
  readonly rate: number;
  readonly durationS: number;
  readonly connections?: number;
  readonly onProgress?: (p: LoadProgress) => void;
}

/**
 * Runs the mix at `rate` requests/s for `durationS` seconds and returns the client's view. The mix is
 * text sized with the workbook's own tokenizer (as `npm run loadtest` sizes it), sent to whichever
 * model the server names, so a lab load works against any model folder the server was started on.
 */
export async function runLabLoad(opts: LabLoadOptions): Promise<ClientView> {
  const ready = await checkReady(opts.url);
  const tokenizer = Tokenizer.fromFile(join(REPO_ROOT, "model", "tokenizer.json"));
  const mix = buildRequestMix(tokenizer, { size: 200, seed: 34, model: ready.model, fixedLength: false });
  return runLoadTest(
    { url: opts.url, rate: opts.rate, durationS: opts.durationS, connections: opts.connections ?? 32, mix, graceS: 30 },
    opts.onProgress ? { onProgress: opts.onProgress } : {},
  );
}
