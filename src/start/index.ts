// Public surface of src/start, the `npm start` main job (lab 00). main-job.ts loads the server: import
// it (or this index) only after startTracing(), as src/cli/start.ts does.
export { streamDemo, warmUp } from "./demo.ts";
export { runMainJob } from "./main-job.ts";
export type { MainJob, MainJobOptions } from "./main-job.ts";
export { bringUpStack } from "./stack-part.ts";
export type { StackPart, StackPartOptions } from "./stack-part.ts";
export { START_USAGE, parseStartArgs } from "./start-args.ts";
export type { StartArgs } from "./start-args.ts";
export { startViewerChild } from "./viewer-child.ts";
export type { ViewerChild, ViewerChildOptions } from "./viewer-child.ts";
