// `npm run render-dashboard -- --out FILE.png [--prometheus URL] [--minutes N]`: the llm.json panels
// drawn in Node with the viewer's chart code and written as one PNG, no browser needed (lab 01).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { MiniserveError } from "../errors/codes.ts";
import { renderDashboardPng } from "../render/dashboard-png.ts";
import { RENDER_USAGE, parseRenderArgs } from "../viewer/viewer-args.ts";
import type { RenderArgs } from "../viewer/viewer-args.ts";
import { exitWithError } from "./cli-errors.ts";

let args: RenderArgs;
try {
  args = parseRenderArgs(process.argv.slice(2));
} catch (err) {
  console.error(`${RENDER_USAGE}\n`);
  exitWithError(err, 2);
}
if (args.help) {
  console.log(RENDER_USAGE);
  process.exit(0);
}

try {
  const { png, data, width, height } = await renderDashboardPng({
    prometheusUrl: args.prometheusUrl, minutes: args.minutes, width: args.width, traceDir: args.traceDir, dashboardFile: args.dashboardFile,
  });
  if (data.prometheusError) throw new MiniserveError("MSV_ERR_VIEWER_PROMETHEUS", data.prometheusError);
  mkdirSync(dirname(args.out), { recursive: true });
  writeFileSync(args.out, png);
  const panels = data.rows.flatMap((r) => r.panels);
  const count = (state: string): number => panels.filter((p) => p.state === state).length;
  console.log(`wrote ${args.out} (${width}×${height} px, last ${args.minutes} min): ${count("ok")} panels with data, ${count("no data")} without, ${count("error")} failed`);
  for (const p of panels.filter((x) => x.state === "error")) console.log(`  panel "${p.title}": ${p.error}`);
} catch (err) {
  exitWithError(err);
}
