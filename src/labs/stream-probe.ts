// A streamed completion as the client sees it: when the first chunk of text arrived, when the stream
// ended, the usage it reported, and optionally a deliberate abort after N chunks (labs 01 and 02).
import { performance } from "node:perf_hooks";

export interface StreamOutcome {
  readonly status: number;
  readonly traceId: string | null;
  /** ms from sending the request to the first chunk with text; null when none arrived. */
  readonly firstTextMs: number | null;
  /** ms from sending the request to the end of the stream (or to the abort). */
  readonly totalMs: number;
  readonly chunks: number;
  readonly usage: { readonly prompt_tokens: number; readonly completion_tokens: number } | null;
  /** True when this client cut the stream itself. */
  readonly aborted: boolean;
}

export interface StreamOptions {
  /** Close the connection after this many text chunks (a client that goes away). */
  readonly abortAfterChunks?: number;
  readonly timeoutMs?: number;
}

/** POST a streamed /v1/completions and read it as Server-Sent Events, timing it on this side. */
export async function streamCompletion(url: string, body: Record<string, unknown>, opts: StreamOptions = {}): Promise<StreamOutcome> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), opts.timeoutMs ?? 30_000);
  const t0 = performance.now();
  let firstTextMs: number | null = null;
  let chunks = 0;
  let usage: StreamOutcome["usage"] = null;
  let aborted = false;
  let status = 0;
  let traceId: string | null = null;
  try {
    const res = await fetch(`${url}/v1/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "miniserve-tiny", stream: true, stream_options: { include_usage: true }, ...body }),
      signal: controller.signal,
    });
    status = res.status;
    traceId = res.headers.get("x-trace-id");
    if (!res.ok || !res.body) {
      await res.body?.cancel();
      return { status: res.status, traceId, firstTextMs, totalMs: performance.now() - t0, chunks, usage, aborted };
    }
    const decoder = new TextDecoder();
    let buffer = "";
    const reader = res.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let at: number;
      while ((at = buffer.indexOf("\n\n")) >= 0) {
        const event = buffer.slice(0, at).replace(/^data: /, "");
        buffer = buffer.slice(at + 2);
        if (event === "[DONE]") continue;
        const data = JSON.parse(event) as { choices?: { text?: string }[]; usage?: StreamOutcome["usage"] };
        if (data.usage) usage = data.usage;
        if (data.choices?.[0]?.text) {
          firstTextMs ??= performance.now() - t0;
          chunks++;
        }
      }
      if (opts.abortAfterChunks !== undefined && chunks >= opts.abortAfterChunks) {
        aborted = true;
        controller.abort();
        break;
      }
    }
    return { status: res.status, traceId, firstTextMs, totalMs: performance.now() - t0, chunks, usage, aborted };
  } catch (err) {
    if (aborted) return { status, traceId, firstTextMs, totalMs: performance.now() - t0, chunks, usage, aborted };
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
