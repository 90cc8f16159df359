// Switches a lab's src files between the starter (generated from the reference's learner regions) and
// the reference solution (the committed src version), backing up the learner's files first. `npm run lab` uses it.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { MiniserveError } from "../errors/codes.ts";
import { LABS } from "./lab-catalogue.ts";
import type { Lab } from "./lab-catalogue.ts";
import type { CodeOwner } from "./lab-progress.ts";
import { STARTER_MARKER, generateStarter } from "./starter-regions.ts";

export const BACKUP_DIR = ".lab-backups";
const HAS_REGION = /\/\/ BEGIN LAB \d\d BLOCK [A-Z]: /;

export type FileState = "starter" | "solution" | "edited starter" | "modified" | "missing";
export type LabState = "starter" | "solution" | "in progress" | "modified" | "no code";

function git(repoRoot: string, args: string[]): string | null {
  const res = spawnSync("git", args, { cwd: repoRoot, encoding: "utf8", maxBuffer: 32 * 1024 * 1024 });
  return res.status === 0 ? res.stdout : null;
}

/**
 * The reference version of a src file: the newest committed version that carries the learner
 * regions (BEGIN LAB markers). A learner's own version grows from the generated starter, which has
 * none, so committing their work (or the stubs) never turns it into "the reference".
 */
export function referenceVersion(repoRoot: string, file: string): string {
  const commits = (git(repoRoot, ["rev-list", "--max-count=200", "HEAD", "--", file]) ?? "").split("\n").filter(Boolean);
  for (const commit of commits) {
    const text = git(repoRoot, ["show", `${commit}:${file}`]);
    if (text !== null && !text.includes(STARTER_MARKER) && HAS_REGION.test(text)) return text;
  }
  throw new MiniserveError("MSV_ERR_LAB_FILES", `no committed reference version of ${file} (one with BEGIN LAB markers) was found in git history (is this a git checkout?)`);
}

/** The lab's starter of a file, generated from its reference version's learner regions. */
export function starterVersion(repoRoot: string, lab: Lab, file: string): string {
  return generateStarter(referenceVersion(repoRoot, file), lab.id, file);
}

export function fileState(repoRoot: string, lab: Lab, file: string): FileState {
  const path = join(repoRoot, file);
  if (!existsSync(path)) return "missing";
  const current = readFileSync(path, "utf8");
  let reference: string | null = null;
  try {
    reference = referenceVersion(repoRoot, file);
  } catch {
    reference = null;
  }
  if (reference !== null && current === reference) return "solution";
  if (reference !== null && current === generateStarter(reference, lab.id, file)) return "starter";
  return current.includes(STARTER_MARKER) ? "edited starter" : "modified";
}

export function labState(repoRoot: string, lab: Lab): { state: LabState; files: { file: string; state: FileState }[] } {
  const files = lab.files.map((file) => ({ file, state: fileState(repoRoot, lab, file) }));
  if (files.length === 0) return { state: "no code", files };
  if (files.every((f) => f.state === "starter")) return { state: "starter", files };
  if (files.every((f) => f.state === "solution")) return { state: "solution", files };
  if (files.some((f) => f.state === "starter" || f.state === "edited starter")) return { state: "in progress", files };
  return { state: "modified", files };
}

/** A backup folder name that sorts by time and says what it was taken for. */
export function backupName(lab: Lab, action: "start" | "solution", now = new Date()): string {
  return `${now.toISOString().replace(/[:.]/g, "-")}-lab${lab.id}-${action}`;
}

export interface SwitchOutcome {
  readonly written: readonly string[];
  /** Folder (relative to the repo) where the previous files were copied; null when nothing changed. */
  readonly backup: string | null;
}

/**
 * Writes the target version of each of the lab's files. Files that would change are first copied
 * to .lab-backups/<time>-labNN-<action>/<same path>; an existing folder of that name is never reused.
 */
export function switchLab(repoRoot: string, lab: Lab, action: "start" | "solution", now = new Date()): SwitchOutcome {
  const targets = lab.files.map((file) => ({
    file, text: action === "start" ? starterVersion(repoRoot, lab, file) : referenceVersion(repoRoot, file),
  }));
  const changing = targets.filter(({ file, text }) => !existsSync(join(repoRoot, file)) || readFileSync(join(repoRoot, file), "utf8") !== text);
  if (changing.length === 0) return { written: [], backup: null };
  const backup = join(BACKUP_DIR, backupName(lab, action, now));
  if (existsSync(join(repoRoot, backup))) {
    throw new MiniserveError("MSV_ERR_LAB_BACKUP_EXISTS", `the backup folder ${backup} already exists; nothing was changed. Run the command again in a second.`);
  }
  for (const { file } of changing) {
    if (!existsSync(join(repoRoot, file))) continue;
    const dest = join(repoRoot, backup, file);
    mkdirSync(dirname(dest), { recursive: true });
    copyFileSync(join(repoRoot, file), dest);
  }
  for (const { file, text } of changing) writeFileSync(join(repoRoot, file), text);
  return { written: changing.map((c) => c.file), backup };
}

/** Backup folders, newest last. */
export function listBackups(repoRoot: string): string[] {
  const dir = join(repoRoot, BACKUP_DIR);
  return existsSync(dir) ? readdirSync(dir).sort() : [];
}

export { LABS };

/**
 * Whose code the lab's files hold now: the learner's only when the lab was started from its
 * starter and every file has changed since; the shipped reference is never the learner's work.
 */
export function codeOwner(repoRoot: string, lab: Lab, startedAt: Date | null): CodeOwner {
  const { state, files } = labState(repoRoot, lab);
  if (state === "no code") return "none";
  if (state === "solution") return "reference";
  if (state === "starter") return "starter";
  if (startedAt === null) return "modified";
  return files.every((f) => f.state === "edited starter" || f.state === "modified") ? "learner" : "starter";
}
