// `npm run progress`: one table of where the learner stands — each lab's last check-lab result and
// whose code it ran on (.progress/labs.json), and the quiz's best score (.progress/quiz.json). Read-only.
import { readProgress } from "../quiz/progress-store.ts";
import type { ProgressFile } from "../quiz/progress-store.ts";
import { LABS } from "./lab-catalogue.ts";
import { labDone, readLabProgress } from "./lab-progress.ts";
import type { LabProgressFile, LabRun } from "./lab-progress.ts";

const when = (iso: string): string => iso.slice(0, 16).replace("T", " ");

/** What a lab's last run says about the learner's progress: never "done" for the shipped reference. */
function labStatus(run: LabRun & { lab: string }): [string, string] {
  const counts = `${run.passed}/${run.total}`;
  const code = run.code ?? "reference";
  if (code === "learner" || code === "none") return [`${run.ok ? "✔" : "✘"} ${counts} pass${code === "learner" ? " on your code" : ""}`, run.ok ? "" : `failing: ${run.failing.join(", ")}`];
  if (code === "starter") return [`✘ ${counts} pass on the untouched starter`, "write the TODO blocks"];
  const whose = code === "modified" ? "edited reference files" : "the shipped reference";
  return [`reference: ${counts} pass on ${whose}`, `not yours yet: npm run lab -- start ${run.lab}`];
}

/** Rows as plain text; `labs` and `quiz` are passed in so tests need no files. */
export function progressTable(labs: LabProgressFile, quiz: ProgressFile, quizId = "34"): string {
  const rows: [string, string, string, string][] = LABS.map((lab) => {
    const run = labs.labs[lab.id];
    if (!run) return [`lab ${lab.id}`, lab.title, "not checked yet", `npm run check-lab ${lab.id}`];
    const [status, note] = labStatus({ ...run, lab: lab.id });
    return [`lab ${lab.id}`, lab.title, `${status} (${when(run.at)})`, note];
  });
  const q = quiz.quizzes[quizId];
  rows.push(q
    ? [`quiz ${quizId}`, "theory quiz", `${q.best.passed ? "✔" : "✘"} best ${q.best.percent.toFixed(1)} % (${q.best.correct}/${q.best.total}, ${when(q.best.at)})`, `${q.attempts} attempt${q.attempts === 1 ? "" : "s"}; pass at 70 %`]
    : [`quiz ${quizId}`, "theory quiz", "not taken yet", `npm run quiz -- ${quizId}`]);
  const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]!.length), ["", "", "last result"][i]!.length));
  const line = (r: readonly string[]) => r.map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c)).join("  ").trimEnd();
  const done = LABS.filter((l) => labDone(labs.labs[l.id])).length + (q?.best.passed ? 1 : 0);
  return [line(["", "", "last result", "notes"]), ...rows.map(line), "", `${done} of ${LABS.length + 1} done by you`].join("\n");
}

export function currentProgress(): { text: string; warning: string | null } {
  const quiz = readProgress();
  return { text: progressTable(readLabProgress(), quiz.data), warning: quiz.warning };
}
