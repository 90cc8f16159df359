// POST /v1/completions and POST /v1/chat/completions: validate, submit to the engine, answer as
// one JSON body or as Server-Sent Events; a client that goes away cancels its request (labs 00–03).
import { performance } from "node:perf_hooks";
import { PassThrough } from "node:stream";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../../config/index.ts";
import type { Engine, GenerationHandle } from "../../engine/index.ts";
import { MiniserveError } from "../../errors/codes.ts";
import type { AuditGate } from "../audit-gate.ts";
import { ResponseShaper, sseData } from "../openai-format.ts";
import { validateGeneration } from "../validate-request.ts";
import type { GenerationParams } from "../validate-request.ts";

/** Runs the audit child on a generation's text (the observed server provides it, traced). */
export type AuditRunner = (text: string) => Promise<object>;

export interface GenerationRouteOptions {
  readonly config: Config;
  readonly engine: Engine;
  readonly auditGate: AuditGate;
  /** What the engine hands its event subscribers as the request's tag (observability's per-request state). */
  readonly observeRequest?: ((req: FastifyRequest, params: GenerationParams) => object) | undefined;
  /** The "audit": true extension; without it (the bare server) such requests are refused. */
  readonly audit?: AuditRunner | undefined;
}

/** Cancel the generation when the client closes the connection before the response is complete. */
function abortOnDisconnect(reply: FastifyReply, handle: GenerationHandle): () => void {
  const onClose = (): void => {
    if (!reply.raw.writableFinished) handle.abort("client disconnected");
  };
  reply.raw.on("close", onClose);
  return () => reply.raw.off("close", onClose);
}

export function registerGenerationRoutes(app: FastifyInstance, opts: GenerationRouteOptions): void {
  const { config, engine } = opts;

  const handle = (kind: "completion" | "chat") => async (req: FastifyRequest, reply: FastifyReply) => {
    const arrivedMs = performance.now();
    const params = validateGeneration(kind, req.body, config);
    // Cheap refusals first: an oversized prompt or a busy audit costs no hashing, retrieval or tokens.
    engine.assertPromptFits(params.prompt, params.maxTokens);
    const runAudit = opts.audit;
    if (params.audit && runAudit === undefined) {
      throw new MiniserveError("MSV_ERR_AUDIT_DISABLED", "'audit' needs observability: this server runs without it (MINISERVE_OBSERVABILITY=off); send the request without it.", "audit");
    }
    const releaseAudit = params.audit ? opts.auditGate.acquire() : () => {};
    // The response id carries the request id every log line of this request has.
    const id = `${kind === "chat" ? "chatcmpl" : "cmpl"}-${req.id}`;
    const shaper = new ResponseShaper(id, params);
    const stream = params.stream ? new PassThrough() : null;
    let generation: GenerationHandle;
    try {
      generation = engine.submit({
        id, arrivedMs,
        prompt: params.prompt,
        messages: params.messages,
        retrievalQuery: params.query,
        retrievalTopK: params.retrievalTopK,
        maxTokens: params.maxTokens,
        temperature: params.temperature,
        topP: params.topP,
        seed: params.seed,
        stop: params.stop,
        ignoreEos: params.ignoreEos,
        onText: stream ? (delta) => void (stream.writable && stream.write(sseData(shaper.deltaChunk(delta)))) : undefined,
        tag: opts.observeRequest?.(req, params),
      });
    } catch (err) {
      releaseAudit();
      throw err;
    }
    void reply.header("x-request-id", id);
    const detach = abortOnDisconnect(reply, generation);

    // The opt-in audit runs a child process on the output; its spans join this request's trace.
    // A client that went away gets no audit: the slot is given back at once.
    const audit = async (text: string): Promise<object> => {
      try {
        return await runAudit!(text);
      } catch (err) {
        req.log.warn({ err }, "the audit subprocess failed");
        return { error: (err as Error).message };
      } finally {
        releaseAudit();
      }
    };
    if (stream === null) {
      const result = await generation.done;
      detach();
      if (!params.audit || reply.raw.destroyed) {
        releaseAudit();
        return shaper.full(result);
      }
      return { ...shaper.full(result), audit: await audit(result.text) };
    }

    const role = shaper.roleChunk();
    if (role) stream.write(sseData(role));
    void generation.done.then(async (result) => {
      detach();
      if (!stream.writable || reply.raw.destroyed) return releaseAudit();
      stream.write(sseData(shaper.finalChunk(result)));
      if (params.includeUsage) stream.write(sseData(shaper.usageChunk(result)));
      if (params.audit) {
        const stats = await audit(result.text);
        if (stream.writable) stream.write(sseData({ object: "miniserve.audit", audit: stats }));
      }
      if (stream.writable) stream.end(sseData("[DONE]"));
    });
    return reply
      .header("content-type", "text/event-stream; charset=utf-8")
      .header("cache-control", "no-cache")
      .header("x-accel-buffering", "no")
      .send(stream);
  };

  app.post("/v1/completions", handle("completion"));
  app.post("/v1/chat/completions", handle("chat"));
}
