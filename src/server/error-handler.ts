// Turns every failure into an OpenAI-style error body with a stable MSV_ERR_* code:
// validation, fastify's own body parsing errors, unknown routes, overload and the unexpected.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Config } from "../config/index.ts";
import { MiniserveError, isMiniserveError } from "../errors/codes.ts";
import { errorBody } from "./openai-format.ts";

/** Map fastify's FST_ERR_* body errors to our codes, with advice a learner can act on. */
function fromFastify(err: FastifyError, config: Config): MiniserveError {
  switch (err.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new MiniserveError("MSV_ERR_BODY_TOO_LARGE", `The request body is larger than ${config.bodyLimitBytes} bytes. Send a shorter prompt, or raise MINISERVE_BODY_LIMIT_BYTES.`);
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new MiniserveError("MSV_ERR_UNSUPPORTED_MEDIA_TYPE", `Send the body as JSON with the header 'Content-Type: application/json'.`);
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
      return new MiniserveError("MSV_ERR_INVALID_BODY", "The body is empty; send a JSON object such as {\"model\": \"miniserve-tiny\", \"prompt\": \"Hello\"}.");
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      return new MiniserveError("MSV_ERR_INVALID_JSON", `The body is not valid JSON (${err.message}). Check quotes and commas.`);
    default:
      if (err instanceof SyntaxError || err.statusCode === 400) {
        return new MiniserveError("MSV_ERR_INVALID_JSON", `The body is not valid JSON (${err.message}). Check quotes and commas.`);
      }
      return new MiniserveError("MSV_ERR_INTERNAL", "Something failed inside miniserve; the server log has the details.");
  }
}

const ROUTE_LIST = "Routes: POST /v1/completions, POST /v1/chat/completions, GET /v1/models, GET /health, GET /ready, GET /metrics.";

/** 405 with Allow when the path exists under other methods, else 404 listing the routes. */
function noRoute(app: FastifyInstance, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = (req.url.split("?")[0] ?? "").slice(0, 200);
  const allowed = ["GET", "POST"].filter((method) => method !== req.method && app.hasRoute({ method, url: path }));
  if (allowed.length > 0) {
    const error = new MiniserveError("MSV_ERR_METHOD_NOT_ALLOWED", `${path} does not take ${req.method.slice(0, 16)}; use ${allowed.join(" or ")}. ${ROUTE_LIST}`);
    return reply.status(405).header("allow", allowed.join(", ")).send(errorBody(error));
  }
  const error = new MiniserveError("MSV_ERR_NOT_FOUND", `No route for ${req.method.slice(0, 16)} ${path}. ${ROUTE_LIST}`);
  return reply.status(404).send(errorBody(error));
}

export function installErrorHandling(app: FastifyInstance, config: Config): void {
  app.setErrorHandler((err: FastifyError, req, reply) => {
    // A streamed response whose client went away: headers are out, nothing more can be said.
    if (reply.raw.headersSent || err.code === "ERR_STREAM_PREMATURE_CLOSE") {
      req.log.info({ code: err.code }, "response stream closed early (client disconnected)");
      return;
    }
    // A body sent to a path no route serves (DELETE or OPTIONS with a JSON content type): the
    // route is what is wrong, not the body, so say that instead of "the body is empty".
    if (req.is404 && !isMiniserveError(err) && err.code?.startsWith("FST_ERR_CTP_")) return noRoute(app, req, reply);
    const error = isMiniserveError(err) ? err : fromFastify(err, config);
    if (error.statusCode >= 500 && error.code === "MSV_ERR_INTERNAL") req.log.error({ err }, "unexpected error");
    else req.log.info({ code: error.code, status: error.statusCode }, error.message);
    if (error.code === "MSV_ERR_QUEUE_FULL" || error.code === "MSV_ERR_SHUTTING_DOWN" || error.code === "MSV_ERR_AUDIT_BUSY") {
      void reply.header("retry-after", String(config.retryAfterSeconds));
    }
    return reply.status(error.statusCode).send(errorBody(error));
  });

  app.setNotFoundHandler((req, reply) => noRoute(app, req, reply));
}
