// Browser side of the built-in viewer (served by src/viewer/server.ts): fetches the panels' ECharts
// options and the local traces as JSON, draws them with echarts.min.js and refreshes. Labs 01–02.
(function () {
  "use strict";
  var config = window.VIEWER_CONFIG;
  var charts = {};
  var timer = null;
  var $ = function (id) { return document.getElementById(id); };
  var esc = function (s) { return String(s).replace(/[&<>"']/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); };

  function getJson(url) {
    return fetch(url).then(function (res) {
      return res.json().then(function (body) {
        if (!res.ok) throw new Error(body.error || ("HTTP " + res.status));
        return body;
      });
    });
  }

  function chartIn(el, key, option) {
    var chart = charts[key];
    if (chart && chart.getDom() !== el) { chart.dispose(); chart = null; }
    // The SVG renderer: the page draws exactly what the PNG renderer writes.
    if (!chart) chart = charts[key] = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option, { notMerge: true });
    return chart;
  }

  function dropChart(key) {
    if (charts[key]) { charts[key].dispose(); delete charts[key]; }
  }

  function panelBox(panel) {
    var box = document.querySelector('[data-panel-id="' + panel.id + '"]');
    if (!box) {
      box = document.createElement("div");
      box.className = "panel";
      box.dataset.panelId = panel.id;
      box.style.gridColumn = (panel.gridPos.x + 1) + " / span " + panel.gridPos.w;
      box.style.height = (panel.gridPos.h * 30 - 6) + "px";
    }
    return box;
  }

  function drawPanel(panel, box) {
    box.dataset.state = panel.state;
    box.title = panel.description || "";
    if (panel.option) {
      var el = box.querySelector(".chart");
      if (!el) { box.innerHTML = '<div class="chart"></div>'; el = box.querySelector(".chart"); }
      chartIn(el, "panel-" + panel.id, panel.option);
      if (panel.state === "traces" && !box.querySelector(".more")) {
        var more = document.createElement("a");
        more.className = "more"; more.href = "#traces"; more.textContent = "all traces →";
        box.appendChild(more);
      }
      return;
    }
    dropChart("panel-" + panel.id);
    var why = panel.state === "no data" ? (panel.why ? "no data: " + panel.why : "no data") : "query failed: " + (panel.error || "unknown error");
    box.innerHTML = '<div class="empty"><h3>' + esc(panel.title) + '</h3><p class="message">' + esc(why) +
      "</p>" + panel.queries.map(function (q) { return "<code>" + esc(q) + "</code>"; }).join("") + "</div>";
  }

  function renderDashboard(data) {
    var banner = $("banner");
    if (data.prometheusError) { banner.textContent = data.prometheusError; banner.hidden = false; }
    else banner.hidden = true;
    var rows = $("rows");
    data.rows.forEach(function (row, i) {
      var section = rows.children[i];
      if (!section) {
        section = document.createElement("section");
        section.className = "row";
        section.innerHTML = "<h2></h2><div class=\"grid\"></div>";
        rows.appendChild(section);
      }
      section.querySelector("h2").textContent = row.title;
      var grid = section.querySelector(".grid");
      row.panels.forEach(function (panel) {
        var box = panelBox(panel);
        if (box.parentNode !== grid) grid.appendChild(box);
        drawPanel(panel, box);
      });
    });
    $("status").textContent = "updated " + new Date().toLocaleTimeString() + " · step " + data.stepSeconds + " s · scrape " + data.scrapeSeconds + " s";
  }

  function loadDashboard() {
    return getJson("/api/dashboard?minutes=" + $("range").value).then(renderDashboard, function (err) {
      $("banner").textContent = "The viewer itself did not answer: " + err.message;
      $("banner").hidden = false;
    });
  }

  function fmtCost(c) { return c === null || c === undefined ? "" : (c * 1e6).toPrecision(3) + " µ€"; }

  function loadTraces() {
    return getJson("/api/traces?limit=200&status=" + $("trace-status").value).then(function (data) {
      if (data.traces.length === 0) { $("trace-list").innerHTML = '<p class="message">no traces' + (data.status === "all" ? "" : " with status " + esc(data.status)) + " in " + esc(data.dir) + "</p>"; return; }
      $("trace-list").innerHTML = "<table id=\"trace-table\"><tr><th>trace</th><th>root span</th><th>start</th><th>duration</th><th>spans</th><th>status</th><th>cost</th></tr>" +
        data.traces.map(function (t) {
          return '<tr class="' + t.status + '" data-trace-id="' + t.traceId + '"><td><a href="#trace/' + t.traceId + '">' + t.traceId.slice(0, 16) + "…</a></td><td>" +
            esc(t.rootName) + "</td><td>" + new Date(t.startMs).toLocaleTimeString() + "</td><td>" + t.durationMs.toFixed(1) + " ms</td><td>" + t.spanCount +
            "</td><td>" + t.status + "</td><td>" + fmtCost(t.costEur) + "</td></tr>";
        }).join("") + "</table>";
    }, function (err) { $("trace-list").textContent = "could not read traces: " + err.message; });
  }

  function attrs(a) {
    return Object.keys(a).map(function (k) {
      var text = esc(k) + "=" + esc(JSON.stringify(a[k]));
      return k.indexOf("cost.") === 0 ? "<b>" + text + "</b>" : text;
    }).join("<br>");
  }

  function loadTrace(id) {
    return getJson("/api/traces/" + encodeURIComponent(id)).then(function (t) {
      $("trace-detail").innerHTML = '<p id="orphans">orphan spans in this trace: <b>' + t.orphanCount + "</b> · " + t.spans.length +
        " spans · " + t.durationMs.toFixed(2) + ' ms</p><div id="waterfall" style="height:' + (60 + 26 * t.spans.length) + 'px"></div>' +
        '<table id="span-table"><tr><th>span</th><th>start</th><th>duration</th><th>status</th><th>attributes and events</th></tr>' +
        t.spans.map(function (s) {
          var events = s.events.map(function (e) { return "event " + esc(e.name) + " at +" + (e.timeMs - t.startMs).toFixed(2) + " ms"; }).join("<br>");
          return '<tr class="' + (s.status.code === "error" ? "error" : "") + '" data-span="' + esc(s.name) + '"><td style="padding-left:' + (0.5 + s.depth) + 'rem">' +
            esc(s.name) + "</td><td>+" + s.offsetMs.toFixed(2) + " ms</td><td>" + s.durationMs.toFixed(2) + " ms</td><td>" + s.status.code +
            (s.status.message ? ": " + esc(s.status.message) : "") + '</td><td class="attrs">' + attrs(s.attributes) + (events ? "<br>" + events : "") + "</td></tr>";
        }).join("") + "</table>";
      chartIn($("waterfall"), "waterfall", t.option);
    }, function (err) { dropChart("waterfall"); $("trace-detail").innerHTML = '<p class="message">' + esc(err.message) + "</p>"; });
  }

  function route() {
    var hash = location.hash.replace(/^#/, "") || "dashboard";
    var view = hash.indexOf("trace/") === 0 ? "trace" : hash === "traces" ? "traces" : "dashboard";
    $("dashboard-view").hidden = view !== "dashboard";
    $("traces-view").hidden = view !== "traces";
    $("trace-view").hidden = view !== "trace";
    $("tab-dashboard").className = view === "dashboard" ? "active" : "";
    $("tab-traces").className = view !== "dashboard" ? "active" : "";
    var work = view === "dashboard" ? loadDashboard : view === "traces" ? loadTraces : function () { return loadTrace(hash.slice(6)); };
    clearInterval(timer);
    work().then(function () {
      Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    });
    // One trace does not change once written; lists and panels do.
    if (view !== "trace") timer = setInterval(work, config.refreshSeconds * 1000);
  }

  window.addEventListener("hashchange", route);
  window.addEventListener("resize", function () { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); });
  $("range").addEventListener("change", route);
  $("trace-status").addEventListener("change", route);
  route();
})();
