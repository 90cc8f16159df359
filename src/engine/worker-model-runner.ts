// The scheduler's handle on the model worker: each prefill or decode step is one message round trip.
// Requests are answered in order; a worker that dies fails every pending step instead of hanging.
import { Worker } from "node:worker_threads";
import { MiniserveError } from "../errors/codes.ts";
import type { ModelConfig } from "./model-session.ts";
import type { DecodeRow, ModelRunner, PrefillRow } from "./model-runner.ts";
import type { WorkerInit, WorkerReply, WorkerRequest } from "./model-worker.ts";

type Pending = { resolve: (logits: Float32Array) => void; reject: (err: Error) => void };

export class WorkerModelRunner implements ModelRunner {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private dead: Error | null = null;

  private constructor(private readonly worker: Worker, readonly config: ModelConfig) {
    worker.on("message", (msg: WorkerReply) => {
      if (!("id" in msg)) return;
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.kind === "result") p.resolve(msg.logits);
      else if (msg.kind === "error") p.reject(new Error(`model worker: ${msg.message}`));
      else p.resolve(new Float32Array(0));
    });
    const fail = (err: Error) => {
      this.dead = err;
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`model worker exited with code ${code}`)));
  }

  /** Start the worker and wait until the model is loaded. */
  static async start(init: WorkerInit): Promise<WorkerModelRunner> {
    const worker = new Worker(new URL("./model-worker-entry.mjs", import.meta.url), { workerData: init });
    const config = await new Promise<ModelConfig>((resolve, reject) => {
      const onMessage = (msg: WorkerReply) => {
        if (msg.kind === "ready") resolve(msg.config);
        else if (msg.kind === "init-error") {
          reject(new MiniserveError("MSV_ERR_MODEL_FILE", msg.message));
        }
      };
      worker.once("message", onMessage);
      worker.once("error", reject);
    });
    return new WorkerModelRunner(worker, config);
  }

  private call(request: WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never): Promise<Float32Array> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  prefill(rows: readonly PrefillRow[]): Promise<Float32Array> {
    return this.call({ kind: "prefill", rows });
  }

  decode(rows: readonly DecodeRow[]): Promise<Float32Array> {
    return this.call({ kind: "decode", rows });
  }

  async close(): Promise<void> {
    if (!this.dead) await this.call({ kind: "close" }).catch(() => undefined);
    await this.worker.terminate();
  }
}
