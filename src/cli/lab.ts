// `npm run lab -- start NN | solution NN | status`: switch a lab's files to the starter or to the
// reference solution (learner's files backed up under .lab-backups/ first), or show each lab's state.
import { MiniserveError } from "../errors/codes.ts";
import { findLab, labIds, LABS, solutionPath, statementPath } from "../labs/lab-catalogue.ts";
import { labDone, labStartedAt, readLabProgress, recordLabStart } from "../labs/lab-progress.ts";
import type { CodeOwner } from "../labs/lab-progress.ts";
import { codeOwner, labState, listBackups, switchLab } from "../labs/lab-switcher.ts";
import { REPO_ROOT } from "../stack/paths.ts";
import { exitWithError } from "./cli-errors.ts";

const USAGE = `Usage: npm run lab -- <command>

  start NN      replace lab NN's files with the starter (TODO blocks); your files are backed up first
  solution NN   restore lab NN's reference solution; your files are backed up first
  status        whose code each lab's files hold (starter, yours, reference) and its last check-lab result

Labs: ${labIds()}. Backups go to .lab-backups/<time>-labNN-<action>/ (git-ignored).
`;

/** The files column: whose code the lab's files hold, in the learner's words. */
const OWNER_WORD: Record<CodeOwner, string> = { learner: "yours", reference: "reference", starter: "starter", modified: "edited reference", none: "no code" };

function status(): string {
  const progress = readLabProgress();
  const rows = LABS.map((lab) => {
    const { state, files } = labState(REPO_ROOT, lab);
    const owner = OWNER_WORD[codeOwner(REPO_ROOT, lab, labStartedAt(lab.id))];
    const last = progress.labs[lab.id];
    const check = last ? `${last.passed}/${last.total}${labDone(last) ? " ✔" : ""} (${last.at.slice(0, 16).replace("T", " ")}, ${OWNER_WORD[last.code ?? "reference"]})` : "not run";
    const detail = files.filter((f) => f.state !== state).map((f) => `${f.file}: ${f.state}`).join("; ");
    return `${lab.id}  ${lab.title.padEnd(24)}${owner.padEnd(18)}${check}${detail ? `\n      ${detail}` : ""}`;
  });
  const backups = listBackups(REPO_ROOT);
  return [`lab ${"title".padEnd(24)}${"files".padEnd(18)}last check-lab (whose code)`, ...rows,
    backups.length > 0 ? `latest backup: .lab-backups/${backups[backups.length - 1]} (${backups.length} in all)` : "no backups yet"].join("\n");
}

try {
  const [command, arg, ...rest] = process.argv.slice(2);
  if (command === undefined || command === "--help" || command === "-h") {
    process.stdout.write(USAGE);
    process.exit(command === undefined ? 2 : 0);
  }
  if (command === "status" && arg === undefined) {
    process.stdout.write(`${status()}\n`);
    process.exit(0);
  }
  if ((command !== "start" && command !== "solution") || rest.length > 0) {
    throw new MiniserveError("MSV_ERR_LAB_USAGE", `unknown command: ${process.argv.slice(2).join(" ")}\n${USAGE}`);
  }
  const lab = findLab(arg);
  if (!lab) throw new MiniserveError("MSV_ERR_LAB_USAGE", `name one lab (${labIds()}); got ${arg ?? "nothing"}\n${USAGE}`);
  if (lab.files.length === 0) {
    process.stdout.write(`lab ${lab.id} has no code to write: it brings the stack up (npm run stack -- up). Read ${statementPath(lab)}.\n`);
    process.exit(0);
  }
  const out = switchLab(REPO_ROOT, lab, command);
  // From now on the lab's files are the learner's: progress and lab 03's load run count from here.
  if (command === "start" && (out.written.length > 0 || labStartedAt(lab.id) === null)) recordLabStart(lab.id);
  if (out.written.length === 0) {
    process.stdout.write(`lab ${lab.id} is already in the ${command === "start" ? "starter" : "solution"} state; nothing changed.\n`);
  } else {
    process.stdout.write(`${command === "start" ? "starter" : "reference solution"} written: ${out.written.join(", ")}\n`);
    if (out.backup) process.stdout.write(`your previous files are in ${out.backup}/\n`);
    process.stdout.write(command === "start"
      ? `next: read ${statementPath(lab)}, fill the TODO blocks, then npm run check-lab ${lab.id}\n`
      : `next: npm run check-lab ${lab.id}; the write-up is ${solutionPath(lab)}\n`);
  }
} catch (err) {
  exitWithError(err, 2);
}
