// Live preview for the lesson editor: the server renders through the same sanitiser as published lessons,
// so what the trainer sees is what learners get. Without script the Preview button does the same.
(function () {
  'use strict';
  var form = document.querySelector('form.author-editor');
  if (!form || !window.fetch) {
    return;
  }
  var textarea = form.querySelector('textarea[name="markdown"]');
  var preview = document.getElementById('preview');
  var tokenInput = form.querySelector('input[name="_csrf"]');
  if (!textarea || !preview || !tokenInput) {
    return;
  }
  var url = form.getAttribute('data-preview-url');
  var timer = null;
  var latest = 0;

  function render() {
    var ticket = ++latest;
    if (textarea.value.trim() === '') {
      preview.textContent = preview.getAttribute('data-empty') || '';
      return;
    }
    fetch(url, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': tokenInput.value },
      body: JSON.stringify({ markdown: textarea.value }),
    })
      .then(function (res) {
        return res.ok ? res.json() : null;
      })
      .then(function (body) {
        // Only the newest answer is shown, so a slow reply never overwrites a newer one.
        if (body && typeof body.html === 'string' && ticket === latest) {
          preview.innerHTML = body.html;
        }
      })
      .catch(function () {
        /* Offline: the Preview button still works. */
      });
  }

  textarea.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(render, 400);
  });
})();
