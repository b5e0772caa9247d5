// The mock exam page: the clock, saving each answer as it is entered, and a confirmed hand-in.
(function () {
  var csrf = document.querySelector('meta[name="csrf-token"]').content;

  function answerOf(form) {
    var values = new FormData(form).getAll("answer").filter(function (v) { return typeof v === "string"; });
    if (values.length === 1) return values[0];
    return values.map(function (v) { return v.trim(); }).filter(function (v) { return v; }).join(",");
  }

  function clock() {
    var element = document.getElementById("exam-clock");
    if (!element) return;
    var deadline = Number(element.dataset.deadline);
    function tick() {
      var left = Math.floor((deadline - Date.now()) / 1000);
      if (left <= 0) {
        element.textContent = "time is up";
        var form = document.getElementById(element.dataset.handIn);
        if (form && !form.dataset.sent) { form.dataset.sent = "1"; form.submit(); }
        return;
      }
      var h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), s = left % 60;
      element.textContent = (h ? h + ":" + String(m).padStart(2, "0") : m) + ":" + String(s).padStart(2, "0") + " left";
      element.classList.toggle("late", left < 600);
      setTimeout(tick, 1000 - Date.now() % 1000);
    }
    tick();
  }

  function autosave() {
    var form = document.getElementById("answer-form");
    if (!form || !form.dataset.save) return;
    var status = document.getElementById("save-status");
    var timer = null, last = answerOf(form), pending = null;

    function show(text, bad) {
      status.textContent = "";
      var span = document.createElement("span");
      span.textContent = text;
      if (bad) span.className = "error";
      status.appendChild(span);
    }

    function save() {
      timer = null;
      var text = answerOf(form);
      if (text === last) return Promise.resolve();
      show("Saving…");
      pending = fetch(form.dataset.save, {
        method: "POST", credentials: "same-origin",
        headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
        body: JSON.stringify({label: form.dataset.label, text: text})
      }).then(function (response) {
        return response.json().then(function (body) { return {status: response.status, body: body}; });
      }).then(function (r) {
        if (r.body.handed_in) { window.location = r.body.results; return; }
        if (!r.body.saved) { show("Not saved: " + (r.body.problem || r.body.detail), true); return; }
        last = text;
        var now = new Date().toLocaleTimeString();
        if (r.body.problem) show("Saved at " + now + ", but it cannot be read yet: " + r.body.problem, true);
        else show("Saved at " + now + ".");
        document.querySelectorAll(".exam-bar .tasks a").forEach(function (a) {
          a.classList.toggle("answered", r.body.answered.indexOf(a.dataset.label) >= 0);
        });
      }).catch(function () { show("Not saved (no connection?); it is saved when you move on.", true); });
      return pending;
    }

    function later() { if (timer) clearTimeout(timer); timer = setTimeout(save, 500); }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("dlexam:answer-changed", later);
    // Moving to another task by its link: save first.
    document.querySelectorAll(".exam-bar .tasks a").forEach(function (a) {
      a.addEventListener("click", function (event) {
        if (answerOf(form) === last) return;
        event.preventDefault();
        save().then(function () { window.location = a.href; });
      });
    });
    window.addEventListener("pagehide", function () {
      var text = answerOf(form);
      if (text !== last) {
        fetch(form.dataset.save, {method: "POST", keepalive: true, credentials: "same-origin",
          headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf},
          body: JSON.stringify({label: form.dataset.label, text: text})});
      }
    });
  }

  function confirmHandIn() {
    var form = document.getElementById("hand-in-form");
    if (!form) return;
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) return;
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { clock(); autosave(); confirmHandIn(); });
})();
