// Where a load test may point and whether anything answers there: loopback only, then GET /ready.
// Used by the load driver, the capacity ramp and lab 03's notebook before any load is sent.
import { MiniserveError } from "../errors/codes.ts";

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/** The server's answer to GET /ready: engine.stats() plus the model's name and file hash. */
export interface ReadyStats {
  readonly status: string;
  readonly model: string;
  /** sha256 of the model's ONNX file ("" when the server does not know it, absent from older servers) */
  readonly modelSha256?: string;
  readonly queueDepth: number;
  readonly queueCapacity: number;
  readonly slotsUsed: number;
  readonly slotsTotal: number;
  readonly running: number;
}

/**
 * Parse and check a target URL: http, a loopback host, no path. Anything else is refused, so a
 * typo can never turn the lab's load test into traffic against somebody else's machine.
 */
export function loopbackTarget(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MiniserveError("MSV_ERR_LOADTEST_TARGET", `"${url}" is not a URL; use e.g. http://127.0.0.1:8000.`);
  }
  if (parsed.protocol !== "http:" || !LOOPBACK_HOSTS.has(parsed.hostname)) {
    throw new MiniserveError(
      "MSV_ERR_LOADTEST_TARGET",
      `the load test only targets miniserve on this machine (http://127.0.0.1, http://localhost or http://[::1]); got ${url}.`,
    );
  }
  if (parsed.pathname !== "/" || parsed.search !== "" || parsed.username !== "") {
    throw new MiniserveError("MSV_ERR_LOADTEST_TARGET", `give the server's base URL without a path, e.g. http://127.0.0.1:8000; got ${url}.`);
  }
  return parsed;
}

/** The base URL without a trailing slash, e.g. "http://127.0.0.1:8000". */
export function baseUrl(target: URL): string {
  return `${target.protocol}//${target.host}`;
}

/** GET /ready once, bounded by `timeoutMs`; refused or silent → UNREACHABLE, non-200 → NOT_READY. */
export async function checkReady(url: string, timeoutMs = 3000): Promise<ReadyStats> {
  const base = baseUrl(loopbackTarget(url));
  let res: Response;
  try {
    res = await fetch(`${base}/ready`, { signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).name;
    throw new MiniserveError(
      "MSV_ERR_LOADTEST_UNREACHABLE",
      `miniserve is not answering at ${base} (${cause}); start it with \`npm run serve\` (or \`npm start\`) and wait for "miniserve ready".`,
    );
  }
  const text = await res.text();
  if (res.status !== 200) {
    throw new MiniserveError(
      "MSV_ERR_LOADTEST_NOT_READY",
      `miniserve at ${base} answers GET /ready with HTTP ${res.status}: it is not accepting work (still loading the model, or shutting down). ${text.slice(0, 200)}`,
    );
  }
  try {
    return JSON.parse(text) as ReadyStats;
  } catch {
    throw new MiniserveError("MSV_ERR_LOADTEST_NOT_READY", `${base}/ready answered 200 but not with JSON; is this miniserve?`);
  }
}
