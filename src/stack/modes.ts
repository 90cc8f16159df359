// The two ways the stack runs: decides between Docker (a daemon answers) and native Prometheus
// from PATH, names the command that installs what is missing, and drives docker compose. Lab 00.
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync } from "node:fs";
import { delimiter, join } from "node:path";
import { MiniserveError } from "../errors/codes.ts";
import { COMPOSE_FILE } from "./paths.ts";

export type StackMode = "docker" | "native";

/** Full path of an executable found on the given PATH, or null. */
export function findOnPath(name: string, pathEnv: string | undefined = process.env.PATH): string | null {
  const exts = process.platform === "win32" ? [".exe", ".cmd", ""] : [""];
  for (const dir of (pathEnv ?? "").split(delimiter)) {
    if (!dir) continue;
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here; keep looking
      }
    }
  }
  return null;
}

/** True when `docker info` reaches a daemon within a few seconds (a client alone is not enough). */
export function dockerAnswers(env: NodeJS.ProcessEnv = process.env): boolean {
  const docker = findOnPath("docker", env.PATH);
  if (!docker) return false;
  const res = spawnSync(docker, ["info", "--format", "{{.ServerVersion}}"], { env, timeout: 8000, stdio: "ignore" });
  return res.status === 0;
}

/** True when the Docker Compose v2 plugin is installed (`docker compose version`). */
export function composeAvailable(env: NodeJS.ProcessEnv = process.env): boolean {
  const docker = findOnPath("docker", env.PATH);
  if (!docker) return false;
  return spawnSync(docker, ["compose", "version"], { env, timeout: 8000, stdio: "ignore" }).status === 0;
}

/** The one command that installs Prometheus (and promtool) on this platform. */
export function prometheusInstallHint(
  platform: NodeJS.Platform = process.platform,
  debianLike: boolean = existsSync("/etc/debian_version"),
): string {
  if (platform === "darwin") return "brew install prometheus";
  if (platform === "linux" && debianLike) return "sudo apt-get install prometheus";
  return "download Prometheus from https://prometheus.io/download/ and put its `prometheus` binary on PATH";
}

export interface ModeChoice {
  readonly mode: StackMode;
  /** Why this mode, in one line, for the CLI to print. */
  readonly reason: string;
  /** The prometheus binary native mode would run, or null when it is not installed. */
  readonly prometheusBinary: string | null;
}

/** Applies the rule "Docker when the daemon answers, otherwise native", unless a mode is forced. */
export function chooseMode(requested: StackMode | "auto", env: NodeJS.ProcessEnv = process.env): ModeChoice {
  const prometheusBinary = findOnPath("prometheus", env.PATH);
  const native = prometheusBinary ? `native Prometheus at ${prometheusBinary}` : "prometheus is not on PATH";
  if (requested === "native") return { mode: "native", reason: `native mode requested; ${native}`, prometheusBinary };
  if (requested === "docker") return { mode: "docker", reason: "docker mode requested", prometheusBinary };
  if (dockerAnswers(env)) return { mode: "docker", reason: "a Docker daemon answers `docker info`", prometheusBinary };
  return { mode: "native", reason: `no Docker daemon answers \`docker info\`; ${native}`, prometheusBinary };
}

// ---- the Docker path: infra/docker-compose.yml ----

export type ComponentName = "prometheus" | "grafana" | "tempo";

/** Host ports docker-compose.yml publishes, and the endpoint that says "ready" for each. */
export const DOCKER_ENDPOINTS: Readonly<Record<ComponentName, { port: number; readyPath: string }>> = {
  prometheus: { port: 9090, readyPath: "/-/ready" },
  grafana: { port: 3000, readyPath: "/api/health" },
  tempo: { port: 3200, readyPath: "/ready" },
};

/** Extra host ports the compose file publishes: OTLP gRPC and HTTP for miniserve's traces. */
export const OTLP_PORTS = { grpc: 4317, http: 4318 } as const;

export function dockerReadyUrl(name: ComponentName): string {
  const { port, readyPath } = DOCKER_ENDPOINTS[name];
  return `http://127.0.0.1:${port}${readyPath}`;
}

function compose(args: readonly string[], env: NodeJS.ProcessEnv): void {
  const docker = findOnPath("docker", env.PATH);
  if (!docker || !composeAvailable(env)) {
    throw new MiniserveError(
      "MSV_ERR_STACK_DOCKER",
      "the Docker Compose plugin is missing (`docker compose version` fails): install docker-compose-plugin, or use --mode native",
    );
  }
  // Inherit stdio so image pulls and container errors show up as they happen.
  const res = spawnSync(docker, ["compose", "-f", COMPOSE_FILE, ...args], { env, stdio: "inherit" });
  if (res.status !== 0) {
    throw new MiniserveError("MSV_ERR_STACK_DOCKER", `docker compose ${args.join(" ")} failed (exit ${res.status ?? res.signal})`);
  }
}

export function dockerUp(env: NodeJS.ProcessEnv = process.env): void {
  compose(["up", "-d"], env);
}

export function dockerDown(env: NodeJS.ProcessEnv = process.env): void {
  compose(["down"], env);
}
