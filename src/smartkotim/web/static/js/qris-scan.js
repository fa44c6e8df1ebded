// QRIS scan page: progressive enhancement. Without JavaScript (or without a camera) the pasted payload
// is posted as a normal form. With the browser's BarcodeDetector API the camera reads the QR code,
// the payload is checked through /api/economy/qris/parse, and a valid one opens the filled-in form.
// No external library: browsers without BarcodeDetector simply keep the paste field.
(function () {
  "use strict";
  var scanner = document.getElementById("qris-scanner");
  var button = document.getElementById("qris-camera");
  var video = document.getElementById("qris-video");
  var status = document.getElementById("qris-status");
  var form = document.getElementById("qris-form");
  var field = document.getElementById("payload");
  var csrf = document.querySelector('meta[name="csrf-token"]');
  if (!scanner || !form || !field) { return; }
  if (!("BarcodeDetector" in window) || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) { return; }
  scanner.hidden = false;

  function say(text) { status.textContent = text; }

  function check(payload) {
    return fetch("/api/economy/qris/parse", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.content : "" },
      body: JSON.stringify({ payload: payload })
    }).then(function (response) { return response.json(); });
  }

  function found(payload, stream) {
    stream.getTracks().forEach(function (track) { track.stop(); });
    video.hidden = true;
    field.value = payload;
    check(payload).then(function (result) {
      if (result.valid) { form.submit(); return; }
      say((result.errors || []).join(" ") || "QRIS tidak valid");
    }).catch(function () { form.submit(); });
  }

  button.addEventListener("click", function () {
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (stream) {
      video.srcObject = stream;
      video.hidden = false;
      video.play();
      say("…");
      var tick = function () {
        detector.detect(video).then(function (codes) {
          if (codes.length && codes[0].rawValue) { found(codes[0].rawValue, stream); return; }
          window.setTimeout(tick, 250);
        }).catch(function () { window.setTimeout(tick, 500); });
      };
      tick();
    }).catch(function (err) { say(String(err)); });
  });
})();
