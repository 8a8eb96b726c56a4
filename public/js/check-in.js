// Projector view: fetch the rotating check-in code every 10 s and update the number and QR code in place.
// Without script the page's <noscript> meta refresh reloads it instead.
(function () {
  'use strict';
  var box = document.querySelector('.sd-projector[data-code-url]');
  if (!box || !window.fetch) {
    return;
  }
  var code = box.querySelector('[data-role="code"]');
  var qr = box.querySelector('[data-role="qr"]');
  if (!code || !qr) {
    return;
  }
  function refresh() {
    fetch(box.getAttribute('data-code-url'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'x-csrf-token': box.getAttribute('data-csrf'), accept: 'application/json' },
    })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (data) {
        if (data && data.code) {
          code.textContent = data.code;
          // The SVG comes from our own server's QR generator (no user text in it).
          qr.innerHTML = data.qrSvg;
        }
      })
      .catch(function () {});
  }
  setInterval(refresh, 10000);
})();
