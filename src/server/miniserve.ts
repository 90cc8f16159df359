// Assembles miniserve from its parts — model, tokenizer, retriever, engine, HTTP app — and starts it.
// `npm run serve` and every lab notebook call startMiniserve(); close() shuts it down gracefully.
import type { FastifyInstance } from "fastify";
import type { Config } from "../config/index.ts";
import { Engine, openModel } from "../engine/index.ts";
import { Bm25Retriever, loadPassages } from "../retrieval/index.ts";
import { buildApp } from "./app.ts";
import type { AppOptions } from "./app.ts";

export interface Miniserve {
  readonly app: FastifyInstance;
  readonly engine: Engine;
  readonly config: Config;
  /** http://host:port of the listening server */
  readonly url: string;
  /** Stop accepting, finish or cancel in-flight work within the grace period, release the model. */
  close(): Promise<void>;
}

export interface EngineParts {
  readonly engine: Engine;
  readonly retriever: Bm25Retriever;
}

/** Load the model and build the engine (no HTTP): benchmarks and engine tests start here. */
export async function createEngine(config: Config, onListenerError?: (event: string, err: unknown) => void): Promise<EngineParts> {
  // The engine core (scheduler, KV cache, model) runs in a worker thread: a forward pass would
  // otherwise block fastify's event loop, and steps follow each other without waiting for HTTP.
  // The folder and its tokenizer are checked first, so a bad folder fails before the worker starts.
  const { core, tokenizer } = await openModel({
    modelDir: config.modelDir, intraOpThreads: config.ortThreads, slots: config.kvSlots, prefillTokenBudget: config.prefillTokenBudget,
    maxContextTokens: config.maxContextTokens, kvCacheMib: config.kvCacheMib,
  });
  const retriever = new Bm25Retriever(loadPassages(config.rootDir, config.retrievalDirs));
  const engine = new Engine(core, tokenizer, {
    modelName: config.modelName,
    kvSlots: config.kvSlots,
    queueCapacity: config.queueCapacity,
  }, retriever, onListenerError);
  return { engine, retriever };
}

export async function startMiniserve(
  config: Config,
  extra: Omit<AppOptions, "config" | "engine"> & { engine?: Engine } = {},
): Promise<Miniserve> {
  const engine = extra.engine ?? (await createEngine(config)).engine;
  const app = await buildApp({ ...extra, config, engine });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === "object" && address !== null ? address.port : config.port;
  let closing: Promise<void> | null = null;
  return {
    app, engine, config,
    url: `http://${config.host.includes(":") ? `[${config.host}]` : config.host}:${port}`,
    close: () => {
      closing ??= (async () => {
        // Drain first, still listening: requests arriving now get a clean 503 (and /ready says
        // 503, so a load balancer takes this instance out) instead of a refused connection.
        // Only then does app.close() stop listening and wait for the responses still being written.
        await engine.close(config.shutdownGraceMs);
        let appDone = false;
        const appClosed = app.close().then(() => void (appDone = true));
        // Keep-alive sockets that went idle after close() began would hold it open: close them as
        // their last response ends, and cut whatever is left after one more second.
        const deadline = Date.now() + 1000;
        while (!appDone && Date.now() < deadline) {
          app.server.closeIdleConnections();
          await new Promise((r) => setTimeout(r, 25));
        }
        if (!appDone) app.server.closeAllConnections();
        await appClosed;
        await engine.release();
      })();
      return closing;
    },
  };
}
