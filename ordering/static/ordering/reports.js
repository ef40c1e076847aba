// Charts over the sales reports' tables (progressive enhancement: the tables are the report;
// without JavaScript or Chart.js nothing is missing but the pictures). Chart.js is served from
// our own static files (ordering/vendor/chartjs, MIT licence), never from a CDN.
(function () {
  "use strict";
  var source = document.getElementById("report-charts");
  if (!source || typeof window.Chart === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var colours = ["#b5301f", "#e0a526", "#2f6f4e", "#3a5a99", "#8a4f9e", "#d86b2b", "#5c8a8a", "#7a6a50"];
  document.querySelectorAll("[data-chart-for]").forEach(function (box) {
    var spec = charts[box.getAttribute("data-chart-for")];
    if (!spec) return;
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", box.parentNode.querySelector("h2").textContent);
    box.appendChild(canvas);
    box.hidden = false;
    var datasets = spec.datasets.map(function (set, i) {
      return {
        label: set.label,
        data: set.data,
        backgroundColor: colours[i % colours.length],
        borderColor: colours[i % colours.length],
        fill: false,
        tension: 0.2,
        pointRadius: spec.type === "line" ? 0 : 3,
      };
    });
    new window.Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets },
      options: {
        indexAxis: spec.horizontal ? "y" : "x",
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: !!spec.stacked }, y: { stacked: !!spec.stacked, beginAtZero: true } },
      },
    });
  });
})();
