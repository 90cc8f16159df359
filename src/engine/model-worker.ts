// Worker-thread entry: owns the ONNX session, the KV-cache memory and the engine core's scheduling
// loop. onnxruntime-node computes synchronously, so here it never blocks fastify's event loop.
import { parentPort, workerData } from "node:worker_threads";
import { isMiniserveError } from "../errors/codes.ts";
import type { CoreInit, FromCore, ToCore } from "./core-protocol.ts";
import { EngineCore } from "./engine-core.ts";
import { loadRunner } from "./model-loader.ts";
import type { ModelRunner } from "./model-runner.ts";

const port = parentPort;
if (port === null) throw new Error("model-worker.ts must run in a worker thread");
const init = workerData as CoreInit;
const send = (msg: FromCore): void => port.postMessage(msg);

let runner: ModelRunner;
let core: EngineCore;
try {
  runner = await loadRunner(init);
  core = new EngineCore(runner, init.slots, init.prefillTokenBudget, (events, counts) => send({ kind: "update", events, counts }));
  send({ kind: "ready", config: runner.config });
} catch (err) {
  send({ kind: "init-error", code: isMiniserveError(err) ? err.code : "MSV_ERR_MODEL_FILE", message: (err as Error).message });
  process.exit(0);
}

port.on("message", (msg: ToCore) => {
  switch (msg.kind) {
    case "add":
      core.add(msg.request);
      break;
    case "abort":
      core.abort(msg.id, msg.finishReason, msg.reason);
      break;
    case "close":
      void runner.close().finally(() => {
        send({ kind: "closed" });
        port.close();
      });
      break;
  }
});
