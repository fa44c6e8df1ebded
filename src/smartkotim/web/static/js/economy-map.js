// Economy choropleth: draws /api/economy/map (GeoJSON + legend + market points) with Plotly scatter
// traces filled "toself" (no tiles, works offline on schematic tiles and imported boundaries).
// Every element with class "economy-map" is a map; its data-api-url is the JSON twin to draw.
// Hover shows name, value and class; a click opens the area's economy page (drill-down).
// After drawing: data-rendered="true", data-rendered-codes (space-separated), for browser tests.
(function () {
  "use strict";

  var PALETTE = ["#edf8e9", "#bae4b3", "#74c476", "#31a354", "#006d2c", "#00441b", "#002a11", "#001a0a", "#000f06"];
  var NO_DATA = "#d9d9d9";

  function rings(geometry) {
    if (!geometry) { return []; }
    if (geometry.type === "Polygon") { return [geometry.coordinates[0]]; }
    if (geometry.type === "MultiPolygon") { return geometry.coordinates.map(function (p) { return p[0]; }); }
    return [];
  }

  function colour(cls, classes) {
    if (cls < 0) { return NO_DATA; }
    if (classes <= 1) { return PALETTE[3]; }
    var step = Math.floor(cls * (Math.min(classes, PALETTE.length) - 1) / (classes - 1));
    return PALETTE[Math.min(step + (classes <= 5 ? 0 : 0), PALETTE.length - 1)];
  }

  var LOCALE = "id-ID";

  function parsed(el, name) {
    try { return JSON.parse(el.dataset[name] || "{}"); } catch (e) { return {}; }
  }

  function fmt(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    var text = Number(value).toLocaleString(LOCALE, { maximumFractionDigits: 1 });
    return unit === "Rp" ? "Rp" + text : text + (unit && unit.length < 4 ? " " + unit : "");
  }

  function polygonTrace(feature, classes, unit, noDataText, classLabels) {
    var p = feature.properties;
    var xs = [], ys = [];
    rings(feature.geometry).forEach(function (ring, i) {
      if (i > 0) { xs.push(null); ys.push(null); }
      ring.forEach(function (pt) { xs.push(pt[0]); ys.push(pt[1]); });
    });
    var text = p.name + " (" + p.code + ")<br>" + (p.value === null ? noDataText : fmt(p.value, unit)) +
      (p.area_class ? "<br>" + (classLabels[p.area_class] || p.area_class) : "");
    return {
      type: "scatter", mode: "lines", x: xs, y: ys, fill: "toself", fillcolor: colour(p.class_index, classes),
      line: { color: "#35524a", width: 0.8 }, hoveron: "fills+points", hoverinfo: "text", text: text,
      name: p.name, showlegend: false
    };
  }

  function centre(feature) {
    var xs = [], ys = [];
    rings(feature.geometry).forEach(function (r) { r.forEach(function (pt) { xs.push(pt[0]); ys.push(pt[1]); }); });
    var mid = function (v) { return (Math.min.apply(null, v) + Math.max.apply(null, v)) / 2; };
    return [mid(xs), mid(ys)];
  }

  function marketTrace(data, byCode, trxText) {
    var xs = [], ys = [], sizes = [], texts = [], urls = [];
    var max = Math.max.apply(null, [1].concat(data.markets.map(function (m) { return m.transactions; })));
    data.markets.forEach(function (m) {
      var at = [m.lon, m.lat];
      if (data.schematic) {  // schematic tiles: put the market at the centre of its area's tile
        var f = byCode[m.desa_code] || byCode[(m.desa_code || "").slice(0, 8)];
        if (!f) { return; }
        at = centre(f);
      }
      xs.push(at[0]); ys.push(at[1]);
      // smaller on the schematic tiles (about 30 px wide), so the tile itself stays easy to click
      sizes.push(6 + (data.schematic ? 10 : 24) * Math.sqrt(m.transactions / max));
      texts.push(m.name + "<br>" + fmt(m.transactions, "") + " " + (trxText || "trx") + " · " + fmt(m.value, "Rp"));
      urls.push("/ekonomi/wilayah/" + encodeURIComponent(m.code) + "?period=" + encodeURIComponent(data.period_id));
    });
    return {
      type: "scatter", mode: "markers", x: xs, y: ys, text: texts, hoverinfo: "text", customdata: urls,
      marker: { size: sizes, color: "rgba(214, 96, 39, 0.75)", line: { color: "#7a2e0e", width: 1 } },
      showlegend: false
    };
  }

  function swatchItem(colourValue, text) {
    var li = document.createElement("li");
    var sw = document.createElement("span");
    sw.className = "swatch";
    sw.style.backgroundColor = colourValue;
    li.appendChild(sw);
    li.appendChild(document.createTextNode(text));
    return li;
  }

  // The API writes class labels with Indonesian separators ("1.234,5 – 6.789"); on an English page
  // every number is rewritten in the page's locale ("1,234.5 – 6,789").
  function localLabel(label) {
    var lang = document.documentElement.lang || "id";
    if (lang === "id") { return label; }
    return label.replace(/\d[\d.]*(,\d+)?/g, function (token) {
      var value = parseFloat(token.replace(/\./g, "").replace(",", "."));
      if (isNaN(value)) { return token; }
      var digits = Math.abs(value) < 1000 ? 1 : 0;
      return value.toLocaleString(lang, { minimumFractionDigits: digits, maximumFractionDigits: digits });
    });
  }

  function legend(el, data) {
    var box = document.getElementById(el.dataset.legendId);
    if (!box) { return; }
    var classes = data.legend.labels.length;
    var metricLabels = parsed(el, "metricLabels"), unitLabels = parsed(el, "unitLabels");
    var title = document.createElement("strong");
    title.textContent = (metricLabels[data.metric] || data.metric_label) + " (" +
      (unitLabels[data.metric] || data.unit) + ")" +
      (data.schematic ? " · " + (el.dataset.schematicText || "schematic") : "");
    var list = document.createElement("ul");
    list.className = "legend";
    data.legend.labels.forEach(function (label, i) {
      list.appendChild(swatchItem(colour(i, classes), localLabel(label)));
    });
    list.appendChild(swatchItem(NO_DATA, el.dataset.noDataText || "no data"));
    box.replaceChildren(title, list);
    if (data.legend.note) {
      var note = document.createElement("span");
      note.className = "legend-note";
      note.textContent = data.legend.note;
      box.appendChild(note);
    }
  }

  function draw(el, data) {
    var classes = data.legend.labels.length;
    var byCode = {};
    data.features.forEach(function (f) { byCode[f.properties.code] = f; });
    var traces = data.features.map(function (f) {
      return polygonTrace(f, classes, data.unit, el.dataset.noDataText || "no data", parsed(el, "classLabels"));
    });
    var markets = marketTrace(data, byCode, el.dataset.marketsText);
    traces.push(markets);
    var axis = { visible: false, showgrid: false, zeroline: false };
    var layout = {
      // hoverdistance 2: a market point takes the hover (and the click) only under the cursor, not
      // from 20 px away, which on small areas covered most of their polygon
      margin: { l: 4, r: 4, t: 4, b: 4 }, hovermode: "closest", hoverdistance: 2, dragmode: "pan",
      xaxis: axis, yaxis: Object.assign({ scaleanchor: "x", scaleratio: 1 }, axis),
      paper_bgcolor: "#fff", plot_bgcolor: "#fff"
    };
    window.Plotly.newPlot(el, traces, layout, { displaylogo: false, responsive: true }).then(function () {
      var hovered = null;
      var target = function (ev) {
        var pt = ev && ev.points && ev.points[0];
        if (!pt) { return null; }
        if (pt.curveNumber === traces.length - 1) { return pt.customdata; }
        var f = data.features[pt.curveNumber];
        return f ? f.properties.economy_url : null;
      };
      el.on("plotly_hover", function (ev) { hovered = target(ev); });
      el.on("plotly_unhover", function () { hovered = null; });
      el.on("plotly_click", function (ev) { var t = target(ev); if (t) { window.location.href = t; } });
      el.addEventListener("click", function () { if (hovered) { window.location.href = hovered; } });
      el.dataset.renderedCodes = data.features.map(function (f) { return f.properties.code; }).join(" ");
      el.dataset.rendered = "true";
    });
    legend(el, data);
  }

  function load(el) {
    fetch(el.dataset.apiUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (r.ok) { return r.json(); }
        return r.json().catch(function () { return {}; }).then(function (body) {
          throw new Error(typeof body.detail === "string" ? body.detail : String(r.status));
        });
      })
      .then(function (data) { draw(el, data); })
      .catch(function (err) {
        var p = document.createElement("p");
        p.className = "alert error";
        p.textContent = (el.dataset.errorText || "Map unavailable") + (err && err.message ? " " + err.message : "");
        el.replaceChildren(p);
        el.dataset.rendered = "error";
      });
  }

  function init() {
    if (!window.Plotly) { return; }
    if (document.documentElement.lang === "en") { LOCALE = "en-GB"; }
    Array.prototype.forEach.call(document.querySelectorAll(".economy-map"), load);
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
}());
