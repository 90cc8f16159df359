// GET /metrics: the one default registry written as Prometheus text or as OpenMetrics, chosen by
// the scraper's Accept header. Only OpenMetrics can carry exemplars (labs 01 and 02).
import { Registry, register } from "prom-client";
import type { FastifyReply, FastifyRequest } from "fastify";

/** The parts of prom-client's runtime objects this file uses (its typings omit them). */
interface CollectedMetric { name: string; type: string; help: string; values: unknown[] }
interface RuntimeMetric { name: string; get(): Promise<CollectedMetric> | CollectedMetric }
interface RuntimeRegistry { getMetricsAsString(metric: { get(): Promise<CollectedMetric> }): Promise<string> }

export const PROMETHEUS_TEXT = Registry.PROMETHEUS_CONTENT_TYPE;
export const OPENMETRICS_TEXT = Registry.OPENMETRICS_CONTENT_TYPE;

/** True when the scraper prefers OpenMetrics (Prometheus does, with exemplar storage on). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let best = { om: -1, text: -1 };
  for (const part of accept.split(",")) {
    const [type, ...params] = part.trim().split(";").map((s) => s.trim());
    const q = Number(params.find((p) => p.startsWith("q="))?.slice(2) ?? 1);
    if (type === "application/openmetrics-text") best = { ...best, om: Math.max(best.om, q) };
    else if (type === "text/plain" || type === "*/*") best = { ...best, text: Math.max(best.text, q) };
  }
  return best.om > 0 && best.om >= best.text;
}

/**
 * Write the default registry in either format without switching its content type.
 *
 * prom-client decides the format from the registry's content type, and its own metrics() strips
 * "_total" from counter names in place when that type is OpenMetrics, which would break the next
 * plain-text scrape. So each format is written through a read-only view: an object whose
 * prototype is the registry and whose only own field is the content type. Same metrics, same
 * values, one registry; concurrent scrapes of both formats cannot disturb each other.
 */
export async function exposition(openMetrics: boolean, onError: (metric: string, err: unknown) => void = () => {}): Promise<string> {
  const view = Object.create(register, {
    _contentType: { value: openMetrics ? OPENMETRICS_TEXT : PROMETHEUS_TEXT },
  }) as RuntimeRegistry;
  const metricsList = register.getMetricsAsArray() as unknown as RuntimeMetric[];
  const all = await Promise.all(metricsList.map(async (metric): Promise<string | null> => {
    let data: CollectedMetric;
    try {
      data = await metric.get();
    } catch (err) {
      // One broken collector costs its own metric, never the whole scrape.
      onError(metric.name, err);
      return null;
    }
    // OpenMetrics names a counter family without "_total"; prom-client adds it back to each sample.
    const named = openMetrics && data.type === "counter" ? { ...data, name: data.name.replace(/_total$/, "") } : data;
    return view.getMetricsAsString({ get: async () => named });
  }));
  const parts = all.filter((p): p is string => p !== null);
  return openMetrics ? `${parts.join("\n")}\n# EOF\n` : `${parts.join("\n\n")}\n`;
}

/** The fastify handler for GET /metrics; logs, never throws, if a metric fails to collect. */
export async function metricsHandler(req: FastifyRequest, reply: FastifyReply): Promise<string> {
  // BEGIN LAB 01 BLOCK B: answer GET /metrics. Pick the format from the Accept header
  //   (wantsOpenMetrics), write the registry with exposition(), set the matching content-type header
  //   (OPENMETRICS_TEXT or PROMETHEUS_TEXT) and return the text. Log, never throw, when a metric fails.
  // STARTER: void req; void reply;
  // STARTER: throw new Error("TODO(lab 01, block B): metricsHandler is not written yet");
  const om = wantsOpenMetrics(req.headers.accept);
  const body = await exposition(om, (metric, err) => req.log.warn({ err, metric }, "a metric failed to collect; it is missing from this scrape"));
  void reply.header("content-type", om ? OPENMETRICS_TEXT : PROMETHEUS_TEXT).header("cache-control", "no-store");
  return body;
  // END LAB 01 BLOCK B
}
