// Loads the workbook's TypeScript modules (ESM, .ts imports) from a notebook cell. tslab compiles
// cells to CommonJS with its own compiler, so cells never import src/*.ts directly: they call
// load("src/…"), which registers tsx's ESM loader once and imports the module by file URL.
const { pathToFileURL } = require("node:url");
const { resolve } = require("node:path");

let ready = null;

module.exports = {
  /** Import a module by its path from the repository root, e.g. load("src/labs/notebook-kit.ts"). */
  load: async (path) => {
    ready ??= import("tsx/esm/api").then((api) => api.register());
    await ready;
    return import(pathToFileURL(resolve(__dirname, "../..", path)).href);
  },
};
