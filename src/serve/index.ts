// Public surface of src/serve: miniserve with observability attached, as `npm run serve` starts it.
export { startObservedMiniserve } from "./observed-server.ts";
export type { ObservedMiniserve } from "./observed-server.ts";
