// `npm start`: the workbook's main job — miniserve on 127.0.0.1:8000, a demo request streamed to
// the terminal, then the server keeps running for the labs until Ctrl-C. Observability is on as in
// `npm run serve` (tracing starts before the server is imported): /metrics, /traces, JSON logs at warn.
import closeWithGrace from "close-with-grace";
import { loadConfig } from "../config/index.ts";
// The tracing SDK must start before http, fastify and pino load: the server is imported after it.
import { startTracing } from "../observability/tracing.ts";
import { exitWithError } from "./cli-errors.ts";

const DEMO = {
  model: "miniserve-tiny",
  prompt: "The server keeps a queue of requests and",
  max_tokens: 32,
  temperature: 0.8,
  seed: 34,
  stream: true,
  stream_options: { include_usage: true },
};

async function demo(url: string): Promise<void> {
  process.stdout.write(`\nDemo request: POST ${url}/v1/completions ${JSON.stringify({ prompt: DEMO.prompt, max_tokens: DEMO.max_tokens, stream: true })}\n\n  ${DEMO.prompt}`);
  const res = await fetch(`${url}/v1/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(DEMO) });
  if (!res.ok || !res.body) throw new Error(`demo request failed with HTTP ${res.status}: ${await res.text()}`);
  let buffer = "";
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  let finish = "";
  for await (const piece of res.body.pipeThrough(new TextDecoderStream())) {
    buffer += piece;
    let at: number;
    while ((at = buffer.indexOf("\n\n")) >= 0) {
      const event = buffer.slice(0, at).replace(/^data: /, "");
      buffer = buffer.slice(at + 2);
      if (event === "[DONE]") continue;
      const chunk = JSON.parse(event) as { choices: { text: string; finish_reason: string | null }[]; usage?: typeof usage };
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices[0];
      if (choice?.text) process.stdout.write(choice.text);
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
  }
  process.stdout.write(`\n\n  finish_reason=${finish} prompt_tokens=${usage?.prompt_tokens} completion_tokens=${usage?.completion_tokens}\n`);
}

try {
  const config = loadConfig(process.env, process.argv.slice(2));
  const tracing = await startTracing(config);
  const { startObservedMiniserve } = await import("../observability/observed-server.ts");
  const server = await startObservedMiniserve({ ...config, logLevel: process.env.LOG_LEVEL ? config.logLevel : "warn" });
  closeWithGrace({ delay: config.shutdownGraceMs + 5000 }, async () => {
    process.stdout.write("\nStopping miniserve…\n");
    await server.close();
    await tracing?.shutdown();
  });
  process.stdout.write(`miniserve is listening on ${server.url} (model ${config.modelName}, ${config.kvSlots} KV slots)\n`);
  await demo(server.url);
  process.stdout.write(`
Try it yourself:
  curl -s ${server.url}/v1/completions -H 'content-type: application/json' \\
    -d '{"model": "miniserve-tiny", "prompt": "A histogram bucket", "max_tokens": 24}'
  curl -s ${server.url}/ready
  curl -s ${server.url}/metrics          # the metrics Prometheus scrapes (lab 01)
  open ${server.url}/traces              # the built-in trace viewer (lab 02)

Press Ctrl-C to stop.
`);
} catch (err) {
  exitWithError(err);
}
