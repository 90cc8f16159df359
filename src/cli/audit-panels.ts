// `npm run audit-panels`: does every panel of llm.json show data within 60 s of a first request, as
// Grafana runs it? Lab 00's last step, and a CI test against a real Prometheus and miniserve.
import { auditPanels } from "../viewer/panel-audit.ts";
import { AUDIT_USAGE, parseAuditArgs } from "../viewer/viewer-args.ts";
import type { AuditArgs } from "../viewer/viewer-args.ts";
import { exitWithError } from "./cli-errors.ts";

let args: AuditArgs;
try {
  args = parseAuditArgs(process.argv.slice(2));
} catch (err) {
  console.error(`${AUDIT_USAGE}\n`);
  exitWithError(err, 2);
}
if (args.help) {
  console.log(AUDIT_USAGE);
  process.exit(0);
}

try {
  const result = await auditPanels({ ...args, log: (line) => console.log(line) });
  console.log(result.text);
  process.exit(result.ok ? 0 : 1);
} catch (err) {
  exitWithError(err);
}
