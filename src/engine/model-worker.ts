// Worker-thread entry: owns the ONNX session and the KV-cache memory, runs prefill and decode steps.
// onnxruntime-node runs a forward pass synchronously, so hosting it here keeps fastify's event loop free.
import { parentPort, workerData } from "node:worker_threads";
import { ModelSession } from "./model-session.ts";
import { LocalModelRunner } from "./model-runner.ts";
import type { DecodeRow, PrefillRow } from "./model-runner.ts";

export interface WorkerInit {
  readonly modelDir: string;
  readonly intraOpThreads: number;
  readonly slots: number;
}

export type WorkerRequest =
  | { readonly id: number; readonly kind: "prefill"; readonly rows: readonly PrefillRow[] }
  | { readonly id: number; readonly kind: "decode"; readonly rows: readonly DecodeRow[] }
  | { readonly id: number; readonly kind: "close" };

export type WorkerReply =
  | { readonly kind: "ready"; readonly config: LocalModelRunner["config"] }
  | { readonly kind: "init-error"; readonly message: string; readonly code?: string }
  | { readonly id: number; readonly kind: "result"; readonly logits: Float32Array }
  | { readonly id: number; readonly kind: "error"; readonly message: string }
  | { readonly id: number; readonly kind: "closed" };

const port = parentPort;
if (port === null) throw new Error("model-worker.ts must run in a worker thread");
const init = workerData as WorkerInit;

let runner: LocalModelRunner;
try {
  const model = await ModelSession.load(init.modelDir, { intraOpThreads: init.intraOpThreads });
  runner = new LocalModelRunner(model, init.slots);
  port.postMessage({ kind: "ready", config: runner.config } satisfies WorkerReply);
} catch (err) {
  port.postMessage({ kind: "init-error", message: (err as Error).message, code: (err as { code?: string }).code } satisfies WorkerReply);
  process.exit(0);
}

port.on("message", async (msg: WorkerRequest) => {
  try {
    if (msg.kind === "close") {
      await runner.close();
      port.postMessage({ id: msg.id, kind: "closed" } satisfies WorkerReply);
      port.close();
      return;
    }
    const logits = msg.kind === "prefill" ? await runner.prefill(msg.rows) : await runner.decode(msg.rows);
    // Transfer, not copy: the logits buffer changes hands.
    port.postMessage({ id: msg.id, kind: "result", logits } satisfies WorkerReply, [logits.buffer as ArrayBuffer]);
  } catch (err) {
    port.postMessage({ id: msg.id, kind: "error", message: (err as Error).message } satisfies WorkerReply);
  }
});
