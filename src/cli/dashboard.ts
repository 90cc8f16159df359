// `npm run dashboard`: regenerates infra/grafana/dashboards/llm.json from src/dashboard/.
// `npm run dashboard -- --check` only verifies the committed file is current (exit 1 if not). Lab 00.
import { relative } from "node:path";
import { checkDashboard, writeDashboard } from "../dashboard/build-dashboard.ts";
import { PANELS } from "../dashboard/panels.ts";
import { DASHBOARD_FILE, REPO_ROOT } from "../stack/paths.ts";

const USAGE = "usage: npm run dashboard [-- --check]";

function main(argv: readonly string[]): number {
  const shown = relative(REPO_ROOT, DASHBOARD_FILE);
  if (argv.length === 1 && (argv[0] === "--help" || argv[0] === "-h")) {
    console.log(USAGE);
    return 0;
  }
  if (argv.length === 1 && argv[0] === "--check") {
    if (checkDashboard()) {
      console.log(`${shown} is up to date (${PANELS.length} panels)`);
      return 0;
    }
    console.error(`${shown} differs from what src/dashboard/ generates: run npm run dashboard`);
    return 1;
  }
  if (argv.length > 0) {
    console.error(`unknown argument ${argv.join(" ")}\n${USAGE}`);
    return 2;
  }
  const { changed } = writeDashboard();
  console.log(`${changed ? "wrote" : "unchanged"} ${shown} (${PANELS.length} panels)`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
