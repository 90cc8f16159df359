// Bootstraps the model worker thread: registers the TypeScript loader (tsx) in this thread, then
// loads model-worker.ts. A worker does not inherit its parent's loader hooks on Node 20.
import { register } from "tsx/esm/api";

register();
await import("./model-worker.ts");
