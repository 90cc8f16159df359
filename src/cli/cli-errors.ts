// How every command of the workbook reports a failure: one clear paragraph, never a stack trace.
import { isMiniserveError } from "../errors/codes.ts";

/** Print the error for a person and exit non-zero; unexpected errors show their message only. */
export function exitWithError(err: unknown, exitCode = 1): never {
  if (isMiniserveError(err)) {
    process.stderr.write(`error ${err.code}: ${err.message}\n(see docs/errors.md#${err.code.toLowerCase()})\n`);
  } else {
    process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
  }
  process.exit(exitCode);
}
