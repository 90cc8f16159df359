// Lab load runs: the documented request mix through the workbook's load driver (src/loadtest), for
// check-lab 03's short load and lab 03's notebook (live progress through onProgress).
import { readModelConfig, Tokenizer } from "../engine/index.ts";
import { loadConfig } from "../config/index.ts";
import { buildRequestMix } from "../loadtest/request-mix.ts";
import { runLoadTest } from "../loadtest/driver.ts";
import type { ClientView, LoadProgress } from "../loadtest/driver.ts";

export type { ClientView, LoadProgress };

export interface LabLoadOptions {
  readonly url: string;
  readonly rate: number;
  readonly durationS: number;
  readonly connections?: number;
  readonly onProgress?: (p: LoadProgress) => void;
}

/** Runs the mix at `rate` requests/s for `durationS` seconds and returns the client's view. */
export async function runLabLoad(opts: LabLoadOptions): Promise<ClientView> {
  const config = loadConfig(process.env, []);
  const tokenizer = Tokenizer.fromFile(readModelConfig(config.modelDir).tokenizerFile);
  const mix = buildRequestMix(tokenizer, { size: 200, seed: 34, model: config.modelName, fixedLength: false });
  return runLoadTest(
    { url: opts.url, rate: opts.rate, durationS: opts.durationS, connections: opts.connections ?? 32, mix, graceS: 30 },
    opts.onProgress ? { onProgress: opts.onProgress } : {},
  );
}
