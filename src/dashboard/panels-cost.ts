// Panels of the cost row: what a request and 1000 output tokens cost, where the money goes,
// and whether the cost accounting still adds up. Used by the dashboard build (lab 03).
import { METRICS } from "../observability/catalogue.ts";
import { histogramNote, mean, quantile, rate } from "./panel-types.ts";
import type { PanelSpec } from "./panel-types.ts";

const M = METRICS;
const euros = (x: number): string => `€${x.toExponential()}`;

export const COST_PANELS: readonly PanelSpec[] = [
  {
    id: 501, row: "cost", kind: "timeseries", datasource: "prometheus", title: "Cost per request p50 / p95", unit: "currencyEUR",
    width: 8, height: 8,
    description: `Cost of a finished request (retrieval + prefill + decode). Read from the histogram, which sees every request. ${histogramNote(M.costPerRequest, euros)}`,
    queries: [
      { refId: "A", expr: quantile(0.5, M.costPerRequest.name), legend: "p50" },
      { refId: "B", expr: quantile(0.95, M.costPerRequest.name), legend: "p95" },
    ],
  },
  {
    id: 502, row: "cost", kind: "timeseries", datasource: "prometheus", title: "Cost per 1k output tokens: mean and p95",
    unit: "currencyEUR", width: 8, height: 8,
    description: `The mean is rate(sum) / rate(count) of the histogram, so it is exact; the p95 is bucket-interpolated. ${histogramNote(M.costPer1kOutputTokens, euros)}`,
    queries: [
      { refId: "A", expr: mean(M.costPer1kOutputTokens.name), legend: "mean" },
      { refId: "B", expr: quantile(0.95, M.costPer1kOutputTokens.name), legend: "p95" },
    ],
  },
  {
    id: 503, row: "cost", kind: "timeseries", datasource: "prometheus", title: "Spend rate by stage (EUR per second)",
    unit: "currencyEUR", width: 8, height: 8, stacked: true,
    description: "Which stage the money goes to. Stacked: the top of the stack is the total spend rate.",
    queries: [{ refId: "A", expr: `sum by (stage) (${rate(M.costStageTotal.name)})`, legend: "{{stage}}" }],
  },
  {
    id: 504, row: "cost", kind: "stat", datasource: "prometheus", title: "Cost identity violations (last hour)", unit: "short",
    width: 8, height: 5, redFrom: 1,
    description: "Requests whose stage costs did not add up to their total within 0.1 %. Must stay at 0.",
    queries: [{ refId: "A", expr: `sum(increase(${M.costIdentityViolations.name}[1h]))`, legend: "violations" }],
  },
  {
    id: 505, row: "cost", kind: "stat", datasource: "prometheus", title: "Trace sample ratio", unit: "percentunit",
    width: 8, height: 5,
    description: "Fraction of requests whose traces are kept. Metrics count every request; trace panels show this sample.",
    queries: [{ refId: "A", expr: `max(${M.traceSampleRatio.name})`, legend: "sampled" }],
  },
  {
    id: 506, row: "cost", kind: "stat", datasource: "prometheus", title: "Spend in the last hour", unit: "currencyEUR",
    width: 8, height: 5, description: "Sum of the cost of every request finished in the last hour.",
    queries: [{ refId: "A", expr: `sum(increase(${M.costPerRequest.name}_sum[1h]))`, legend: "spend" }],
  },
];
