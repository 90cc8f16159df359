// The name a model folder gives its model when MINISERVE_MODEL_NAME does not: what /v1/models lists,
// what requests name in "model", and the model_name label every lab's metrics carry.
import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/**
 * miniserve-tiny's model-config.json names it ("name"); any other folder is named after itself, as
 * a Hugging Face download lands in a folder named after the repository (SmolLM2-135M-Instruct).
 * For an .onnx file, the folder holding the model's configuration names it: the file's folder, or
 * its parent when only the parent has one (Transformers.js keeps graphs in an onnx/ subfolder).
 */
export function modelNameOf(path: string): string {
  let dir = path;
  if (path.endsWith(".onnx")) {
    const configured = (d: string) => existsSync(join(d, "config.json")) || existsSync(join(d, "model-config.json"));
    dir = dirname(path);
    if (!configured(dir) && configured(dirname(dir))) dir = dirname(dir);
  }
  try {
    const own = (JSON.parse(readFileSync(join(dir, "model-config.json"), "utf8")) as { name?: unknown }).name;
    if (typeof own === "string" && own.trim() !== "") return own.trim();
  } catch {
    // not miniserve-tiny's layout (or unreadable: loading the model reports that with its own error)
  }
  return basename(dir);
}
