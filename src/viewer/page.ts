// The viewer's one HTML page: header with range selector and tabs, a banner for an unreachable
// Prometheus, and the containers src/viewer/assets/viewer.js fills. Labs 01–02.

const esc = (s: unknown): string => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export interface PageOptions {
  readonly prometheusUrl: string;
  readonly traceDir: string;
  readonly refreshSeconds: number;
  readonly ranges: readonly number[];
}

export function viewerPage(o: PageOptions): string {
  const options = o.ranges.map((m, i) => `<option value="${m}"${i === 0 ? " selected" : ""}>last ${m} minutes</option>`).join("");
  const config = JSON.stringify({ refreshSeconds: o.refreshSeconds, prometheusUrl: o.prometheusUrl, traceDir: o.traceDir });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>miniserve viewer</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/assets/viewer.css"></head>
<body>
<header>
  <h1>lynx-cortex LLM serving</h1>
  <nav><a href="#dashboard" id="tab-dashboard">Dashboard</a><a href="#traces" id="tab-traces">Traces</a></nav>
  <label>Range <select id="range">${options}</select></label>
  <span id="status" class="muted">loading…</span>
</header>
<div id="banner" class="banner" hidden></div>
<main>
  <section id="dashboard-view"><p class="muted">Panels of infra/grafana/dashboards/llm.json, queried from ${esc(o.prometheusUrl)}; refreshed every ${o.refreshSeconds} s.</p><div id="rows"></div></section>
  <section id="traces-view" hidden>
    <p class="muted">Traces from the local span export in ${esc(o.traceDir)}, slowest first.
      <label>Status <select id="trace-status"><option value="all">all</option><option value="ok">ok</option><option value="error">error</option></select></label></p>
    <div id="trace-list"></div>
  </section>
  <section id="trace-view" hidden><p><a href="#traces">← all traces</a></p><div id="trace-detail"></div></section>
</main>
<script>window.VIEWER_CONFIG = ${config.replace(/</g, "\\u003c")};</script>
<script src="/assets/echarts.min.js"></script>
<script src="/assets/viewer.js"></script>
</body></html>`;
}
