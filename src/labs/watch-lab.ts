// `npm run check-lab -- NN --watch`: check the lab, then check it again each time one of its files is
// saved, showing the next failing stop condition with its hint (labs 01–03). Each pass runs in a fresh
// process, so it always loads the file as saved (a module, once imported, stays cached in a process).
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { watch } from "node:fs";
import type { FSWatcher } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Lab } from "./lab-catalogue.ts";

export interface WatchOptions {
  readonly repoRoot: string;
  readonly lab: Lab;
  /** check-lab's own arguments for each pass (without --watch). */
  readonly args: readonly string[];
  readonly out: NodeJS.WritableStream;
  /** Wait this long after the last save before checking (editors write a file in several steps). */
  readonly debounceMs?: number;
}

export interface LabWatcher {
  /** Stops watching and any pass in progress. */
  stop(): Promise<void>;
}

/** Watches the lab's files (their folders, so an editor's rename-on-save is seen) and re-checks. */
export function watchLab(opts: WatchOptions): LabWatcher {
  const files = opts.lab.files.length > 0 ? opts.lab.files : [];
  const names = new Set(files.map((f) => basename(f)));
  const dirs = [...new Set(files.map((f) => join(opts.repoRoot, dirname(f))))];
  let child: ChildProcess | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const clear = (opts.out as NodeJS.WriteStream).isTTY ? "\x1b[2J\x1b[H" : "";

  const pass = (): void => {
    if (stopped) return;
    if (child) {
      again = true;
      return;
    }
    opts.out.write(`${clear}… checking lab ${opts.lab.id} (${new Date().toTimeString().slice(0, 8)})\n`);
    child = spawn(process.execPath, ["--import", "tsx", join(opts.repoRoot, "src/cli/check-lab.ts"), opts.lab.id, ...opts.args, "--next"], {
      cwd: opts.repoRoot, stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d: Buffer) => opts.out.write(d));
    child.stderr!.on("data", (d: Buffer) => opts.out.write(d));
    child.on("close", () => {
      child = null;
      if (stopped) return;
      opts.out.write(`\nwatching ${files.join(", ")}: save one to check again (Ctrl-C to stop)\n`);
      if (again) {
        again = false;
        pass();
      }
    });
  };

  const watchers: FSWatcher[] = dirs.map((dir) => watch(dir, (_event, name) => {
    if (name === null || !names.has(basename(name.toString()))) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(pass, opts.debounceMs ?? 300);
  }));
  pass();

  return {
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const w of watchers) w.close();
      const running = child as ChildProcess | null;
      if (running && running.exitCode === null) {
        const exited = new Promise((r) => running.once("close", r));
        // SIGTERM lets the pass stop the servers and Prometheus it started.
        running.kill("SIGTERM");
        await exited;
      }
    },
  };
}
