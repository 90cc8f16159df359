// Lab 01's checks over HTTP on a server only the check talks to: the RED counters move by exactly
// the requests sent, with their real statuses; TTFT and tokens_total match what the client saw.
import { performance } from "node:perf_hooks";
import { parseExposition, scrape, sumOf } from "./exposition-parse.ts";
import type { Exposition } from "./exposition-parse.ts";
import { streamCompletion } from "./stream-probe.ts";
import type { StreamOutcome } from "./stream-probe.ts";

const COMPLETIONS = { endpoint: "/v1/completions", method: "POST" };

async function metricsNow(url: string): Promise<Exposition> {
  const res = await scrape(url);
  if (res.status !== 200) throw new Error(`GET /metrics answered ${res.status}; lab 01's handler must work first`);
  return parseExposition(res.text);
}

export interface RedProbe {
  /** [what was sent, what request_total moved by] per label set. */
  readonly rows: readonly { readonly labels: string; readonly sent: number; readonly counted: number }[];
  readonly durationCount: { readonly sent: number; readonly counted: number };
  /** Σ server durations of the completions vs Σ of what the client measured, in seconds. */
  readonly durationSumS: number;
  readonly clientSumS: number;
}

async function post(url: string, path: string, body: unknown): Promise<{ status: number; seconds: number }> {
  const t0 = performance.now();
  const res = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return { status: res.status, seconds: (performance.now() - t0) / 1000 };
}

/** 2 good completions, 3 rejected ones (400) and 1 unknown route (404), and what the counters say. */
export async function probeRedStatus(url: string): Promise<RedProbe> {
  const before = await metricsNow(url);
  const sent: { status: number; seconds: number }[] = [];
  for (let i = 0; i < 2; i++) sent.push(await post(url, "/v1/completions", { model: "miniserve-tiny", prompt: "Count me", max_tokens: 4, seed: i }));
  for (let i = 0; i < 3; i++) sent.push(await post(url, "/v1/completions", { model: "miniserve-tiny", prompt: "Reject me", max_tokens: -1 - i }));
  const missing = await fetch(`${url}/v1/no-such-route-${Date.now()}`);
  await missing.arrayBuffer();
  const after = await metricsNow(url);
  const moved = (labels: Record<string, string>) => sumOf(after, "request_total", labels) - sumOf(before, "request_total", labels);
  const ok = sent.filter((s) => s.status === 200).length;
  const bad = sent.filter((s) => s.status === 400).length;
  const rows = [
    { labels: '{endpoint="/v1/completions",method="POST",status="200"}', sent: ok, counted: moved({ ...COMPLETIONS, status: "200" }) },
    { labels: '{endpoint="/v1/completions",method="POST",status="400"}', sent: bad, counted: moved({ ...COMPLETIONS, status: "400" }) },
    { labels: '{endpoint="unmatched",method="GET",status="404"}', sent: missing.status === 404 ? 1 : 0, counted: moved({ endpoint: "unmatched", method: "GET", status: "404" }) },
  ];
  const delta = (name: string) => sumOf(after, name, COMPLETIONS) - sumOf(before, name, COMPLETIONS);
  return {
    rows,
    durationCount: { sent: sent.length, counted: delta("request_duration_seconds_count") },
    durationSumS: delta("request_duration_seconds_sum"),
    clientSumS: sent.reduce((a, s) => a + s.seconds, 0),
  };
}

export interface FirstTokenProbe {
  readonly stream: StreamOutcome;
  /** How many TTFT observations and how much time the server added for this one request. */
  readonly ttftCount: number;
  readonly ttftS: number;
  readonly promptTokens: number;
  readonly completionTokens: number;
}

/** One long streamed completion; the TTFT histogram's and tokens_total's movement around it. */
export async function probeFirstToken(url: string): Promise<FirstTokenProbe> {
  const before = await metricsNow(url);
  const stream = await streamCompletion(url, { prompt: "Time to first token is measured from", max_tokens: 256, ignore_eos: true, seed: 7 });
  const after = await metricsNow(url);
  const delta = (name: string, labels: Record<string, string> = {}) => sumOf(after, name, labels) - sumOf(before, name, labels);
  return {
    stream,
    ttftCount: delta("time_to_first_token_seconds_count"),
    ttftS: delta("time_to_first_token_seconds_sum"),
    promptTokens: delta("tokens_total", { kind: "prompt" }),
    completionTokens: delta("tokens_total", { kind: "completion" }),
  };
}
