// Public surface of the stack module: start, stop and inspect Prometheus (native) or the
// Docker compose stack (Prometheus, Grafana, Tempo). `npm run stack` and later `npm start` use it.
export {
  DOCKER_ENDPOINTS, OTLP_PORTS, chooseMode, composeAvailable, dockerAnswers, dockerDown, dockerReadyUrl, dockerUp, findOnPath,
  prometheusInstallHint,
} from "./modes.ts";
export type { ComponentName, ModeChoice, StackMode } from "./modes.ts";
export { nativeDown, nativeUp, prometheusArgs, prometheusUrl, runningNative } from "./native.ts";
export type { NativeOptions, NativeRecord } from "./native.ts";
export {
  COMPOSE_FILE, DASHBOARD_FILE, DASHBOARD_PROVIDER_FILE, DATASOURCES_FILE, DEFAULT_DATA_DIR, INFRA_DIR, PROMETHEUS_CONFIG,
  PROMETHEUS_DOCKER_TARGETS, PROMETHEUS_NATIVE_TARGETS, REPO_ROOT, TEMPO_CONFIG, COLLECTOR_CONFIG, nativePaths,
} from "./paths.ts";
export { commandLineOf, freePort, portInUse, probe, waitReady } from "./probe.ts";
export { prometheusForLab, scrapesMiniserve } from "./lab-prometheus.ts";
export type { LabPrometheus, LabPrometheusOptions, ScrapeCheck } from "./lab-prometheus.ts";
export type { ProbeResult } from "./probe.ts";
export { DEFAULT_PROMETHEUS_PORT, formatStatus, stackCommand, stackDown, stackStatus, stackUp } from "./stack.ts";
export type { ComponentState, ComponentStatus, StackOptions, StackStatus } from "./stack.ts";
