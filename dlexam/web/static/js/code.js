// The code editor (CodeMirror 5 over the `answer` textarea) and its checks: "Run the checks" sends the
// code to POST /code/submit, then polls GET /code/{key} until the sandboxed grader is done.
(function () {
  "use strict";
  var POLL_MS = 1000;

  function csrf() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function Code(root) {
    var self = this, area = root.querySelector("textarea[name=answer]");
    this.root = root;
    this.form = root.closest("form");
    this.state = root.querySelector("[data-role=state]");
    this.table = root.querySelector("[data-role=checks]");
    this.editor = window.CodeMirror.fromTextArea(area, {
      mode: "python", lineNumbers: true, indentUnit: 4, tabSize: 4, indentWithTabs: false,
      extraKeys: { Tab: function (cm) { cm.replaceSelection("    "); } },
    });
    this.editor.setSize(null, 420);
    this.editor.on("change", function () {
      self.editor.save();                       // the textarea keeps the answer the form posts
      if (self.form) self.form.dispatchEvent(new CustomEvent("dlexam:answer-changed", { bubbles: true }));
    });
    var run = root.querySelector("[data-role=run]");
    if (run) run.addEventListener("click", function () { self.run(); });
  }

  Code.prototype.say = function (text, error) {
    this.state.textContent = text;
    this.state.className = "code-state" + (error ? " input-error" : "");
  };

  Code.prototype.run = function () {
    var self = this, body = { family: this.root.dataset.family, seed: Number(this.root.dataset.seed), source: this.editor.getValue() };
    this.say("Sending…");
    this.table.hidden = true;
    fetch("/code/submit", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() }, body: JSON.stringify(body) })
      .then(function (r) { return r.json(); })
      .then(function (res) {
        if (!res.key) { self.say(res.error || res.detail || "Could not send the code.", true); return; }
        self.say("Queued for the sandbox…");
        self.poll(res.key);
      })
      .catch(function () { self.say("Could not reach the server.", true); });
  };

  Code.prototype.poll = function (key) {
    var self = this;
    fetch("/code/" + encodeURIComponent(key), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (res) {
        if (res.status === "queued" || res.status === "running") {
          self.say(res.status === "queued" ? "Queued for the sandbox…" : "Running in the sandbox…");
          setTimeout(function () { self.poll(key); }, POLL_MS);
          return;
        }
        self.show(res);
      })
      .catch(function () { self.say("Lost the connection; try again.", true); });
  };

  Code.prototype.show = function (res) {
    var body = this.table.querySelector("tbody");
    body.textContent = "";
    (res.checks || []).forEach(function (c) {
      var tr = document.createElement("tr");
      tr.className = c.passed ? "check-passed" : "check-failed";
      [c.name, c.points + " / " + c.max_points, c.message || ""].forEach(function (t) {
        var td = document.createElement("td");
        td.textContent = t;
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    this.table.hidden = !(res.checks || []).length;
    var score = typeof res.score === "number" ? "Score " + res.score + " of " + res.max_score + "." : "";
    if (res.status === "failed" && !score) { this.say("Could not be checked: " + (res.error || "the grader failed."), true); return; }
    this.say(res.error ? score + " " + res.error : score, Boolean(res.error));
  };

  document.querySelectorAll("[data-input=code]").forEach(function (root) {
    if (!root.dlexamCode) root.dlexamCode = new Code(root);
  });
})();
