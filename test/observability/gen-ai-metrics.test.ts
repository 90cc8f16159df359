// The OpenTelemetry GenAI server metrics carry the conventions' names (Prometheus form), units,
// attributes and advised bucket boundaries, observed on a real miniserve, with bounded label values.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { startObservedMiniserve } from "../../src/serve/index.ts";
import type { ObservedMiniserve } from "../../src/serve/index.ts";
import { postJson, testConfig } from "../helpers/miniserve.ts";

/**
 * Copied from the conventions' text (open-telemetry/semantic-conventions-genai,
 * docs/gen-ai/gen-ai-metrics.md): unit "s" becomes the suffix _seconds, dots become underscores.
 */
const CONVENTIONS = [
  {
    otel: "gen_ai.server.request.duration", name: "gen_ai_server_request_duration_seconds",
    buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92],
    labels: ["error_type", "gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model"],
  },
  {
    otel: "gen_ai.server.time_to_first_token", name: "gen_ai_server_time_to_first_token_seconds",
    buckets: [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0],
    labels: ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model"],
  },
  {
    otel: "gen_ai.server.time_per_output_token", name: "gen_ai_server_time_per_output_token_seconds",
    buckets: [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5],
    labels: ["gen_ai_operation_name", "gen_ai_provider_name", "gen_ai_request_model", "gen_ai_response_model"],
  },
];

let server: ObservedMiniserve;
let body = "";
before(async () => {
  server = await startObservedMiniserve(testConfig());
  const send = async (path: string, payload: unknown): Promise<number> => {
    const res = await postJson(`${server.url}${path}`, payload);
    await res.text();
    return res.status;
  };
  assert.equal(await send("/v1/completions", { model: "miniserve-tiny", prompt: "A histogram", max_tokens: 6, ignore_eos: true }), 200);
  assert.equal(await send("/v1/chat/completions", { model: "miniserve-tiny", messages: [{ role: "user", content: "Hi" }], max_tokens: 6, ignore_eos: true, stream: true }), 200);
  // Forty made-up model names: rejected, and they must not become forty series.
  for (let i = 0; i < 40; i++) assert.equal(await send("/v1/completions", { model: `model-${i}`, prompt: "x" }), 404);
  body = await (await fetch(`${server.url}/metrics`)).text();
});
after(async () => server?.close());

const lines = (prefix: string): string[] => body.split("\n").filter((l) => l.startsWith(prefix));
const labelsOf = (line: string): Record<string, string> =>
  Object.fromEntries([...(line.match(/\{(.*)\}/)?.[1] ?? "").matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));

for (const c of CONVENTIONS) {
  test(`${c.otel} is exposed as ${c.name}: a histogram with the advised boundaries and the conventions' attributes`, () => {
    assert.match(body, new RegExp(`^# TYPE ${c.name} histogram$`, "m"));
    const counts = lines(`${c.name}_count{`);
    assert.ok(counts.length > 0, `${c.name} has series after two generations`);
    for (const line of counts) assert.deepEqual(Object.keys(labelsOf(line)).sort(), c.labels);
    const first = labelsOf(counts[0]!);
    const les = lines(`${c.name}_bucket{`).map(labelsOf)
      .filter((l) => c.labels.every((k) => l[k] === first[k]))
      .map((l) => l["le"]);
    assert.deepEqual(les, [...c.buckets.map(String), "+Inf"]);
  });
}

test("label values are the conventions' and bounded: operation per route, provider, served model, error codes", () => {
  const ok = lines("gen_ai_server_time_to_first_token_seconds_count{").map(labelsOf);
  assert.deepEqual(ok.map((l) => l["gen_ai_operation_name"]).sort(), ["chat", "text_completion"]);
  for (const l of ok) {
    assert.equal(l["gen_ai_provider_name"], "miniserve");
    assert.equal(l["gen_ai_request_model"], "miniserve-tiny");
    assert.equal(l["gen_ai_response_model"], "miniserve-tiny");
  }
  const durations = lines("gen_ai_server_request_duration_seconds_count{");
  const failed = durations.filter((l) => labelsOf(l)["error_type"] !== "");
  assert.equal(failed.length, 1, `forty unknown models make one series, not forty:\n${failed.join("\n")}`);
  assert.deepEqual(labelsOf(failed[0]!), {
    gen_ai_operation_name: "text_completion", gen_ai_provider_name: "miniserve",
    gen_ai_request_model: "", gen_ai_response_model: "", error_type: "MSV_ERR_UNKNOWN_MODEL",
  });
  assert.match(failed[0]!, / 40$/);
  // Successful generations only: the forty rejected requests have no first token and no TPOT.
  const total = (prefix: string): number => lines(prefix).reduce((a, l) => a + Number(l.split(" ").pop()), 0);
  assert.equal(total("gen_ai_server_time_to_first_token_seconds_count{"), 2);
  assert.equal(total("gen_ai_server_time_per_output_token_seconds_count{"), 2);
});
