// Region map: draws the GeoJSON twin of a region page with Plotly (served locally, no tiles).
// Each region is one cartesian scatter trace with fill "toself" (its polygons separated by null
// gaps), so the map works offline. Hover shows name and code; a click opens the region's page.
// After drawing, #region-map gets data-rendered-codes (space-separated codes) and
// data-rendered="true" so that browser tests can see what was drawn.
(function () {
  "use strict";

  var FILL = ["#cfe8df", "#e6f2ee", "#b9ddd0", "#dcefe7", "#a7d3c3", "#eef7f3"];
  var SELECTED = "#f3c969";
  var SCHEMATIC = "#dfe7ea";

  function rings(geometry) {
    // Outer rings of a Polygon or MultiPolygon, as lists of [lon, lat].
    if (!geometry) { return []; }
    if (geometry.type === "Polygon") { return [geometry.coordinates[0]]; }
    if (geometry.type === "MultiPolygon") {
      return geometry.coordinates.map(function (polygon) { return polygon[0]; });
    }
    return [];
  }

  function trace(feature, index) {
    var p = feature.properties || {};
    var xs = [], ys = [];
    rings(feature.geometry).forEach(function (ring, i) {
      if (i > 0) { xs.push(null); ys.push(null); }
      ring.forEach(function (pt) { xs.push(pt[0]); ys.push(pt[1]); });
    });
    var label = p.name + " (" + p.code + ")";
    var color = p.selected ? SELECTED : (p.schematic ? SCHEMATIC : FILL[index % FILL.length]);
    return {
      type: "scatter", mode: "lines", x: xs, y: ys, fill: "toself", fillcolor: color,
      line: { color: "#0b6e4f", width: 1 }, hoveron: "fills+points", hoverinfo: "text",
      text: label, name: label, customdata: xs.map(function () { return p.code; }),
      showlegend: false
    };
  }

  function centre(feature) {
    var xs = [], ys = [];
    rings(feature.geometry).forEach(function (ring) {
      ring.forEach(function (pt) { xs.push(pt[0]); ys.push(pt[1]); });
    });
    var mid = function (v) { return (Math.min.apply(null, v) + Math.max.apply(null, v)) / 2; };
    return [mid(xs), mid(ys)];
  }

  function labels(features) {
    var xs = [], ys = [], texts = [];
    features.forEach(function (f) {
      var c = centre(f);
      xs.push(c[0]); ys.push(c[1]); texts.push(f.properties.name);
    });
    return {
      type: "scatter", mode: "text", x: xs, y: ys, text: texts, hoverinfo: "skip",
      textfont: { size: 10, color: "#1d2a2f" }, showlegend: false
    };
  }

  function draw(el, collection) {
    var features = collection.features || [];
    var traces = features.map(trace);
    if (collection.schematic || features.length <= 30) { traces.push(labels(features)); }
    var axis = { visible: false, showgrid: false, zeroline: false, fixedrange: false };
    var layout = {
      margin: { l: 5, r: 5, t: 5, b: 5 }, hovermode: "closest", dragmode: "pan",
      xaxis: axis, yaxis: Object.assign({ scaleanchor: "x", scaleratio: 1 }, axis),
      paper_bgcolor: "#fff", plot_bgcolor: "#fff"
    };
    var codes = features.map(function (f) { return f.properties.code; });
    window.Plotly.newPlot(el, traces, layout, { displaylogo: false, responsive: true }).then(function () {
      var hovered = null;
      var open = function (code) { if (code) { window.location.href = "/wilayah/" + encodeURIComponent(code); } };
      el.on("plotly_hover", function (ev) { hovered = codeOf(ev, features); });
      el.on("plotly_unhover", function () { hovered = null; });
      el.on("plotly_click", function (ev) { open(codeOf(ev, features)); });
      // Clicks on a polygon's fill do not always raise plotly_click: use the region under the pointer.
      el.addEventListener("click", function () { open(hovered); });
      el.dataset.renderedCodes = codes.join(" ");
      el.dataset.rendered = "true";
    });
  }

  function codeOf(ev, features) {
    var point = ev && ev.points && ev.points[0];
    if (!point) { return null; }
    var feature = features[point.curveNumber];
    return feature ? feature.properties.code : null;
  }

  function fail(el) {
    var p = document.createElement("p");
    p.className = "alert error";
    p.textContent = el.dataset.errorText || "Map unavailable";
    el.replaceChildren(p);
    el.dataset.rendered = "error";
  }

  function init() {
    var el = document.getElementById("region-map");
    if (!el || !window.Plotly) { return; }
    fetch(el.dataset.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (collection) { draw(el, collection); })
      .catch(function () { fail(el); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
