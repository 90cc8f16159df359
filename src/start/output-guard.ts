// Keeps `npm start` able to clean up when nobody reads its output any more: `npm start | tee log` and a
// Ctrl-C kill tee too, and `| head` closes the pipe early. Used by src/cli/start.ts (lab 00).

type Guarded = Pick<NodeJS.WriteStream, "on">;

/**
 * Swallows write errors on stdout and stderr (EPIPE once the reader is gone; Node ignores SIGPIPE, so
 * that error is how a closed pipe shows) instead of letting them become an uncaught exception that
 * exits before Prometheus and the viewer are stopped. The first error on stdout calls `onClosed` once:
 * output nobody can read is taken as a request to stop.
 */
export function guardOutput(onClosed: (reason: string) => void, stdout: Guarded = process.stdout, stderr: Guarded = process.stderr): void {
  let told = false;
  stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (told) return;
    told = true;
    onClosed(`standard output closed (${err.code ?? err.message})`);
  });
  // Nothing to do for stderr but not crash: the stop messages go to stdout.
  stderr.on("error", () => {});
}
