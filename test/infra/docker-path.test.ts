// Static checks of the Docker path (no Docker engine runs on the build machine): promtool accepts
// the shared config, every file under infra/ parses, compose mounts exist, ports and uids agree, and
// the collector's tail-sampling policy is miniserve's own.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { DATASOURCES, EXEMPLAR_TRACE_ID_LABEL } from "../../src/dashboard/index.ts";
import { loadConfig } from "../../src/config/index.ts";
import { UNTRACED_PATHS } from "../../src/observability/sampling-policy.ts";
import { DOCKER_ENDPOINTS, OTLP_PORTS } from "../../src/stack/modes.ts";
import {
  COLLECTOR_CONFIG, COMPOSE_FILE, DASHBOARD_PROVIDER_FILE, DATASOURCES_FILE, INFRA_DIR, PROMETHEUS_CONFIG, PROMETHEUS_DOCKER_TARGETS,
  PROMETHEUS_NATIVE_TARGETS, TEMPO_CONFIG,
} from "../../src/stack/paths.ts";
import { requireTool } from "../helpers/require-tool.ts";

interface Service {
  image: string;
  command?: string[];
  volumes?: string[];
  ports?: string[];
  extra_hosts?: string[];
  environment?: Record<string, string>;
}
const compose = parse(readFileSync(COMPOSE_FILE, "utf8")) as { services: Record<string, Service> };
const service = (name: string): Service => {
  const s = compose.services[name];
  assert.ok(s, `service ${name} missing from docker-compose.yml`);
  return s;
};
const yaml = (file: string): any => parse(readFileSync(file, "utf8"));
/** Bind mounts of a service as [host path resolved from infra/, container path]. */
const mounts = (s: Service): [string, string][] =>
  (s.volumes ?? []).filter((v) => v.startsWith(".")).map((v) => {
    const [host, container] = v.split(":");
    return [resolve(INFRA_DIR, host as string), container as string];
  });
const hostPorts = (s: Service): number[] => (s.ports ?? []).map((p) => Number(p.split(":").at(-2)));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const promtool = requireTool("promtool");

test("promtool accepts the shared Prometheus config", { skip: promtool.skip }, () => {
  const res = spawnSync(promtool.path as string, ["check", "config", PROMETHEUS_CONFIG], { encoding: "utf8" });
  assert.equal(res.status, 0, res.stdout + res.stderr);
});

test("every YAML and JSON file under infra/ parses", () => {
  const files = filesUnder(INFRA_DIR);
  assert.ok(files.some((f) => f.endsWith(".yml")));
  for (const file of files) {
    if (/\.ya?ml$/.test(file)) {
      for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
        assert.deepEqual(doc.errors, [], `${relative(INFRA_DIR, file)} does not parse`);
      }
    } else if (file.endsWith(".json")) {
      assert.doesNotThrow(() => JSON.parse(readFileSync(file, "utf8")), relative(INFRA_DIR, file));
    }
  }
});

test("images are pinned to a version, never latest", () => {
  const expected = { prometheus: "prom/prometheus", grafana: "grafana/grafana", tempo: "grafana/tempo", "otel-collector": "otel/opentelemetry-collector-contrib" };
  for (const [name, repo] of Object.entries(expected)) {
    assert.match(service(name).image, new RegExp(`^${repo}:v?\\d+\\.\\d+\\.\\d+$`));
  }
});

test("the compose file mounts only files that exist, where the services read them", () => {
  for (const [name, s] of Object.entries(compose.services)) {
    for (const [host] of mounts(s)) assert.ok(existsSync(host), `${name} mounts missing ${relative(INFRA_DIR, host)}`);
  }
  const prom = mounts(service("prometheus"));
  assert.ok(prom.some(([h, c]) => h === PROMETHEUS_CONFIG && c === "/etc/prometheus/prometheus.yml"));
  // The config's relative glob targets/*.json resolves next to it, where the Docker target file is mounted.
  assert.ok(prom.some(([h, c]) => h === resolve(PROMETHEUS_DOCKER_TARGETS, "..") && c === "/etc/prometheus/targets"));
  assert.ok(service("prometheus").command?.includes("--config.file=/etc/prometheus/prometheus.yml"));
  const tempo = service("tempo");
  assert.ok(mounts(tempo).some(([h, c]) => h === TEMPO_CONFIG && tempo.command?.includes(`-config.file=${c}`)));
  const collector = service("otel-collector");
  assert.ok(mounts(collector).some(([h, c]) => h === COLLECTOR_CONFIG && collector.command?.includes(`--config=${c}`)));
  const grafana = mounts(service("grafana"));
  assert.ok(grafana.some(([h, c]) => h === resolve(DATASOURCES_FILE, "..") && c === "/etc/grafana/provisioning/datasources"));
  assert.ok(grafana.some(([h, c]) => h === resolve(DASHBOARD_PROVIDER_FILE, "..") && c === "/etc/grafana/provisioning/dashboards"));
  const dashboardsDir = yaml(DASHBOARD_PROVIDER_FILE).providers[0].options.path as string;
  assert.ok(grafana.some(([h, c]) => h === join(INFRA_DIR, "grafana", "dashboards") && c === dashboardsDir));
});

