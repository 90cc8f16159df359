// The HTTP thread's handle on the engine core in the model worker: sends requests and aborts,
// receives each scheduler iteration's events. A worker that dies is reported, never left hanging.
import { Worker } from "node:worker_threads";
import { MiniserveError } from "../errors/codes.ts";
import type { CoreCounts, CoreEvent, CoreInit, CoreRequest, FromCore, ToCore } from "./core-protocol.ts";
import type { FinishReason } from "./lifecycle-events.ts";
import type { ModelConfig } from "./model-config.ts";

export class CoreClient {
  private onEvents: (events: readonly CoreEvent[], counts: CoreCounts) => void = () => {};
  private onFailure: (err: Error) => void = () => {};
  private closed: Promise<void> | null = null;
  failed: Error | null = null;

  private constructor(private readonly worker: Worker, readonly config: ModelConfig) {
    worker.on("message", (msg: FromCore) => {
      if (msg.kind === "update") this.onEvents(msg.events, msg.counts);
    });
    const fail = (err: Error): void => {
      if (this.failed !== null || this.closed !== null) return;
      this.failed = err;
      this.onFailure(err);
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the model worker exited with code ${code}`)));
  }

  /** Start the worker (model load included) and wait until it is ready. */
  static async start(init: CoreInit): Promise<CoreClient> {
    const worker = new Worker(new URL("./model-worker-entry.mjs", import.meta.url), { workerData: init });
    const config = await new Promise<ModelConfig>((resolve, reject) => {
      worker.once("message", (msg: FromCore) => {
        if (msg.kind === "ready") resolve(msg.config);
        else if (msg.kind === "init-error") reject(new MiniserveError(msg.code, msg.message));
      });
      worker.once("error", reject);
    });
    return new CoreClient(worker, config);
  }

  /** Where each iteration's events go, and what to do if the worker dies. */
  attach(onEvents: (events: readonly CoreEvent[], counts: CoreCounts) => void, onFailure: (err: Error) => void): void {
    this.onEvents = onEvents;
    this.onFailure = onFailure;
  }

  private send(msg: ToCore): void {
    if (this.failed === null && this.closed === null) this.worker.postMessage(msg);
  }

  add(request: CoreRequest): void {
    this.send({ kind: "add", request });
  }

  abort(id: string, finishReason: FinishReason, reason: string): void {
    this.send({ kind: "abort", id, finishReason, reason });
  }

  /** Release the model and stop the worker. */
  close(): Promise<void> {
    this.closed ??= (async () => {
      if (this.failed === null) {
        const done = new Promise<void>((resolve) => {
          const onMessage = (msg: FromCore) => {
            if (msg.kind === "closed") resolve();
          };
          this.worker.on("message", onMessage);
          this.worker.once("exit", () => resolve());
        });
        this.worker.postMessage({ kind: "close" } satisfies ToCore);
        await Promise.race([done, new Promise((r) => setTimeout(r, 2000).unref())]);
      }
      await this.worker.terminate();
    })();
    return this.closed;
  }
}
