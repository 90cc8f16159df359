// Which model a benchmark ran on: its name and the sha256 of its ONNX file, written into every
// bench/*.md and *.json so a figure can always be traced to the model file that produced it.
import type { Config } from "../src/config/index.ts";
import { readModelConfig, sha256File } from "../src/engine/index.ts";

export interface ModelIdentity {
  readonly name: string;
  readonly sha256: string;
}

export function modelIdentity(config: Config): ModelIdentity {
  // The file itself is hashed, not the hash its config claims.
  return { name: config.modelName, sha256: sha256File(readModelConfig(config.modelDir).onnxFile) };
}

/** "`miniserve-tiny` (ONNX sha256 `e9f8…`)" for the opening lines of a report. */
export function modelMarkdown(id: ModelIdentity): string {
  return `\`${id.name}\` (ONNX sha256 \`${id.sha256}\`)`;
}
