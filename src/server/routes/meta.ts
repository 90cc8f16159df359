// GET /v1/models, /health (the process is alive) and /ready (the model is loaded and work is accepted).
// Lab 00 polls /ready before sending load; these routes are never traced (lab 02).
import type { FastifyInstance } from "fastify";
import type { Config } from "../../config/index.ts";
import type { Engine } from "../../engine/index.ts";
import { MiniserveError } from "../../errors/codes.ts";

export function registerMetaRoutes(app: FastifyInstance, config: Config, engine: Engine): void {
  const created = Math.floor(Date.now() / 1000);
  app.get("/v1/models", async () => ({
    object: "list",
    data: [{ id: config.modelName, object: "model", created, owned_by: "miniserve", context_length: engine.contextLength }],
  }));

  // started_at lets a tool tell whether this process predates a change to the code on disk.
  const startedAt = new Date(Date.now() - process.uptime() * 1000).toISOString();
  app.get("/health", async () => ({ status: "ok", started_at: startedAt }));

  app.get("/ready", async () => {
    if (!engine.isAccepting) throw new MiniserveError("MSV_ERR_SHUTTING_DOWN");
    // modelSha256 lets a load test record which model file it measured (experiments/, bench/).
    return { status: "ready", model: config.modelName, modelSha256: engine.config.sha256, ...engine.stats() };
  });
}
