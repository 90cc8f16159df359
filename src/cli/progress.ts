// `npm run progress`: each lab's last check-lab result and the quiz's best score, in one table.
import { MiniserveError } from "../errors/codes.ts";
import { currentProgress } from "../labs/progress-table.ts";
import { exitWithError } from "./cli-errors.ts";

try {
  const args = process.argv.slice(2);
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write("Usage: npm run progress\n\nShows each lab's last `npm run check-lab NN` result and the best `npm run quiz -- 34` score.\n");
    process.exit(0);
  }
  if (args.length > 0) throw new MiniserveError("MSV_ERR_LAB_USAGE", `npm run progress takes no arguments; got ${args.join(" ")}`);
  const { text, warning } = currentProgress();
  if (warning) process.stderr.write(`${warning}\n`);
  process.stdout.write(`${text}\n`);
} catch (err) {
  exitWithError(err, 2);
}
