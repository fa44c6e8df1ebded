// Bank mix chart of an economy region page: fetches the page's JSON twin (/api/economy/areas/{code})
// and draws each acquirer's share of transactions and of value as grouped horizontal bars (Plotly).
// Element: #economy-bankmix with data-api-url and the two trace labels.
(function () {
  "use strict";

  function draw(el, mix) {
    var banks = mix.map(function (b) { return b.name || b.acquirer; });
    var traces = [
      { type: "bar", orientation: "h", name: el.dataset.labelTransactions || "transactions %", y: banks,
        x: mix.map(function (b) { return b.transactions_share; }), marker: { color: "#31a354" } },
      { type: "bar", orientation: "h", name: el.dataset.labelValue || "value %", y: banks,
        x: mix.map(function (b) { return b.value_share; }), marker: { color: "#3182bd" } }
    ];
    var layout = {
      separators: el.dataset.lang === "en" ? ".," : ",.",
      barmode: "group", margin: { l: 160, r: 20, t: 10, b: 40 }, legend: { orientation: "h" },
      height: 120 + 50 * banks.length, xaxis: { range: [0, 100], ticksuffix: " %" },
      yaxis: { autorange: "reversed", automargin: true }
    };
    window.Plotly.newPlot(el, traces, layout, { displaylogo: false, responsive: true }).then(function () {
      el.dataset.rendered = "true";
    });
  }

  function init() {
    var el = document.getElementById("economy-bankmix");
    if (!el || !window.Plotly) { return; }
    fetch(el.dataset.apiUrl, { credentials: "same-origin" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (detail) { draw(el, detail.bank_mix || []); })
      .catch(function () { el.dataset.rendered = "error"; });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
