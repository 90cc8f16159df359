// Loading a model folder, on both sides of the worker boundary: the HTTP thread checks the folder and
// loads its tokenizer before the worker starts (a bad folder fails fast with a coded error); the
// worker loads the graph and the runner its layout needs. The README's real-model walkthrough uses it.
import { MiniserveError } from "../errors/codes.ts";
import { CoreClient } from "./core-client.ts";
import type { CoreInit } from "./core-protocol.ts";
import { DecoderRunner } from "./decoder-runner.ts";
import { DecoderSession } from "./decoder-session.ts";
import { HfTokenizer } from "./hf-tokenizer.ts";
import type { ModelConfig } from "./model-config.ts";
import { readModelFolder } from "./model-folder.ts";
import { LocalModelRunner } from "./model-runner.ts";
import type { ModelRunner } from "./model-runner.ts";
import { ModelSession } from "./model-session.ts";
import type { TextTokenizer } from "./text-tokenizer.ts";
import { Tokenizer } from "./tokenizer.ts";

export interface OpenModel {
  readonly core: CoreClient;
  readonly tokenizer: TextTokenizer;
}

/** HTTP thread: the folder and its tokenizer first, then the model worker (which loads the graph). */
export async function openModel(init: CoreInit): Promise<OpenModel> {
  const tokenizer = loadTokenizer(readModelFolder(init.modelDir, init));
  const core = await CoreClient.start(init);
  return { core, tokenizer };
}

export function loadTokenizer(model: ModelConfig): TextTokenizer {
  if (model.format === "hf-decoder") return HfTokenizer.load(model);
  try {
    return Tokenizer.fromFile(model.tokenizerFile);
  } catch (err) {
    throw new MiniserveError("MSV_ERR_MODEL_TOKENIZER", `cannot load ${model.tokenizerFile}: ${(err as Error).message}`);
  }
}

/** Worker thread: reads the folder again, loads its graph and builds the runner that fits its layout. */
export async function loadRunner(init: CoreInit): Promise<ModelRunner> {
  const model = readModelFolder(init.modelDir, init);
  if (model.format === "miniserve") {
    return new LocalModelRunner(await ModelSession.load(model.dir, { intraOpThreads: init.intraOpThreads, config: model }), init.slots);
  }
  return new DecoderRunner(await DecoderSession.load(model, { intraOpThreads: init.intraOpThreads }));
}
