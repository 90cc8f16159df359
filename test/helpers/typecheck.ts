// Shared test helper: type-check one file of the workbook as if its text were `text`, with the
// project's compiler options, through the TypeScript API (fast enough to run per mutant or starter).
import { dirname, join, relative, resolve } from "node:path";
import ts from "typescript";
import { REPO_ROOT } from "../../src/stack/paths.ts";

const parsed = (() => {
  const file = join(REPO_ROOT, "tsconfig.json");
  const cfg = ts.readConfigFile(file, (p) => ts.sys.readFile(p));
  return ts.parseJsonConfigFileContent(cfg.config, ts.sys, dirname(file));
})();

/**
 * The type errors of `files` (repo-relative path → replacement text), each checked against the rest
 * of the project as it is on disk. Only the replaced files' own diagnostics are reported.
 */
export function typeErrors(files: ReadonlyMap<string, string>): string[] {
  const byPath = new Map([...files].map(([rel, text]) => [resolve(REPO_ROOT, rel), text]));
  const host = ts.createCompilerHost(parsed.options);
  const getSourceFile = host.getSourceFile.bind(host);
  const readFile = host.readFile.bind(host);
  host.getSourceFile = (name, lang, onError, create) => {
    const text = byPath.get(resolve(name));
    return text !== undefined ? ts.createSourceFile(name, text, lang) : getSourceFile(name, lang, onError, create);
  };
  host.readFile = (name) => byPath.get(resolve(name)) ?? readFile(name);
  const program = ts.createProgram({ rootNames: [...byPath.keys()], options: parsed.options, host });
  const out: string[] = [];
  for (const path of byPath.keys()) {
    const sf = program.getSourceFile(path);
    for (const d of [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]) {
      const where = d.file && d.start !== undefined ? `${relative(REPO_ROOT, d.file.fileName)}:${d.file.getLineAndCharacterOfPosition(d.start).line + 1}` : "";
      out.push(`${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`);
    }
  }
  return out;
}
