// The parts of a multi-part answer (tasks 3 and 4): each typed part is previewed as the grader reads
// it — POST /api/preview runs the family's own parser and returns LaTeX (typeset by KaTeX) or the
// parse error — and the parts are joined into the one-line answer `a) ... ; b) ...` in `answer`.
// A part may also be filled by a drawing (the RNN graph fills part a): it sets `data-value` on a
// hidden [data-part] element and fires "input".
(function () {
  "use strict";
  var PART = /(?:^|;)\s*([a-z])\)\s*/gi;

  function split(text) {
    var marks = [], m, out = {};
    PART.lastIndex = 0;
    while ((m = PART.exec(text || "")) !== null) marks.push({ label: m[1].toLowerCase(), start: m.index, end: PART.lastIndex });
    marks.forEach(function (mark, i) {
      out[mark.label] = text.slice(mark.end, i + 1 < marks.length ? marks[i + 1].start : text.length).trim();
    });
    return out;
  }

  function csrf() {
    var meta = document.querySelector("meta[name=csrf-token]");
    return meta ? meta.content : "";
  }

  function Parts(root) {
    this.root = root;
    this.form = root.closest("form");
    this.field = root.querySelector("input[name=answer]");
    this.rows = Array.prototype.slice.call(root.querySelectorAll("[data-part]"));
    this.timers = {};
    var saved = split(this.field.value), self = this;
    this.rows.forEach(function (row) {
      var input = row.querySelector("[data-role=part]");
      if (!input) return;
      if (saved[row.dataset.part] !== undefined && input.tagName !== "DIV") input.value = saved[row.dataset.part];
      input.addEventListener("input", function () { self.changed(row); });
      if (input.value) self.preview(row);
    });
    root.dlexamSaved = saved;
  }

  Parts.prototype.value = function (row) {
    var input = row.querySelector("[data-role=part]");
    return input.tagName === "DIV" ? (input.dataset.value || "") : input.value.trim();
  };

  Parts.prototype.changed = function (row) {
    var self = this, texts = [];
    this.rows.forEach(function (r) {
      var v = self.value(r);
      if (v) texts.push(r.dataset.part + ") " + v.replace(/\s*\n\s*/g, " "));
    });
    this.field.value = texts.join(" ; ");
    if (this.form) this.form.dispatchEvent(new CustomEvent("dlexam:answer-changed", { bubbles: true }));
    clearTimeout(this.timers[row.dataset.part]);
    this.timers[row.dataset.part] = setTimeout(function () { self.preview(row); }, 250);
  };

  Parts.prototype.preview = function (row) {
    var out = row.querySelector("[data-role=preview]"), text = this.value(row);
    if (!out) return;
    if (!text) { out.textContent = ""; out.className = "part-preview"; return; }
    var body = { family: this.root.dataset.family, seed: Number(this.root.dataset.seed), part: row.dataset.part, text: text };
    fetch("/api/preview", {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body),
    }).then(function (r) { return r.json(); }).then(function (res) {
      if (text !== this.value(row)) return;          // typed on since: a newer preview is coming
      show(out, res);
    }.bind(this)).catch(function () { out.textContent = ""; });
  };

  function show(out, res) {
    out.textContent = "";
    if (res.error) {
      out.className = "part-preview input-error";
      out.textContent = res.error;
      return;
    }
    out.className = "part-preview input-ok";
    if (res.latex && window.katex) {
      window.katex.render(res.latex, out, { throwOnError: false, displayMode: false });
    } else {
      out.textContent = res.text || "✓ readable";
    }
  }

  window.dlexamParts = window.dlexamParts || {};
  document.querySelectorAll("[data-input=parts]").forEach(function (root) {
    if (!root.dlexamParts) root.dlexamParts = window.dlexamParts[root.dataset.fieldId] = new Parts(root);
  });
})();
