// The requests `npm start` sends once everything runs: the demo completion streamed to the terminal,
// then a few quiet warm-ups (one with retrieval, one chat) so panels and traces have data (lab 00).

const DEMO = {
  model: "miniserve-tiny",
  prompt: "The server keeps a queue of requests and",
  max_tokens: 32,
  temperature: 0.8,
  seed: 34,
  stream: true,
  stream_options: { include_usage: true },
};

/** Streams the demo completion to `out` token by token, then its finish reason and usage. */
export async function streamDemo(url: string, out: NodeJS.WritableStream): Promise<void> {
  out.write(`\nDemo request: POST ${url}/v1/completions ${JSON.stringify({ prompt: DEMO.prompt, max_tokens: DEMO.max_tokens, stream: true })}\n\n  ${DEMO.prompt}`);
  const res = await fetch(`${url}/v1/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(DEMO), signal: AbortSignal.timeout(60_000) });
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
      if (choice?.text) out.write(choice.text);
      if (choice?.finish_reason) finish = choice.finish_reason;
    }
  }
  out.write(`\n\n  finish_reason=${finish} prompt_tokens=${usage?.prompt_tokens} completion_tokens=${usage?.completion_tokens}\n`);
}

const WARMUPS: readonly { path: string; body: Record<string, unknown> }[] = [
  { path: "/v1/completions", body: { model: "miniserve-tiny", prompt: "A histogram bucket", max_tokens: 16, seed: 1 } },
  { path: "/v1/completions", body: { model: "miniserve-tiny", prompt: "How are KV slots freed?", max_tokens: 16, retrieval: { top_k: 2 }, seed: 2 } },
  { path: "/v1/chat/completions", body: { model: "miniserve-tiny", messages: [{ role: "user", content: "What is a queue?" }], max_tokens: 16, seed: 3 } },
  { path: "/v1/completions", body: { model: "miniserve-tiny", prompt: "The scheduler admits", max_tokens: 24, stream: true, seed: 4 } },
];

/** Sends the warm-up requests concurrently; returns how many succeeded (never throws). */
export async function warmUp(url: string): Promise<number> {
  const results = await Promise.allSettled(WARMUPS.map(async ({ path, body }) => {
    const res = await fetch(`${url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
    await res.text();
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
  }));
  return results.filter((r) => r.status === "fulfilled").length;
}
