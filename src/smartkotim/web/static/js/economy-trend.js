// Economy trend charts: fetches an area's history (/api/economy/areas/{level}/{code}/history) and draws
// transactions, value and adoption over time with Plotly. Element: #economy-trend with data-api-url.
(function () {
  "use strict";

  var MONTHS = {
    id: ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    en: ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
  };

  // "2024-10" -> "Okt 2024" (id) / "Oct 2024" (en); other period ids are shown as they are
  function periodLabel(id, lang) {
    var m = /^(\d{4})-(\d{2})$/.exec(id);
    if (!m) { return id; }
    return (MONTHS[lang] || MONTHS.id)[Number(m[2]) - 1] + " " + m[1];
  }

  function draw(el, rows) {
    var lang = el.dataset.lang === "en" ? "en" : "id";
    var x = rows.map(function (r) { return periodLabel(r.period_id, lang); });
    var traces = [
      { type: "bar", name: el.dataset.labelTransactions || "transactions", x: x,
        y: rows.map(function (r) { return r.transactions; }), marker: { color: "#74c476" } },
      { type: "scatter", mode: "lines+markers", name: el.dataset.labelAdoption || "adoption %", x: x,
        y: rows.map(function (r) { return r.adoption_rate; }), yaxis: "y2", line: { color: "#d66027" } }
    ];
    var layout = {
      margin: { l: 50, r: 50, t: 10, b: 40 }, legend: { orientation: "h" },
      separators: lang === "en" ? ".," : ",.",  // decimal mark, then thousands separator
      xaxis: { type: "category" },
      yaxis: { rangemode: "tozero" },
      yaxis2: { overlaying: "y", side: "right", range: [0, 100], ticksuffix: " %" }
    };
    window.Plotly.newPlot(el, traces, layout, { displaylogo: false, responsive: true }).then(function () {
      el.dataset.rendered = "true";
    });
  }

  function init() {
    var el = document.getElementById("economy-trend");
    if (!el || !window.Plotly) { return; }
    fetch(el.dataset.apiUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (rows) { draw(el, rows); })
      .catch(function () { el.dataset.rendered = "error"; });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
