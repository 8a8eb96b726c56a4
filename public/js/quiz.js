// Quiz pages: a countdown that follows the server's deadline, and answers saved in place as they are given.
// Without this script the page still works: every answer is saved by the form's own buttons.
(function () {
  'use strict';

  var lang = document.documentElement.lang === 'en' ? 'en' : 'zh';

  function pad(n) {
    return (n < 10 ? '0' : '') + n;
  }

  // Countdown: the server's clock decides; the offset corrects a phone whose clock is wrong.
  var clock = document.querySelector('[data-deadline]');
  if (clock) {
    var deadline = Date.parse(clock.getAttribute('data-deadline'));
    var offset = Date.parse(clock.getAttribute('data-server-now')) - Date.now();
    var outputs = document.querySelectorAll('.quiz-countdown');
    var done = false;
    var tick = function () {
      var left = Math.max(0, Math.floor((deadline - (Date.now() + offset)) / 1000));
      var text = Math.floor(left / 60) + ':' + pad(left % 60);
      for (var i = 0; i < outputs.length; i++) {
        outputs[i].textContent = '(' + text + ')';
        outputs[i].classList.toggle('quiz-hurry', left <= 60);
      }
      if (left === 0 && !done) {
        done = true;
        // The server closes and grades the attempt from the saved answers on the next request.
        window.setTimeout(function () {
          window.location.reload();
        }, 1500);
      }
    };
    tick();
    window.setInterval(tick, 1000);
  }

  var form = document.querySelector('form.quiz-form[data-attempt]');
  if (!form || !window.fetch) {
    return;
  }
  var attemptId = form.getAttribute('data-attempt');
  var csrf = form.querySelector('input[name="_csrf"]').value;
  var words = {
    saving: lang === 'en' ? 'Saving…' : '正在保存…',
    saved: lang === 'en' ? 'Saved' : '已保存',
    failed: lang === 'en' ? 'Not saved: use the Save button' : '未保存，请点“保存答案”',
  };

  function responseOf(box) {
    var type = box.getAttribute('data-type');
    var field = 'r_' + box.getAttribute('data-question');
    if (type === 'single') {
      var one = box.querySelector('input[name="' + field + '"]:checked');
      return one ? one.value : undefined;
    }
    if (type === 'multiple') {
      var picked = box.querySelectorAll('input[name="' + field + '"]:checked');
      return Array.prototype.map.call(picked, function (el) {
        return el.value;
      });
    }
    if (type === 'truefalse') {
      var tf = box.querySelector('input[name="' + field + '"]:checked');
      return tf ? tf.value === 'true' : undefined;
    }
    if (type === 'shortanswer') {
      var text = box.querySelector('input[name="' + field + '"]').value;
      return text.trim() === '' ? undefined : text;
    }
    if (type === 'numerical') {
      var raw = box
        .querySelector('input[name="' + field + '"]')
        .value.trim()
        .replace(/[０-９．，－]/g, function (c) {
          return String.fromCharCode(c.charCodeAt(0) - 0xfee0);
        })
        .replace(',', '.');
      return /^-?\d+(\.\d+)?$/.test(raw) ? Number(raw) : undefined;
    }
    if (type === 'matching') {
      var pairs = {};
      var any = false;
      box.querySelectorAll('select').forEach(function (sel) {
        if (sel.value) {
          pairs[sel.name.slice(field.length + 1)] = sel.value;
          any = true;
        }
      });
      return any ? pairs : undefined;
    }
    return undefined;
  }

  function save(box) {
    var response = responseOf(box);
    var status = box.querySelector('.quiz-saved');
    if (response === undefined) {
      return;
    }
    status.textContent = words.saving;
    fetch('/api/v1/attempts/' + encodeURIComponent(attemptId) + '/answers', {
      method: 'PUT',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrf },
      body: JSON.stringify({ questionId: box.getAttribute('data-question'), response: response }),
    })
      .then(function (res) {
        if (res.status === 409) {
          // Submitted or out of time: the page shows the result.
          window.location.reload();
          return;
        }
        status.textContent = res.ok ? words.saved : words.failed;
      })
      .catch(function () {
        status.textContent = words.failed;
      });
  }

  var timers = {};
  form.addEventListener('change', function (event) {
    var box = event.target.closest('[data-question]');
    if (box) {
      save(box);
    }
  });
  form.addEventListener('input', function (event) {
    var box = event.target.closest('[data-question]');
    if (!box || event.target.tagName !== 'INPUT' || event.target.type !== 'text') {
      return;
    }
    var id = box.getAttribute('data-question');
    window.clearTimeout(timers[id]);
    timers[id] = window.setTimeout(function () {
      save(box);
    }, 800);
  });
})();
