// Builds the fastify app: routes, error handling and the shutdown gate. No listening here,
// so tests can inject requests; src/server/miniserve.ts starts it for real (all labs).
import { randomUUID } from "node:crypto";
import Fastify, { LogController } from "fastify";
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from "fastify";
import type { Config } from "../config/index.ts";
import type { Engine } from "../engine/index.ts";
import { MiniserveError } from "../errors/codes.ts";
import { AuditGate } from "./audit-gate.ts";
import { clientErrorHandler, connectionsCheckingIntervalMs, markAnswered } from "./client-errors.ts";
import { installErrorHandling } from "./error-handler.ts";
import { registerGenerationRoutes } from "./routes/generation.ts";
import type { AuditRunner } from "./routes/generation.ts";
import type { GenerationParams } from "./validate-request.ts";
import { registerMetaRoutes } from "./routes/meta.ts";

export interface AppOptions {
  readonly config: Config;
  readonly engine: Engine;
  /** A pino logger, or fastify logger options; observability passes its trace-aware logger. */
  readonly logger?: FastifyServerOptions["loggerInstance"] | undefined;
  /** Bounds concurrent audits; observability passes its own to read the count at scrape time. */
  readonly auditGate?: AuditGate | undefined;
  /** The request's tag for the engine's event subscribers, made from the validated parameters. */
  readonly observeRequest?: ((req: FastifyRequest, params: GenerationParams) => object) | undefined;
  /** The "audit": true extension (the observed server provides it); absent, such requests are refused. */
  readonly audit?: AuditRunner | undefined;
  /** Plugins registered before the routes (observability: metrics route, request timing). */
  readonly plugins?: readonly ((app: FastifyInstance) => Promise<void> | void)[] | undefined;
}

export async function buildApp(opts: AppOptions): Promise<FastifyInstance> {
  const { config, engine } = opts;
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: { level: config.logLevel } }),
    bodyLimit: config.bodyLimitBytes,
    // Our onRequest gate answers with an OpenAI-style 503 instead of fastify's plain one.
    return503OnClosing: false,
    // Keep-alive connections would hold close() open until they time out.
    forceCloseConnections: "idle",
    requestIdHeader: false,
    // No "incoming request"/"request completed" pair per request: the observed server writes one
    // line per request with everything in it, and the bare one (the overhead baseline) logs none.
    logController: new LogController({ disableRequestLogging: true }),
    // A UUID per request (not a counter): it is the x-request-id a client quotes, unique across restarts.
    genReqId: () => randomUUID(),
    // A client that sends half a request must not hold a connection forever (docs/errors.md, 408).
    requestTimeout: config.requestTimeoutMs,
    connectionTimeout: config.connectionTimeoutMs,
    keepAliveTimeout: config.keepAliveTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      requestTimeout: config.requestTimeoutMs,
      connectionsCheckingInterval: connectionsCheckingIntervalMs(config),
    },
    clientErrorHandler: clientErrorHandler(config),
  }) as unknown as FastifyInstance;

  installErrorHandling(app, config);
  // JSON only: a text/plain body would otherwise arrive as a string and get a vaguer 400.
  app.removeContentTypeParser("text/plain");
  app.addHook("onRequest", async (req, reply) => {
    // Every response, errors included, names its request: docs/errors.md asks users to quote it.
    void reply.header("x-request-id", req.id);
    if (!engine.isAccepting && req.url.startsWith("/v1/")) throw new MiniserveError("MSV_ERR_SHUTTING_DOWN");
  });
  app.addHook("onResponse", (req, _reply, done) => {
    markAnswered(req.raw.socket);
    done();
  });
  // While shutting down, ask clients to drop the connection after their response.
  app.addHook("onSend", async (_req, reply) => {
    if (!engine.isAccepting) void reply.header("connection", "close");
  });
  for (const plugin of opts.plugins ?? []) await plugin(app);
  registerMetaRoutes(app, config, engine);
  const auditGate = opts.auditGate ?? new AuditGate(config.auditMaxConcurrent);
  registerGenerationRoutes(app, { config, engine, auditGate, observeRequest: opts.observeRequest, audit: opts.audit });
  return app;
}
