// SmartKotim ingest pages: upload with a progress bar, live batch progress, profile preview.
(function () {
  "use strict";
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  function uploadForm(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var box = document.getElementById("upload-progress");
      var bar = document.getElementById("upload-bar");
      var pct = document.getElementById("upload-percent");
      var message = document.getElementById("upload-message");
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.dataset.api);
      xhr.setRequestHeader("X-CSRF-Token", token);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) {
          var p = Math.round((e.loaded / e.total) * 100);
          bar.value = p;
          pct.textContent = String(p);
        }
      });
      // a refusal (duplicate file 409, bad bank/profile 400 …) replaces the progress bar by its message
      function refuse(text, batchId) {
        box.hidden = true;
        message.hidden = false;
        message.textContent = text;
        if (batchId) {
          var link = document.createElement("a");
          link.href = "/ekonomi/batch/" + batchId;
          link.textContent = (message.dataset.linkLabel || "batch") + " " + batchId;
          message.appendChild(document.createTextNode(" — "));
          message.appendChild(link);
        }
      }
      xhr.addEventListener("load", function () {
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (err) { body = { detail: xhr.statusText }; }
        if (xhr.status === 202 && body.id) {
          window.location.href = "/ekonomi/batch/" + body.id;
          return;
        }
        var detail = typeof body.detail === "string" ? body.detail : (xhr.statusText || String(xhr.status));
        refuse(detail, body.batch_id);
      });
      xhr.addEventListener("error", function () { refuse(message.dataset.networkError || "error", null); });
      message.hidden = true;
      message.textContent = "";
      bar.value = 0;
      pct.textContent = "0";
      box.hidden = false;
      xhr.send(new FormData(form));
    });
  }

  var lang = document.documentElement.lang === "en" ? "en-US" : "id-ID";
  var numbers = new Intl.NumberFormat(lang, { maximumFractionDigits: 0 });

  function rupiah(value) {
    // as the server's ``rupiah`` filter: Rp120.000 (id), Rp120,000 (en), -Rp5.000
    return (value < 0 ? "-" : "") + "Rp" + numbers.format(Math.abs(value));
  }

  // counts are stored together with the status "committed"; before that they are not results
  function countsKnown(batch) {
    if (batch.status === "committed") { return Boolean(batch.committed_at); }
    return batch.status === "applied" || batch.status === "failed";
  }

  function showCounts(node, batch) {
    var known = countsKnown(batch);
    document.querySelectorAll("#batch-facts [data-count], #error-count").forEach(function (cell) {
      var value = batch[cell.dataset.count];
      cell.textContent = known && typeof value === "number" ? numbers.format(value) : node.dataset.pending;
    });
    var box = document.getElementById("value-accepted-box");
    if (box) {
      box.hidden = !known;
      document.getElementById("value-accepted").textContent = rupiah(batch.value_accepted || 0);
    }
  }

  function batchStatus(node) {
    var done = ["applied", "failed"];
    var labels = {};
    try { labels = JSON.parse(node.dataset.labels || "{}"); } catch (err) { labels = {}; }
    if (done.indexOf(node.dataset.status) >= 0) { return; }
    var timer = window.setInterval(function () {
      fetch(node.dataset.batchUrl, { headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (body) {
          var batch = body.batch || {};
          document.getElementById("batch-bar").value = batch.progress || 0;
          document.getElementById("batch-state").textContent = labels[batch.status] || batch.status;
          showCounts(node, batch);
          if (done.indexOf(batch.status) >= 0) {
            window.clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () { window.clearInterval(timer); });
    }, 1000);
  }

  function two(n) { return (n < 10 ? "0" : "") + n; }

  // an ISO instant (UTC) as "05-10-2026 10:00:00 WIB" (UTC+7, no daylight saving)
  function wib(iso) {
    if (!iso) { return "—"; }
    var ms = Date.parse(iso);
    if (isNaN(ms)) { return iso; }
    var d = new Date(ms + 7 * 3600 * 1000);
    return two(d.getUTCDate()) + "-" + two(d.getUTCMonth() + 1) + "-" + d.getUTCFullYear() + " " +
      two(d.getUTCHours()) + ":" + two(d.getUTCMinutes()) + ":" + two(d.getUTCSeconds()) + " WIB";
  }

  // a WIB calendar day "2026-10-05" as "05-10-2026"
  function day(text) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text || "");
    return m ? m[3] + "-" + m[2] + "-" + m[1] : (text || "—");
  }

  function cell(row, text, className) {
    var td = document.createElement("td");
    td.textContent = text === null || text === undefined || text === "" ? "—" : String(text);
    if (className) { td.className = className; }
    row.appendChild(td);
    return td;
  }

  function ruleCell(row, keys, labels) {
    var td = cell(row, "", "rule");
    td.textContent = "";
    keys.forEach(function (key, i) {
      if (i > 0) { td.appendChild(document.createElement("br")); }
      if (labels[key]) { td.appendChild(document.createTextNode(labels[key] + " ")); }
      var code = document.createElement("code");
      code.textContent = key;
      td.appendChild(code);
    });
    if (!keys.length) { td.textContent = "—"; }
  }

  function showPreview(form, body) {
    var labels = {};
    try { labels = JSON.parse(form.dataset.ruleLabels || "{}"); } catch (err) { labels = {}; }
    var result = document.getElementById("preview-result");
    result.querySelectorAll("[data-field]").forEach(function (node) {
      var value = body[node.dataset.field];
      node.textContent = Array.isArray(value) ? value.join(", ") : (value === "" ? "—" : String(value));
    });
    var tbody = document.querySelector("#preview-table tbody");
    tbody.textContent = "";
    (body.rows || []).forEach(function (r) {
      var row = document.createElement("tr");
      cell(row, r.row_no, "num");
      cell(row, r.txn_id, "wrap");
      cell(row, wib(r.ts), "nowrap");
      cell(row, r.day ? day(r.day) : null, "nowrap");
      cell(row, r.nmid);
      cell(row, typeof r.amount === "number" ? rupiah(r.amount) : null, "num nowrap");
      cell(row, r.channel);
      cell(row, r.status);
      cell(row, r.payer);
      ruleCell(row, r.rules || [], labels);
      tbody.appendChild(row);
    });
    document.getElementById("preview-empty").hidden = (body.rows || []).length > 0;
    document.getElementById("preview-output").textContent = JSON.stringify(body, null, 2);
    result.hidden = false;
  }

  function previewForm(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var error = document.getElementById("preview-error");
      var result = document.getElementById("preview-result");
      error.hidden = true;
      fetch(form.dataset.api, {
        method: "POST",
        headers: { "X-CSRF-Token": token, Accept: "application/json" },
        body: new FormData(form)
      })
        .then(function (r) { return r.json().then(function (body) { return { ok: r.ok, body: body }; }); })
        .then(function (answer) {
          if (answer.ok) { showPreview(form, answer.body); return; }
          var detail = answer.body.detail;
          result.hidden = true;
          error.textContent = typeof detail === "string" ? detail : JSON.stringify(detail);
          error.hidden = false;
        })
        .catch(function (err) {
          result.hidden = true;
          error.textContent = String(err);
          error.hidden = false;
        });
    });
  }

  var upload = document.getElementById("upload-form");
  if (upload) { uploadForm(upload); }
  var status = document.getElementById("batch-status");
  if (status) { batchStatus(status); }
  var preview = document.getElementById("preview-form");
  if (preview) { previewForm(preview); }
})();
