// Public surface of the configuration module.
export { loadConfig, configHelp } from "./load-config.ts";
export type { Config } from "./load-config.ts";
