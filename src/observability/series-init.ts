// Creates at 0, at startup, every series whose label values are known in advance: a counter that
// has not moved yet then reads 0 instead of "no data", and rate() sees its first increment (lab 01).
import type { Counter, Histogram } from "prom-client";
import { METRICS } from "./catalogue.ts";
import type { MetricKey, MetricSpec } from "./catalogue.ts";
import { COST_STAGES } from "./cost-tracker.ts";
import { genAiSuccessLabels } from "./gen-ai-metrics.ts";
import { metrics } from "./metrics.ts";
import { DECISIONS } from "./sampling-policy.ts";
import type { DropReason } from "./span-processor.ts";

/** The routes every RED panel reads, and the statuses they answer with in normal operation. */
export const GENERATION_ROUTES = [
  { endpoint: "/v1/completions", method: "POST" },
  { endpoint: "/v1/chat/completions", method: "POST" },
] as const;
const STATUSES = ["200", "400", "408", "499", "500", "503"];
const DROP_REASONS: readonly (DropReason | "file_write_failed")[] = ["queue_full", "export_failed", "export_timeout", "shutdown", "file_write_failed"];

type Built = ReturnType<typeof metrics>;

/** Never let a missing or half-built metric (a lab starter) stop the server: skip it. */
function each(m: Built, key: MetricKey, labelSets: readonly Record<string, string>[]): void {
  const metric = (m as Record<string, unknown>)[key] as Partial<Counter<string> & Histogram<string>> | undefined;
  for (const labels of labelSets) {
    try {
      if (METRICS[key].type === "histogram") metric?.zero?.(labels);
      else metric?.inc?.(labels, 0);
    } catch {
      // a label set the metric does not declare: that metric's panels show it
    }
  }
}

/** RED, token, stage, cost and audit series of one model. */
export function zeroServingSeries(modelName: string): void {
  const m = metrics();
  each(m, "requestTotal", GENERATION_ROUTES.flatMap((r) => STATUSES.map((status) => ({ ...r, status }))));
  each(m, "requestDuration", GENERATION_ROUTES);
  each(m, "tokensTotal", ["prompt", "completion"].map((kind) => ({ kind, model_name: modelName })));
  each(m, "batchSize", ["prefill", "decode"].map((phase) => ({ phase })));
  each(m, "requestFinished", ["stop", "length", "abort"].map((finish_reason) => ({ finish_reason })));
  each(m, "costStageTotal", COST_STAGES.map((stage) => ({ stage })));
  each(m, "auditRefused", ["busy", "disabled"].map((reason) => ({ reason })));
  // The GenAI histograms' successful generations, one series per operation.
  const genAi = genAiSuccessLabels(modelName);
  each(m, "genAiRequestDuration", genAi.map((l) => ({ ...l, error_type: "" })));
  each(m, "genAiTimeToFirstToken", genAi);
  each(m, "genAiTimePerOutputToken", genAi);
  // Every histogram labelled by model alone: TTFT, TPOT, stage times, cost (and any added later).
  for (const [key, spec] of Object.entries(METRICS) as [MetricKey, MetricSpec][]) {
    if (spec.type === "histogram" && !spec.builtIn && spec.labels.length === 1 && spec.labels[0] === "model_name") {
      each(m, key, [{ model_name: modelName }]);
    }
  }
}

/** Drop and sampling-decision series of the tracing pipeline, for the exporters it runs. */
export function zeroPipelineSeries(exporters: readonly string[]): void {
  const m = metrics();
  each(m, "spansDropped", exporters.flatMap((exporter) => DROP_REASONS
    .filter((reason) => reason !== "file_write_failed" || exporter === "local")
    .map((reason) => ({ exporter, reason }))));
  each(m, "traceDecisions", DECISIONS.map((d) => ({ decision: d.keep ? "keep" : "drop", rule: d.rule })));
}
