// `npm run docs:metrics`: rewrites the generated table of docs/metrics-reference.md from catalogue.ts
// after a metric is added or changed (labs 01–03); test/observability/metrics-reference.test.ts checks it.
import { readFileSync, writeFileSync } from "node:fs";
import { withMetricsTable } from "./metrics-reference.ts";

const file = new URL("../../docs/metrics-reference.md", import.meta.url);
writeFileSync(file, withMetricsTable(readFileSync(file, "utf8")));
process.stdout.write("docs/metrics-reference.md: table regenerated from src/observability/catalogue.ts\n");