test("ports agree: Grafana 3000, Prometheus 9090, Tempo 3200, the collector's OTLP 4317 and 4318", () => {
  assert.deepEqual(hostPorts(service("grafana")), [3000]);
  assert.deepEqual(hostPorts(service("prometheus")), [9090]);
  assert.deepEqual(hostPorts(service("tempo")), [3200]);
  assert.deepEqual(hostPorts(service("otel-collector")).sort(), [4317, 4318]);
  assert.deepEqual([DOCKER_ENDPOINTS.grafana.port, DOCKER_ENDPOINTS.prometheus.port, DOCKER_ENDPOINTS.tempo.port], [3000, 9090, 3200]);
  assert.deepEqual(OTLP_PORTS, { grpc: 4317, http: 4318 });
  const tempo = yaml(TEMPO_CONFIG);
  assert.equal(tempo.server.http_listen_port, 3200);
  assert.equal(tempo.distributor.receivers.otlp.protocols.grpc.endpoint, "0.0.0.0:4317");
  assert.equal(tempo.distributor.receivers.otlp.protocols.http.endpoint, "0.0.0.0:4318");
  const ds = yaml(DATASOURCES_FILE).datasources as { uid: string; url: string }[];
  assert.equal(ds.find((d) => d.uid === "prometheus")?.url, "http://prometheus:9090");
  assert.equal(ds.find((d) => d.uid === "tempo")?.url, "http://tempo:3200");
});

test("Prometheus runs with exemplar storage and reaches the host as host.docker.internal", () => {
  const prom = service("prometheus");
  assert.ok(prom.command?.includes("--enable-feature=exemplar-storage"));
  assert.ok(prom.extra_hosts?.includes("host.docker.internal:host-gateway"));
});

test("one scrape job miniserve every 5 s; only the target file differs between the two paths", () => {
  const config = yaml(PROMETHEUS_CONFIG);
  assert.equal(config.scrape_configs.length, 1);
  const job = config.scrape_configs[0];
  assert.equal(job.job_name, "miniserve");
  assert.equal(job.scrape_interval, "5s");
  assert.deepEqual(job.file_sd_configs[0].files, ["targets/*.json"]);
  const targetsOf = (file: string): string[] => JSON.parse(readFileSync(file, "utf8")).flatMap((g: { targets: string[] }) => g.targets);
  assert.deepEqual(targetsOf(PROMETHEUS_NATIVE_TARGETS), ["127.0.0.1:8000"]);
  assert.deepEqual(targetsOf(PROMETHEUS_DOCKER_TARGETS), ["host.docker.internal:8000"]);
  const ds = (yaml(DATASOURCES_FILE).datasources as { uid: string; jsonData: { timeInterval?: string } }[])
    .find((d) => d.uid === "prometheus");
  assert.equal(ds?.jsonData.timeInterval, job.scrape_interval, "Grafana's $__rate_interval assumes the scrape interval");
});

test("Grafana: anonymous viewers, provisioned uids match the dashboard, exemplars link trace_id to Tempo", () => {
  const env = service("grafana").environment ?? {};
  assert.equal(env.GF_AUTH_ANONYMOUS_ENABLED, "true");
  assert.equal(env.GF_AUTH_ANONYMOUS_ORG_ROLE, "Viewer");
  const ds = yaml(DATASOURCES_FILE).datasources as { uid: string; type: string; jsonData?: any }[];
  assert.deepEqual(ds.map((d) => [d.type, d.uid]).sort(), Object.values(DATASOURCES).map((d) => [d.type, d.uid]).sort());
  const destinations = ds.find((d) => d.uid === DATASOURCES.prometheus.uid)?.jsonData.exemplarTraceIdDestinations;
  assert.deepEqual(destinations, [{ name: EXEMPLAR_TRACE_ID_LABEL, datasourceUid: DATASOURCES.tempo.uid }]);
  assert.equal(EXEMPLAR_TRACE_ID_LABEL, "trace_id");
});

test("the collector receives OTLP on 4317/4318 and forwards tail-sampled traces to Tempo inside the network", () => {
  const c = yaml(COLLECTOR_CONFIG);
  assert.equal(c.receivers.otlp.protocols.grpc.endpoint, "0.0.0.0:4317");
  assert.equal(c.receivers.otlp.protocols.http.endpoint, "0.0.0.0:4318");
  assert.deepEqual(c.service.pipelines.traces, { receivers: ["otlp"], processors: ["tail_sampling"], exporters: ["otlp/tempo"] });
  assert.equal(c.exporters["otlp/tempo"].endpoint, "tempo:4317");
});

test("the collector's tail-sampling policy is miniserve's native policy with its default settings", () => {
  const defaults = loadConfig({}, []);
  assert.equal(defaults.tracePolicy, "tail");
  const policies = yaml(COLLECTOR_CONFIG).processors.tail_sampling.policies as { name: string; type: string; [k: string]: any }[];
  const byType = (type: string) => policies.filter((p) => p.type === type);
  // drop: the paths miniserve never keeps
  const [drop] = byType("drop");
  const sub = drop?.drop.drop_sub_policy as { type: string; string_attribute: { key: string; values: string[] } }[];
  assert.deepEqual(sub.map((p) => [p.type, p.string_attribute.key]), [["string_attribute", "url.path"]]);
  assert.deepEqual([...sub[0]!.string_attribute.values].sort(), [...UNTRACED_PATHS].sort());
  // keep: errors, slow traces, the ratio (same hash, no salt of its own), and the sampled flag
  assert.deepEqual(byType("status_code").map((p) => p.status_code.status_codes), defaults.traceKeepErrors ? [["ERROR"]] : []);
  assert.deepEqual(byType("latency").map((p) => p.latency.threshold_ms), defaults.traceKeepSlowerThanMs > 0 ? [defaults.traceKeepSlowerThanMs] : []);
  const [ratio] = byType("probabilistic");
  assert.equal(ratio?.probabilistic.sampling_percentage, defaults.traceSamplerArg * 100);
  assert.equal(ratio?.probabilistic.hash_salt, undefined, "the default salt is the one src/observability/sampling-policy.ts hashes with");
  assert.equal(byType("trace_flags").length, 1);
  assert.deepEqual(policies.map((p) => p.type).sort(), ["drop", "latency", "probabilistic", "status_code", "trace_flags"]);
});
