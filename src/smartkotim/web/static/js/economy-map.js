// Economy choropleth: draws /api/economy/map (GeoJSON + legend + market points) with Plotly scatter
// traces filled "toself" (no tiles, works offline on schematic tiles and imported boundaries).
// Every element with class "economy-map" is a map; its data-api-url is the JSON twin to draw.
// Hover shows name, value and class; a click opens the area's economy page (drill-down). On a touch
// screen a tap does the same (handled here, not left to Plotly: touch has no hover; see watchTaps).
// Kecamatan maps carry the kecamatan names (desa maps do not: 185 names would cover the map).
// After drawing: data-rendered="true", data-rendered-codes (space-separated) and data-labelled-codes
// (the areas whose name is drawn), for browser tests.
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
  // Phones: no mode bar (it covers the top of a small map and its buttons are too small for a finger).
  var NARROW = "(max-width: 600px)";
  // A device whose main pointer is a finger: the map does not pan, so a swipe scrolls the page.
  var TOUCH_FIRST = "(hover: none) and (pointer: coarse)";
  // px a finger may move between down and up and still be a tap: Chromium's own tap slop (15 px) when
  // the map does not pan, else less than the 8 px at which Plotly starts a pan
  var TAP_SLOP = 15, PAN_SLOP = 7;
  var TOUCH_ECHO_MS = 1000;  // mouse events and plotly_click this soon after a touch come from that touch

  function media(query) { return Boolean(window.matchMedia && window.matchMedia(query).matches); }

  function parsed(el, name) {
    try { return JSON.parse(el.dataset[name] || "{}"); } catch (e) { return {}; }
  }

  function fmt(value, unit) {
    if (value === null || value === undefined) { return "—"; }
    var text = Number(value).toLocaleString(LOCALE, { maximumFractionDigits: 1 });
    return unit === "Rp" ? "Rp" + text : text + (unit && unit.length < 4 ? " " + unit : "");
  }

  function polygonTrace(feature, classes, unit, noDataText, classLabels, estimateText) {
    var p = feature.properties;
    var xs = [], ys = [];
    rings(feature.geometry).forEach(function (ring, i) {
      if (i > 0) { xs.push(null); ys.push(null); }
      ring.forEach(function (pt) { xs.push(pt[0]); ys.push(pt[1]); });
    });
    // "≈ 1.234 (perkiraan)": unique payers of busy periods are HyperLogLog estimates (docs/metrics.md)
    var shown = p.value === null ? noDataText :
      (p.value_is_estimate ? "≈ " : "") + fmt(p.value, unit) + (p.value_is_estimate ? " (" + estimateText + ")" : "");
    var text = p.name + " (" + p.code + ")<br>" + shown +
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

  // Signed area and area centroid of a ring ([[x, y], ...]), by the shoelace formula.
  function ringCentroid(ring) {
    var a = 0, cx = 0, cy = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      var cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += cross;
      cx += (ring[j][0] + ring[i][0]) * cross;
      cy += (ring[j][1] + ring[i][1]) * cross;
    }
    if (a === 0) { return { area: 0, x: ring[0][0], y: ring[0][1] }; }
    return { area: a / 2, x: cx / (3 * a), y: cy / (3 * a) };
  }

  // x where the edges of ``ring`` cross the horizontal line at ``y``, sorted.
  function crossings(ring, y) {
    var xs = [];
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
      var p = ring[j], q = ring[i];
      if ((p[1] > y) !== (q[1] > y)) { xs.push(p[0] + (y - p[1]) * (q[0] - p[0]) / (q[1] - p[1])); }
    }
    return xs.sort(function (a, b) { return a - b; });
  }

  // Where a region's name goes: the centroid of its largest polygon when that lies inside it, else the
  // middle of the widest stretch of the polygon on the centroid's latitude (concave shapes).
  // Returns [x, y, that polygon's outer ring].
  function labelPoint(feature) {
    var best = null;
    rings(feature.geometry).forEach(function (ring) {
      if (ring.length < 3) { return; }
      var c = ringCentroid(ring);
      if (!best || Math.abs(c.area) > Math.abs(best.c.area)) { best = { ring: ring, c: c }; }
    });
    if (!best) { return null; }
    var xs = crossings(best.ring, best.c.y), widest = null;
    for (var k = 0; k + 1 < xs.length; k += 2) {
      if (best.c.x >= xs[k] && best.c.x <= xs[k + 1]) { return [best.c.x, best.c.y, best.ring]; }
      if (!widest || xs[k + 1] - xs[k] > widest[1] - widest[0]) { widest = [xs[k], xs[k + 1]]; }
    }
    return widest ? [(widest[0] + widest[1]) / 2, best.c.y, best.ring] : [best.c.x, best.c.y, best.ring];
  }

  function inside(ring, x, y) {
    return crossings(ring, y).filter(function (cx) { return cx < x; }).length % 2 === 1;
  }

  // "Mentawa Baru Ketapang" -> "MB Ketapang", "Mentaya Hulu" -> "M. Hulu"; short names stay whole.
  function shortName(name) {
    var words = String(name || "").split(/\s+/).filter(Boolean);
    if (words.length < 2 || words.join(" ").length <= 10) { return words.join(" "); }
    var initials = words.slice(0, -1).map(function (w) { return w.charAt(0).toUpperCase(); });
    return (initials.length === 1 ? initials[0] + "." : initials.join("")) + " " + words[words.length - 1];
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

  var LABEL_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif';
  var measurer = null;

  function textWidth(text, size) {
    if (!measurer) { measurer = document.createElement("canvas").getContext("2d"); }
    measurer.font = size + "px " + LABEL_FONT;
    return measurer.measureText(text).width;
  }

  // The names: text only, never hovered or clicked (hoverinfo "skip"), so a tap or a click on a name
  // reaches the region under it. Filled in by placeLabels once the plot's pixel size is known.
  function labelTrace(anchors) {
    var ext = extent(anchors);
    return {
      type: "scatter", mode: "text", x: [ext[0], ext[2]], y: [ext[1], ext[3]], text: ["", ""], hoverinfo: "skip",
      showlegend: false, textposition: "middle center",
      textfont: { family: LABEL_FONT, size: 11, color: "#10201b", shadow: "auto" }
    };
  }

  function labelAnchors(features) {
    var anchors = [];
    features.forEach(function (f) {
      var at = labelPoint(f);
      if (!at) { return; }
      var xs = [], ys = [];
      rings(f.geometry).forEach(function (r) { r.forEach(function (pt) { xs.push(pt[0]); ys.push(pt[1]); }); });
      var lo = function (v) { return Math.min.apply(null, v); }, hi = function (v) { return Math.max.apply(null, v); };
      var bounds = [lo(xs), lo(ys), hi(xs), hi(ys)];
      var name = String(f.properties.name || f.properties.code);
      anchors.push({ code: f.properties.code, names: [name, shortName(name)], x: at[0], y: at[1], ring: at[2],
        bounds: bounds, size: (bounds[2] - bounds[0]) * (bounds[3] - bounds[1]) });
    });
    // biggest regions first (on the schematic map all tiles are equal: register order)
    return anchors.sort(function (a, b) { return b.size - a.size; });
  }

  // The plot area in CSS px and data <-> pixel functions, from the axis ranges Plotly drew.
  function plotFrame(el) {
    var drag = el.querySelector(".nsewdrag");
    var xr = el.layout.xaxis && el.layout.xaxis.range, yr = el.layout.yaxis && el.layout.yaxis.range;
    if (!drag || !xr || !yr) { return null; }
    var box = drag.getBoundingClientRect();
    if (!box.width || !box.height) { return null; }
    var sx = box.width / (xr[1] - xr[0]), sy = box.height / (yr[1] - yr[0]);
    return { w: box.width, h: box.height,
      px: function (x) { return (x - xr[0]) * sx; }, py: function (y) { return (yr[1] - y) * sy; },
      x: function (px) { return xr[0] + px / sx; }, y: function (py) { return yr[1] - py / sy; } };
  }

  function overlaps(a, b) { return a.l < b.r && b.l < a.r && a.t < b.b && b.t < a.b; }

  // Where each name goes, biggest region first. Schematic tiles: inside the tile (only when the name
  // fits in it), right of it, left of it (full name, then short), above, below (short name); a first
  // round keeps names off the other tiles, a second places the rest anywhere else. Real boundaries: at
  // the label point or a line above or below it, the full name if it fits inside the polygon, else the
  // short one (which may then spill over the border, its middle still inside). A name never overlaps
  // another name or a market point, nor leaves the plot; a name that fits nowhere is left out (hover
  // and tap still work there).
  // Each name is anchored on its region's label point or tile edge and set beside the anchor by
  // textposition; anchors stay inside the regions' extent, so placing names never changes the axis
  // ranges (which would move everything placed).
  function placeLabels(el, anchors, markets, size, schematic) {
    var frame = plotFrame(el);
    if (!frame) { return null; }
    var th = Math.round(size * 1.25), gap = "\u00a0";
    var taken = markets.x.map(function (x, i) {
      var r = markets.marker.size[i] / 2 + 1, cx = frame.px(x), cy = frame.py(markets.y[i]);
      return { l: cx - r, r: cx + r, t: cy - r, b: cy + r };
    });
    var boxes = anchors.map(function (a) {
      return { l: frame.px(a.bounds[0]), r: frame.px(a.bounds[2]), t: frame.py(a.bounds[3]), b: frame.py(a.bounds[1]) };
    });
    var within = function (ring, box) {
      return [[box.l, box.t], [box.r, box.t], [box.l, box.b], [box.r, box.b], [(box.l + box.r) / 2, box.t],
        [(box.l + box.r) / 2, box.b], [box.l, (box.t + box.b) / 2], [box.r, (box.t + box.b) / 2]].every(function (p) {
        return inside(ring, frame.x(p[0]), frame.y(p[1]));
      });
    };
    var chosen = {}, ext = extent(anchors);
    var place = function (a, i, strict) {
      var own = boxes[i], cx = frame.px(a.x), cy = frame.py(a.y), spots = [];
      var names = a.names[1] === a.names[0] ? [a.names[0]] : a.names, last = names[names.length - 1];
      var spot = function (text, x, y, position) {
        // the anchor stays inside the regions' extent (see above)
        x = frame.px(Math.min(Math.max(frame.x(x), ext[0]), ext[2]));
        y = frame.py(Math.min(Math.max(frame.y(y), ext[1]), ext[3]));
        var w = textWidth(text, size) + 2, h = position.split(" ")[0], v = position.split(" ")[1];
        var l = v === "left" ? x - w : v === "right" ? x : x - w / 2;
        var t = h === "top" ? y - th : h === "bottom" ? y : y - th / 2;
        spots.push({ text: text, x: x, y: y, position: position, box: { l: l, r: l + w, t: t, b: t + th } });
      };
      if (schematic) {
        names.forEach(function (text) {
          var fits = textWidth(text, size) + 6 <= own.r - own.l && th + 2 <= own.b - own.t;
          if (fits) { spot(text, cx, cy, "middle center"); }
        });
        names.forEach(function (text) { spot(gap + text, own.r, cy, "middle right"); });
        names.forEach(function (text) { spot(text + gap, own.l, cy, "middle left"); });
        spot(last, cx, own.t, "top center");
        spot(last, cx, own.b, "bottom center");
      } else {  // on the label point, else a line above or below it (clear of a market point there)
        var shifts = [0, -th, th];
        names.forEach(function (text) { shifts.forEach(function (dy) { spot(text, cx, cy + dy, "middle center"); }); });
        spots = spots.filter(function (s) { return within(a.ring, s.box); });
        shifts.forEach(function (dy) {  // the short name over the border, its middle still inside
          if (inside(a.ring, frame.x(cx), frame.y(cy + dy))) { spot(last, cx, cy + dy, "middle center"); }
        });
      }
      return spots.some(function (s) {
        var box = s.box;
        if (box.l < 0 || box.r > frame.w || box.t < 0 || box.b > frame.h) { return false; }
        if (taken.some(function (other) { return overlaps(box, other); })) { return false; }
        if (strict && boxes.some(function (tile, j) { return j !== i && overlaps(box, tile); })) { return false; }
        taken.push(box);
        chosen[a.code] = [frame.x(s.x), frame.y(s.y), s.text, s.position];
        return true;
      });
    };
    if (schematic) { anchors.forEach(function (a, i) { place(a, i, true); }); }
    anchors.forEach(function (a, i) { if (!chosen[a.code]) { place(a, i, false); } });
    // two empty points on the corners of the regions' extent: the trace always spans the same extent
    var out = { x: [ext[0], ext[2]], y: [ext[1], ext[3]], text: ["", ""],
      textposition: ["middle center", "middle center"], codes: [], size: size };
    anchors.forEach(function (a) {
      var c = chosen[a.code];
      if (!c) { return; }
      out.x.push(c[0]); out.y.push(c[1]); out.text.push(c[2]); out.textposition.push(c[3]); out.codes.push(a.code);
    });
    return out;
  }

  function extent(anchors) {
    return [0, 1, 2, 3].map(function (k) {
      var values = anchors.map(function (a) { return a.bounds[k]; });
      return k < 2 ? Math.min.apply(null, values) : Math.max.apply(null, values);
    });
  }

  // Touch: a tap (finger down and up at most TAP_SLOP px apart, not taken over by a page scroll, which
  // cancels the pointer) on the plot area calls onTap(clientX, clientY). onTouch is called on
  // every touch, so that the mouse events and plotly_click that follow a touch can be ignored.
  function watchTaps(el, onTouch, onTap) {
    var start = null;
    el.addEventListener("pointerdown", function (e) {
      if (e.pointerType !== "touch") { return; }
      onTouch();
      var onPlot = e.isPrimary && e.target && e.target.closest && e.target.closest(".nsewdrag");
      start = onPlot ? { id: e.pointerId, x: e.clientX, y: e.clientY } : null;
    }, true);
    el.addEventListener("pointercancel", function (e) {
      if (start && e.pointerId === start.id) { start = null; }
    }, true);
    el.addEventListener("pointerup", function (e) {
      if (e.pointerType !== "touch") { return; }
      onTouch();
      var s = start;
      start = null;
      if (!s || e.pointerId !== s.id) { return; }
      var slop = el.layout && el.layout.dragmode ? PAN_SLOP : TAP_SLOP;
      if (Math.abs(e.clientX - s.x) > slop || Math.abs(e.clientY - s.y) > slop) { return; }
      var x = e.clientX, y = e.clientY;
      // after the touchend that follows: Plotly ignores hover while its touch drag is in progress
      window.setTimeout(function () { onTap(x, y); }, 0);
    }, true);
  }

  function draw(el, data) {
    var classes = data.legend.labels.length;
    var byCode = {};
    data.features.forEach(function (f) { byCode[f.properties.code] = f; });
    // traces: the polygons (in feature order), the names (kecamatan maps only), the market points
    var traces = data.features.map(function (f) {
      return polygonTrace(f, classes, data.unit, el.dataset.noDataText || "no data", parsed(el, "classLabels"),
        el.dataset.estimateText || "estimate");
    });
    var anchors = data.level === "kecamatan" ? labelAnchors(data.features) : [];
    var labelIndex = anchors.length ? traces.push(labelTrace(anchors)) - 1 : -1;
    var markets = marketTrace(data, byCode, el.dataset.marketsText);
    var marketIndex = traces.push(markets) - 1;
    var axis = { visible: false, showgrid: false, zeroline: false };
    var layout = {
      // hoverdistance 2: a market point takes the hover (and the click) only under the cursor, not
      // from 20 px away, which on small areas covered most of their polygon.
      // dragmode: a mouse pans the map; where the main pointer is a finger, a swipe scrolls the page
      // (the map would otherwise trap it) and a tap opens the area (watchTaps).
      margin: { l: 4, r: 4, t: 4, b: 4 }, hovermode: "closest", hoverdistance: 2,
      dragmode: media(TOUCH_FIRST) ? false : "pan",
      xaxis: axis, yaxis: Object.assign({ scaleanchor: "x", scaleratio: 1 }, axis),
      paper_bgcolor: "#fff", plot_bgcolor: "#fff"
    };
    var config = { displaylogo: false, responsive: true, displayModeBar: media(NARROW) ? false : "hover" };
    var hovered = null, touchedAt = 0, labelKey = "";
    var target = function (ev) {
      var pt = ev && ev.points && ev.points[0];
      if (!pt) { return null; }
      if (pt.curveNumber === marketIndex) { return pt.customdata; }
      var f = pt.curveNumber < data.features.length ? data.features[pt.curveNumber] : null;
      return f ? f.properties.economy_url : null;
    };
    var open = function (url) { if (url) { window.location.href = url; } };
    var fromTouch = function () { return Date.now() - touchedAt < TOUCH_ECHO_MS; };
    var relabel = function () {
      var placed = labelIndex < 0 ? null : placeLabels(el, anchors, markets, media(NARROW) ? 10 : 11, data.schematic);
      if (!placed) { return Promise.resolve(); }
      el.dataset.labelledCodes = placed.codes.join(" ");
      var key = JSON.stringify(placed);
      if (key === labelKey) { return Promise.resolve(); }
      labelKey = key;
      return window.Plotly.restyle(el, { x: [placed.x], y: [placed.y], text: [placed.text],
        textposition: [placed.textposition], "textfont.size": placed.size }, [labelIndex]);
    };
    window.Plotly.newPlot(el, traces, layout, config).then(function () {
      el.on("plotly_hover", function (ev) { hovered = target(ev); });
      el.on("plotly_unhover", function () { hovered = null; });
      // mouse: Plotly's click, and the area last hovered as a fallback; a touch is handled by watchTaps
      el.on("plotly_click", function (ev) { if (!fromTouch()) { open(target(ev)); } });
      el.addEventListener("click", function () { if (hovered && !fromTouch()) { open(hovered); } });
      watchTaps(el, function () { touchedAt = Date.now(); }, function (x, y) {
        var drag = el.querySelector(".nsewdrag");
        if (!drag) { return; }
        // the lookup a mouse hover does (plotly_hover sets ``hovered``), so a tap and a click agree;
        // unhover first, else a second tap on the same area would not count as a new hover
        hovered = null;
        window.Plotly.Fx.unhover(el);
        window.Plotly.Fx.hover(el, { target: drag, clientX: x, clientY: y }, "xy");
        open(hovered);
      });
      el.on("plotly_relayout", function () { relabel(); });  // zoom, pan, new size
      el.dataset.renderedCodes = data.features.map(function (f) { return f.properties.code; }).join(" ");
      return relabel();
    }).then(function () { el.dataset.rendered = "true"; });
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
