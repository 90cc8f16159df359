// Types of the dashboard's panel list, the datasources panels may query (uids fixed by Grafana
// provisioning) and small PromQL helpers shared by the panel files (lab 00).
import type { MetricSpec } from "../observability/catalogue.ts";
import { describeResolution } from "../observability/histogram-quantile.ts";

/** Which backend a panel reads: PromQL against Prometheus or TraceQL against Tempo. */
export type DatasourceKey = "prometheus" | "tempo";

export interface DatasourceRef {
  readonly type: DatasourceKey;
  readonly uid: string;
}

/**
 * Fixed uids, so the provisioned datasources and the generated dashboard agree without
 * anyone clicking through Grafana. test/infra checks the provisioning file declares them.
 */
export const DATASOURCES: Readonly<Record<DatasourceKey, DatasourceRef>> = {
  prometheus: { type: "prometheus", uid: "prometheus" },
  tempo: { type: "tempo", uid: "tempo" },
};

/** The exemplar label key miniserve writes and the Prometheus datasource links to Tempo. */
export const EXEMPLAR_TRACE_ID_LABEL = "trace_id";

/** The service name miniserve reports in its traces (OpenTelemetry resource attribute). */
export const SERVICE_NAME = "miniserve";

export function datasourceKeyOfUid(uid: string): DatasourceKey | undefined {
  for (const key of Object.keys(DATASOURCES) as DatasourceKey[]) {
    if (DATASOURCES[key].uid === uid) return key;
  }
  return undefined;
}

/** The five questions the dashboard answers, one row each, top to bottom. */
export type RowKey = "red" | "llm" | "saturation" | "trace" | "cost";

export interface RowSpec {
  readonly key: RowKey;
  readonly id: number;
  readonly title: string;
}

export type PanelKind = "timeseries" | "stat" | "heatmap" | "table";

export interface PanelQuery {
  readonly refId: string;
  /** PromQL for Prometheus panels, TraceQL for Tempo panels. */
  readonly expr: string;
  /** Grafana legend template, e.g. "{{kind}}"; empty when the panel shows one series. */
  readonly legend: string;
  /** Ask Prometheus for exemplars (trace ids) along with the samples. */
  readonly exemplar?: boolean;
  /** "heatmap" turns cumulative le buckets into heatmap cells. */
  readonly format?: "time_series" | "heatmap";
}

/** What a viewer needs to run and show a panel: the shape read-dashboard.ts returns. */
export interface DashboardPanel {
  readonly id: number;
  readonly title: string;
  /** Title of the row the panel sits under. */
  readonly row: string;
  readonly kind: PanelKind;
  readonly datasource: DatasourceKey;
  /** A Grafana unit id: "s", "reqps", "percentunit", "bytes", "currencyEUR", "short". */
  readonly unit: string;
  readonly description: string;
  readonly queries: readonly PanelQuery[];
}

/** A panel as written in src/dashboard: the viewer's fields plus layout and styling. */
export interface PanelSpec extends Omit<DashboardPanel, "row"> {
  readonly row: RowKey;
  /** Grid columns out of 24. */
  readonly width: number;
  readonly height: number;
  /** Stack the series (parts of a whole, such as cost per stage). */
  readonly stacked?: boolean;
  /** Value from which a stat turns red (violations, dropped spans). */
  readonly redFrom?: number;
}

/**
 * What a quantile panel must say: which histogram its quantiles come from and how finely its
 * buckets resolve them (the bounds, generated from the catalogue so the text cannot drift).
 */
export function histogramNote(spec: MetricSpec, format?: (x: number) => string): string {
  return `Quantiles from \`${spec.name}\`, ${describeResolution(spec.buckets ?? [], format)}`;
}

// ---- PromQL helpers: every range selector uses $__rate_interval or a fixed window ----

export const RATE_WINDOW = "$__rate_interval";

/** rate() of a counter or histogram series over Grafana's rate interval. */
export function rate(selector: string): string {
  return `rate(${selector}[${RATE_WINDOW}])`;
}

/** A quantile of a histogram summed over everything but le (and the extra labels given). */
export function quantile(q: number, histogram: string, by: readonly string[] = []): string {
  const labels = ["le", ...by].join(", ");
  return `histogram_quantile(${q}, sum by (${labels}) (${rate(`${histogram}_bucket`)}))`;
}

/** The mean of a histogram's observations over the window: rate(sum) / rate(count). */
export function mean(histogram: string, by: readonly string[] = []): string {
  const group = by.length > 0 ? ` by (${by.join(", ")})` : "";
  return `sum${group} (${rate(`${histogram}_sum`)}) / sum${group} (${rate(`${histogram}_count`)})`;
}

/** Three queries p50, p95, p99 of one histogram, refIds A-C. */
export function percentiles(histogram: string, exemplar = false): PanelQuery[] {
  return [0.5, 0.95, 0.99].map((q, i) => ({
    refId: String.fromCharCode(65 + i),
    expr: quantile(q, histogram),
    legend: `p${Math.round(q * 100)}`,
    ...(exemplar ? { exemplar: true } : {}),
  }));
}
