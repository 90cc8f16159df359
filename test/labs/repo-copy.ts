// Test helper: a throwaway copy of the workbook (its own git repository, node_modules linked) so lab
// switching, check-lab and the notebooks run on a copy, never on the real working tree.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { REPO_ROOT } from "../../src/stack/paths.ts";

export interface RepoCopy {
  readonly root: string;
  /** Runs `node --import tsx <script> ...args` inside the copy. */
  run(script: string, args: string[], env?: Record<string, string>, timeoutMs?: number): { status: number | null; stdout: string; stderr: string };
  cleanup(): void;
}

function git(cwd: string, args: string[]): void {
  const res = spawnSync("git", args, { cwd, encoding: "utf8" });
  if (res.status !== 0) throw new Error(`git ${args.join(" ")} failed: ${res.stderr}`);
}

/**
 * Copies every tracked and untracked-but-not-ignored file, points the native Prometheus target at
 * `miniservePort`, and commits it all, so "the committed version" is this working tree's.
 */
export function copyRepo(miniservePort: number): RepoCopy {
  const root = mkdtempSync(join(tmpdir(), "workbook-copy-"));
  const list = spawnSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: REPO_ROOT, encoding: "utf8" });
  for (const file of list.stdout.split("\0").filter(Boolean)) {
    const dest = join(root, file);
    mkdirSync(dirname(dest), { recursive: true });
    try {
      cpSync(join(REPO_ROOT, file), dest);
    } catch {
      // listed but deleted in the working tree: skip it
    }
  }
  symlinkSync(join(REPO_ROOT, "node_modules"), join(root, "node_modules"), "dir");
  writeFileSync(join(root, "infra/prometheus/targets/miniserve.json"),
    `${JSON.stringify([{ targets: [`127.0.0.1:${miniservePort}`], labels: { service: "miniserve" } }], null, 2)}\n`);
  git(root, ["init", "-q"]);
  git(root, ["add", "-A"]);
  git(root, ["-c", "user.name=workbook-test", "-c", "user.email=test@localhost", "commit", "-q", "-m", "copy"]);
  return {
    root,
    run: (script, args, env = {}, timeoutMs = 240_000) => {
      const res = spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
        cwd: root, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024,
      });
      return { status: res.status, stdout: res.stdout ?? "", stderr: res.stderr ?? "" };
    },
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
