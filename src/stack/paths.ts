// Where the observability stack's files live in the repo: infra/ configs, the generated
// dashboard and the ignored .data/ folder for native runs. Used by the stack CLI and the dashboard build.
import { fileURLToPath } from "node:url";
import { join } from "node:path";

/** The repository root, two levels above this file (src/stack/). */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

export const INFRA_DIR = join(REPO_ROOT, "infra");
export const COMPOSE_FILE = join(INFRA_DIR, "docker-compose.yml");
/** The one Prometheus config both paths use; only the file_sd target files differ. */
export const PROMETHEUS_CONFIG = join(INFRA_DIR, "prometheus", "prometheus.yml");
export const PROMETHEUS_NATIVE_TARGETS = join(INFRA_DIR, "prometheus", "targets", "miniserve.json");
export const PROMETHEUS_DOCKER_TARGETS = join(INFRA_DIR, "prometheus", "targets-docker", "miniserve.json");
export const DATASOURCES_FILE = join(INFRA_DIR, "grafana", "provisioning", "datasources", "datasources.yml");
export const DASHBOARD_PROVIDER_FILE = join(INFRA_DIR, "grafana", "provisioning", "dashboards", "dashboards.yml");
export const TEMPO_CONFIG = join(INFRA_DIR, "tempo", "tempo.yml");
export const COLLECTOR_CONFIG = join(INFRA_DIR, "otel-collector", "config.yml");
/** The generated dashboard: Grafana provisions it, the built-in viewer reads it. */
export const DASHBOARD_FILE = join(INFRA_DIR, "grafana", "dashboards", "llm.json");

/** Ignored folder (see .gitignore) for everything a native run writes. */
export const DEFAULT_DATA_DIR = join(REPO_ROOT, ".data");

/** Files a native run keeps under its data dir. */
export function nativePaths(dataDir: string): { storage: string; pidFile: string; logFile: string } {
  return {
    storage: join(dataDir, "prometheus"),
    pidFile: join(dataDir, "prometheus.pid.json"),
    logFile: join(dataDir, "prometheus.log"),
  };
}
