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
          if (done.indexOf(batch.status) >= 0) {
            window.clearInterval(timer);
            window.location.reload();
          }
        })
        .catch(function () { window.clearInterval(timer); });
    }, 1000);
  }

  function previewForm(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var out = document.getElementById("preview-output");
      fetch(form.dataset.api, {
        method: "POST",
        headers: { "X-CSRF-Token": token, Accept: "application/json" },
        body: new FormData(form)
      })
        .then(function (r) { return r.json(); })
        .then(function (body) { out.textContent = JSON.stringify(body, null, 2); })
        .catch(function (err) { out.textContent = String(err); });
    });
  }

  var upload = document.getElementById("upload-form");
  if (upload) { uploadForm(upload); }
  var status = document.getElementById("batch-status");
  if (status) { batchStatus(status); }
  var preview = document.getElementById("preview-form");
  if (preview) { previewForm(preview); }
})();
