// Dashboard charts: every element with data-chart="ID" is drawn with ECharts
// (SVG renderer) from the JSON in <script type="application/json" id="ID">.
// The JSON shape is dashboard.Chart (web/pages/dashboard/charts.go). The
// same numbers are in a table beside each chart, so nothing depends on this.
(function () {
  "use strict";
  var palette = ["#c62828", "#1e88e5", "#43a047", "#fb8c00", "#8e24aa", "#00897b", "#6d4c41", "#546e7a", "#f4511e", "#3949ab", "#7cb342", "#d81b60"];

  function fmt(v, unit) {
    var s = Number(v).toLocaleString("zh-CN");
    return unit === "%" ? s + "%" : s + (unit ? " " + unit : "");
  }

  function option(c) {
    var base = { color: palette, animation: false, tooltip: {}, textStyle: { fontFamily: "inherit" } };
    var legend = { top: 0, data: c.series.map(function (s) { return s.name; }) };
    if (c.type === "hbar") {
      return Object.assign(base, {
        legend: legend,
        tooltip: { trigger: "axis", valueFormatter: function (v) { return fmt(v, c.unit); } },
        grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
        xAxis: { type: "value", max: c.max || null, axisLabel: { formatter: c.unit === "%" ? "{value}%" : "{value}" } },
        yAxis: { type: "category", data: c.categories, inverse: true },
        series: c.series.map(function (s) { return { name: s.name, type: "bar", data: s.data }; })
      });
    }
    if (c.type === "line") {
      return Object.assign(base, {
        legend: legend,
        tooltip: { trigger: "axis" },
        grid: { left: 8, right: 8, top: 40, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: c.categories },
        yAxis: [
          { type: "value", name: c.series[0] ? c.series[0].unit : "", minInterval: 1 },
          { type: "value", name: c.series[1] ? c.series[1].unit : "", splitLine: { show: false } }
        ],
        series: c.series.map(function (s) {
          return { name: s.name, type: s.axis ? "line" : "bar", yAxisIndex: s.axis || 0, data: s.data,
            tooltip: { valueFormatter: function (v) { return fmt(v, s.unit); } } };
        })
      });
    }
    if (c.type === "pie") {
      return Object.assign(base, {
        tooltip: { trigger: "item", formatter: function (p) { return p.name + "：" + fmt(p.value, c.unit) + "（" + p.percent + "%）"; } },
        series: [{ name: c.series[0].name, type: "pie", radius: ["35%", "65%"], avoidLabelOverlap: true,
          label: { formatter: "{b} {d}%" },
          data: c.categories.map(function (name, i) { return { name: name, value: c.series[0].data[i] }; }) }]
      });
    }
    // "stack": one bar split into parts, towards a goal (max).
    return Object.assign(base, {
      legend: legend,
      tooltip: { trigger: "item", formatter: function (p) { return p.seriesName + "：" + fmt(p.value, c.unit); } },
      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: "value", max: c.max || null, minInterval: 1 },
      yAxis: { type: "category", data: c.categories },
      series: c.series.map(function (s, i) {
        return { name: s.name, type: "bar", stack: "all", data: s.data, barWidth: 36,
          itemStyle: { color: ["#43a047", "#fb8c00", "#bdbdbd"][i] },
          label: { show: true, formatter: function (p) { return p.value > 0 ? fmt(p.value, c.unit) : ""; } } };
      })
    });
  }

  function draw() {
    if (typeof echarts === "undefined") { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var src = document.getElementById(el.getAttribute("data-chart"));
      if (!src) { return; }
      var c = JSON.parse(src.textContent);
      if (c.type === "hbar") {
        el.style.height = Math.max(220, 40 + c.categories.length * 26 * c.series.length) + "px";
      } else if (c.type === "stack") {
        el.style.height = "140px";
      }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option(c));
      el.setAttribute("data-drawn", "true");
      charts.push(chart);
    });
    var resize = function () { charts.forEach(function (c) { c.resize(); }); };
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
