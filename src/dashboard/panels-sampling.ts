// The tracing pipeline's own panels (trace row): orphan spans and the sampling policy's decisions,
// and the dashboard variable through which every trace-derived panel states the sample it shows (lab 02).
import { METRICS } from "../observability/catalogue.ts";
import { rate } from "./panel-types.ts";
import type { PanelSpec } from "./panel-types.ts";

const M = METRICS;

/** A dashboard variable read from Prometheus: trace_sample_ratio's current value. */
export const SAMPLE_VARIABLE = {
  name: "trace_sample_ratio",
  label: "Trace sample ratio",
  // Grafana's query_result() lists `{labels} value timestamp`; the regex keeps the value.
  query: `query_result(max(${M.traceSampleRatio.name}))`,
  regex: "/.* ([^ ]*) .*/",
} as const;

const RATIO = `$${SAMPLE_VARIABLE.name}`;

/**
 * What a trace-derived panel adds to its title and description: exemplars come only from traces
 * the ratio rule keeps (certain to be exported), trace searches from every kept trace.
 */
export function sampleNote(p: Pick<PanelSpec, "datasource" | "queries">): { title: string; description: string } | null {
  if (p.datasource === "tempo") {
    return {
      title: ` · all errors and slow traces, ratio ${RATIO} of the rest`,
      description: ` Traces kept by the sampling policy: every trace with an error, every trace slower than MINISERVE_TRACE_KEEP_SLOWER_THAN_MS (1 s by default), and ${RATIO} of the others (OTEL_TRACES_SAMPLER_ARG).`,
    };
  }
  if (p.queries.some((q) => q.exemplar)) {
    return {
      title: ` · exemplars at sample ratio ${RATIO}`,
      description: ` Exemplars link only to traces the ratio rule keeps, ${RATIO} of requests; the values themselves count every request.`,
    };
  }
  return null;
}

export const SAMPLING_PANELS: readonly PanelSpec[] = [
  {
    id: 405, row: "trace", kind: "stat", datasource: "prometheus", title: "Orphan spans (last hour)", unit: "short",
    width: 8, height: 9, redFrom: 1,
    description: `Exported spans whose parent never reached the exporters in the same trace (${M.traceOrphanSpans.name}, counted by the server ten seconds after each kept trace ends). Must stay 0: anything else means broken traces.`,
    queries: [{ refId: "A", expr: `sum(increase(${M.traceOrphanSpans.name}[1h]))`, legend: "orphans" }],
  },
  {
    id: 406, row: "trace", kind: "timeseries", datasource: "prometheus", title: `Traces kept and dropped by the sampling policy (ratio ${RATIO})`,
    unit: "short", width: 16, height: 9, stacked: true,
    description: "Traces per second by decision and the rule that made it: keep error, keep slow, keep ratio; drop route (health checks), drop none. Kept over all is the share of requests whose traces you can open.",
    queries: [{ refId: "A", expr: `sum by (decision, rule) (${rate(M.traceDecisions.name)})`, legend: "{{decision}} {{rule}}" }],
  },
];
