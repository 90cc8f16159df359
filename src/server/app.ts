// Builds the fastify app: routes, error handling and the shutdown gate. No listening here,
// so tests can inject requests; src/server/miniserve.ts starts it for real (all labs).
import Fastify from "fastify";
import type { FastifyInstance, FastifyRequest, FastifyServerOptions } from "fastify";
import type { Config } from "../config/index.ts";
import type { Engine } from "../engine/index.ts";
import { MiniserveError } from "../errors/codes.ts";
import { installErrorHandling } from "./error-handler.ts";
import { registerGenerationRoutes } from "./routes/generation.ts";
import { registerMetaRoutes } from "./routes/meta.ts";

export interface AppOptions {
  readonly config: Config;
  readonly engine: Engine;
  /** A pino logger, or fastify logger options; observability passes its trace-aware logger. */
  readonly logger?: FastifyServerOptions["loggerInstance"] | undefined;
  readonly requestMeta?: ((req: FastifyRequest) => Record<string, unknown>) | undefined;
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
  }) as unknown as FastifyInstance;

  installErrorHandling(app, config);
  // JSON only: a text/plain body would otherwise arrive as a string and get a vaguer 400.
  app.removeContentTypeParser("text/plain");
  app.addHook("onRequest", async (req) => {
    if (!engine.isAccepting && req.url.startsWith("/v1/")) throw new MiniserveError("MSV_ERR_SHUTTING_DOWN");
  });
  // While shutting down, ask clients to drop the connection after their response.
  app.addHook("onSend", async (_req, reply) => {
    if (!engine.isAccepting) void reply.header("connection", "close");
  });
  for (const plugin of opts.plugins ?? []) await plugin(app);
  registerMetaRoutes(app, config, engine);
  registerGenerationRoutes(app, { config, engine, requestMeta: opts.requestMeta });
  return app;
}
