// Drawing the linear pieces and the boundary y = C on the task's box (JSXGraph, data coordinates).
//
// The student draws separating lines (clicks snap to the grid, to corners and crossings, or onto a
// line), clicks a region to type its function, and draws the boundary as segments. The drawing is
// turned into the pieces family's JSON answer: every labelled region as its polygon, every boundary
// segment by its end points:
//   {"pieces": [{"polygon": [[x1, x2], ...], "function": "y = x1"}, ...], "boundary": [[[x1, x2], [x1, x2]], ...]}
// The regions are the faces of the arrangement (arrangement.js) of the drawn lines, the given piece's
// edges and the box.
(function () {
  "use strict";
  var A = window.dlexamArrangement, EPS = A.EPS, SNAP = 0.3;
  var round = A.round, key = A.key, dist = A.dist, meet = A.meet, nearestOn = A.nearestOn, area = A.area,
    inside = A.inside, simplify = A.simplify, convex = A.convex, faces = A.faces;

  function Pieces(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.form = root.closest("form");
    this.field = root.querySelector("input[name=answer]");
    this.status = root.querySelector("[data-role=status]");
    this.box = ctx.box;            // x1min, x1max, x2min, x2max
    this.mode = "line";
    this.lines = [];               // [[x1, x2], [x1, x2]]
    this.boundary = [];
    this.labels = [];              // {point: [x1, x2], function: "x1 + 1"}
    this.history = [];
    this.pending = null;           // the first end of a segment being drawn
    this.shown = [];
    var b = this.box, pad = 0.6;
    this.board = JXG.JSXGraph.initBoard(root.querySelector("[data-role=board]").id, {
      boundingbox: [b[0] - pad, b[3] + pad, b[1] + pad, b[2] - pad], axis: true, grid: false,
      keepaspectratio: true, showCopyright: false, showNavigation: false, showInfobox: false,
      pan: { enabled: false }, zoom: { enabled: false, wheel: false }, browserPan: false,
      defaultAxes: { x: { name: "x1", withLabel: true, label: { position: "rt", offset: [-20, 12] } },
                     y: { name: "x2", withLabel: true, label: { position: "rt", offset: [8, -8] } } },
    });
    this.frame();
    var self = this;
    this.board.on("down", function (e) { self.click(self.pointer(e)); });
    // where a click would land (snapped), and the segment it would end
    this.ghost = this.board.create("point", [0, 0], { visible: false, fixed: true, withLabel: false, highlight: false,
      size: 3, strokeColor: "#888", fillColor: "#fff" });
    this.board.on("move", function (e) { self.hover(self.pointer(e)); });
    root.querySelectorAll("[data-mode]").forEach(function (button) {
      button.addEventListener("click", function () { self.setMode(button.dataset.mode); });
    });
    root.querySelector("[data-role=undo]").addEventListener("click", function () { self.undo(); });
    root.querySelector("[data-role=clear]").addEventListener("click", function () { self.clear(); });
    var fn = root.querySelector("[data-role=function]");
    this.functionInput = fn;
    root.querySelector("[data-role=set-function]").addEventListener("click", function () { self.setFunction(); });
    fn.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); self.setFunction(); } });
    fn.addEventListener("input", function () { clearTimeout(self.timer); self.timer = setTimeout(function () { self.preview(); }, 250); });
    this.typed = root.querySelector("[data-role=typed]");
    this.typed.addEventListener("input", function () { self.changed(); self.report(); });
    this.extend = root.querySelector("[data-role=extend]");
    this.restore(this.field.value);
    this.setMode("line");
    this.redraw();
  }

  Pieces.prototype.frame = function () {
    var b = this.box, board = this.board, g = this.ctx.given, attrs = { fixed: true, highlight: false };
    board.create("polygon", [[b[0], b[2]], [b[1], b[2]], [b[1], b[3]], [b[0], b[3]]],
      { fixed: true, highlight: false, fillOpacity: 0, vertices: { visible: false }, borders: { strokeColor: "#444" } });
    for (var x = b[0]; x <= b[1]; x += this.ctx.grid) {
      for (var y = b[2]; y <= b[3]; y += this.ctx.grid) {
        board.create("point", [x, y], { fixed: true, highlight: false, withLabel: false, size: 0.5, strokeColor: "#bbb", fillColor: "#bbb" });
      }
    }
    board.create("polygon", g.polygon, { fixed: true, highlight: false, fillColor: "#9ab", fillOpacity: 0.25,
      vertices: { visible: false }, borders: { strokeColor: "#357", strokeWidth: 2 } });
    var c = this.centre(g.polygon);
    board.create("text", [c[0], c[1], "piece 1: y = " + g["function"]], Object.assign({ anchorX: "middle", fontSize: 12, display: "internal", parse: false }, attrs));
    g.boundary.forEach(function (s) {
      board.create("segment", s, Object.assign({ strokeColor: "#c60", strokeWidth: 3, dash: 2, point1: { visible: false }, point2: { visible: false } }, attrs));
    });
  };

  // The plane's point under the pointer, from the box's place now (JSXGraph caches its offset, which
  // goes stale when the page above it changes).
  Pieces.prototype.pointer = function (e) {
    var box = this.board.containerObj, r = box.getBoundingClientRect(), t = e.touches ? e.touches[0] : e;
    var c = new JXG.Coords(JXG.COORDS_BY_SCREEN, [t.clientX - r.left - box.clientLeft, t.clientY - r.top - box.clientTop], this.board);
    return [c.usrCoords[1], c.usrCoords[2]];
  };

  Pieces.prototype.centre = function (poly) {
    var x = 0, y = 0;
    poly.forEach(function (p) { x += p[0]; y += p[1]; });
    return [x / poly.length, y / poly.length];
  };

  Pieces.prototype.setMode = function (mode) {
    this.mode = mode;
    this.pending = null;
    this.root.querySelectorAll("[data-mode]").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.mode === mode)); });
    this.root.querySelector("[data-role=function-row]").style.visibility = mode === "region" ? "visible" : "hidden";   // no layout shift
    this.redraw();
  };

  // All segments that cut the box: its edges, the given piece's edges and the student's lines.
  Pieces.prototype.cutters = function () {
    var b = this.box, corners = [[b[0], b[2]], [b[1], b[2]], [b[1], b[3]], [b[0], b[3]]], out = [];
    [corners, this.ctx.given.polygon].forEach(function (poly) {
      poly.forEach(function (p, i) { out.push([p, poly[(i + 1) % poly.length]]); });
    });
    return out.concat(this.lines);
  };

  Pieces.prototype.snap = function (p) {
    var b = this.box, segs = this.cutters().concat(this.boundary), best = null, bestD = SNAP;
    p = [Math.max(b[0], Math.min(b[1], p[0])), Math.max(b[2], Math.min(b[3], p[1]))];
    function consider(q) { var d = dist(p, q); if (d < bestD) { best = q; bestD = d; } }
    segs.forEach(function (s, i) {
      consider(s[0]); consider(s[1]);
      segs.forEach(function (t, j) { if (j > i) { var q = meet(s[0], s[1], t[0], t[1]); if (q) consider(q); } });
    });
    var g = this.ctx.grid;
    consider([Math.round(p[0] / g) * g, Math.round(p[1] / g) * g]);
    if (best) return [round(best[0]), round(best[1])];
    bestD = SNAP;
    segs.forEach(function (s) { consider(nearestOn(s[0], s[1], p)); });
    return best ? [round(best[0]), round(best[1])] : [round(p[0]), round(p[1])];
  };

  Pieces.prototype.click = function (raw) {
    var p = [raw[0], raw[1]], b = this.box;
    if (p[0] < b[0] - SNAP || p[0] > b[1] + SNAP || p[1] < b[2] - SNAP || p[1] > b[3] + SNAP) return;
    if (this.mode === "region") { this.pickRegion(p); return; }
    p = this.snap(p);
    if (!this.pending) { this.pending = p; this.redraw(); return; }
    var a = this.pending;
    this.pending = null;
    if (dist(a, p) > 1e-6) {
      var list = this.mode === "line" ? this.lines : this.boundary;
      list.push(this.mode === "line" && this.extend.checked ? this.across(a, p) : [a, p]);
      this.history.push(function () { list.pop(); });
      this.changed();
    }
    this.redraw();
  };

  Pieces.prototype.hover = function (p) {
    var b = this.box, out = p[0] < b[0] - SNAP || p[0] > b[1] + SNAP || p[1] < b[2] - SNAP || p[1] > b[3] + SNAP;
    if (this.mode === "region" || out) {
      if (this.ghost.visProp.visible) { this.ghost.setAttribute({ visible: false }); }
      return;
    }
    var q = this.snap(p);
    this.ghost.setPosition(JXG.COORDS_BY_USER, q);
    if (!this.ghost.visProp.visible) this.ghost.setAttribute({ visible: true });
    this.board.update();
  };

  // The line through a and b, from one edge of the box to the other.
  Pieces.prototype.across = function (a, b) {
    var box = this.box, d = [b[0] - a[0], b[1] - a[1]], lo = -Infinity, hi = Infinity;
    [[0, box[0], box[1]], [1, box[2], box[3]]].forEach(function (axis) {
      var k = axis[0];
      if (Math.abs(d[k]) < EPS) return;
      var t1 = (axis[1] - a[k]) / d[k], t2 = (axis[2] - a[k]) / d[k];
      lo = Math.max(lo, Math.min(t1, t2));
      hi = Math.min(hi, Math.max(t1, t2));
    });
    function at(t) { return [round(a[0] + t * d[0]), round(a[1] + t * d[1])]; }
    return [at(lo), at(hi)];
  };

  Pieces.prototype.pickRegion = function (p) {
    this.picked = p;
    this.functionInput.value = "";
    var old = this.labelAt(p);
    if (old) this.functionInput.value = old["function"];
    this.root.querySelector("[data-role=picked]").textContent = "(" + p[0].toFixed(2) + ", " + p[1].toFixed(2) + ")";
    this.functionInput.focus();
    this.redraw();
  };

  Pieces.prototype.labelAt = function (p) {
    var face = this.faceAt(p);
    for (var i = 0; i < this.labels.length; i++) {
      if (face ? this.faceAt(this.labels[i].point) === face : dist(this.labels[i].point, p) < 1e-9) return this.labels[i];
    }
    return null;
  };

  Pieces.prototype.setFunction = function () {
    if (!this.picked) return;
    var text = this.functionInput.value.trim(), old = this.labelAt(this.picked), labels = this.labels;
    var label = { point: this.picked, "function": text };
    if (old) {
      var i = labels.indexOf(old);
      labels[i] = label;
      this.history.push(function () { labels[i] = old; });
    } else {
      labels.push(label);
      this.history.push(function () { labels.pop(); });
    }
    this.picked = null;
    this.root.querySelector("[data-role=picked]").textContent = "click a region";
    this.root.querySelector("[data-role=function-preview]").textContent = "";
    this.changed();
    this.redraw();
  };

  // The function as the pieces grader reads it (POST /api/preview), or its parse error.
  Pieces.prototype.preview = function () {
    var out = this.root.querySelector("[data-role=function-preview]"), text = this.functionInput.value.trim(), self = this;
    if (!text) { out.textContent = ""; return; }
    var meta = document.querySelector("meta[name=csrf-token]");
    fetch("/api/preview", { method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta ? meta.content : "" },
      body: JSON.stringify({ family: "pieces", seed: Number(this.root.dataset.seed), part: "function", text: text }) })
      .then(function (r) { return r.json(); })
      .then(function (res) {
        if (text !== self.functionInput.value.trim()) return;
        out.textContent = "";
        out.className = "part-preview " + (res.error ? "input-error" : "input-ok");
        if (res.error) out.textContent = res.error;
        else if (window.katex) window.katex.render(res.latex, out, { throwOnError: false });
        else out.textContent = res.latex;
      })
      .catch(function () { out.textContent = ""; });
  };

  Pieces.prototype.faceAt = function (p) {
    var best = null;
    (this.faceCache || []).forEach(function (f) {
      if (inside(f, p) && (!best || area(f) < area(best))) best = f;
    });
    return best;
  };

  Pieces.prototype.undo = function () {
    if (this.pending) { this.pending = null; this.redraw(); return; }
    var step = this.history.pop();
    if (step) { step(); this.changed(); this.redraw(); }
  };

  Pieces.prototype.clear = function () {
    this.lines = []; this.boundary = []; this.labels = []; this.history = []; this.pending = null; this.picked = null;
    this.changed();
    this.redraw();
  };

  // The JSON answer of the drawing, and the problems that keep a region out of it.
  Pieces.prototype.answer = function () {
    var self = this, pieces = [], problems = [];
    this.faceCache = faces(this.cutters());
    this.labels.forEach(function (l) {
      var f = self.faceAt(l.point), where = "(" + l.point[0].toFixed(2) + ", " + l.point[1].toFixed(2) + ")";
      if (!f) { problems.push("The region at " + where + " is not closed."); return; }
      var poly = simplify(f);
      if (!convex(poly)) {
        problems.push("The region at " + where + " is not convex: every piece of a max/ReLU function is; draw the line that splits it.");
        return;
      }
      if (!l["function"]) { problems.push("The region at " + where + " has no function."); return; }
      pieces.push({ polygon: poly.map(function (q) { return [round(q[0]), round(q[1])]; }), "function": "y = " + l["function"].replace(/^\s*y\s*=\s*/, "") });
    });
    if (!pieces.length && !this.boundary.length) return { text: "", problems: problems };
    var boundary = this.boundary.map(function (s) { return [[round(s[0][0]), round(s[0][1])], [round(s[1][0]), round(s[1][1])]]; });
    return { text: JSON.stringify({ pieces: pieces, boundary: boundary }), problems: problems };
  };

  Pieces.prototype.changed = function () {
    var a = this.answer(), typed = this.typed.value.trim();
    this.field.value = typed || a.text;        // a typed answer, while there is one, is the answer
    this.problems = a.problems;
    if (this.form) this.form.dispatchEvent(new CustomEvent("dlexam:answer-changed", { bubbles: true }));
  };

  Pieces.prototype.redraw = function () {
    var board = this.board, self = this;
    this.faceCache = faces(this.cutters());
    board.suspendUpdate();
    this.shown.forEach(function (o) { board.removeObject(o); });
    this.shown = [];
    function add(o) { self.shown.push(o); return o; }
    var plain = { fixed: true, highlight: false };
    this.labels.forEach(function (l) {
      var f = self.faceAt(l.point);
      if (f) add(board.create("polygon", f, Object.assign({ fillColor: convex(simplify(f)) ? "#7c7" : "#e55", fillOpacity: 0.25,
        vertices: { visible: false }, borders: { visible: false } }, plain)));
      add(board.create("text", [l.point[0], l.point[1], "y = " + (l["function"] || "?")], Object.assign({ anchorX: "middle", fontSize: 13, strokeColor: "#063", display: "internal", parse: false }, plain)));
    });
    function ends(color) { return { visible: true, size: 2, withLabel: false, fixed: true, strokeColor: color, fillColor: color }; }
    this.lines.forEach(function (s) {
      add(board.create("segment", s, Object.assign({ strokeColor: "#135", strokeWidth: 2, point1: ends("#135"), point2: ends("#135") }, plain)));
    });
    this.boundary.forEach(function (s) {
      add(board.create("segment", s, Object.assign({ strokeColor: "#d40", strokeWidth: 3, point1: ends("#d40"), point2: ends("#d40") }, plain)));
    });
    if (this.pending) {
      var start = add(board.create("point", this.pending, { fixed: true, withLabel: false, size: 4, color: "#d40" }));
      add(board.create("segment", [start, this.ghost], Object.assign({ dash: 2, strokeColor: this.mode === "line" ? "#135" : "#d40",
        strokeOpacity: 0.6 }, plain)));
    }
    if (this.picked) add(board.create("point", this.picked, { fixed: true, withLabel: false, size: 4, face: "x", color: "#063" }));
    board.unsuspendUpdate();
    this.report();
  };

  Pieces.prototype.report = function () {
    var a = this.answer(), out = this.status, info = [];
    if (this.typed.value.trim()) info.push("The typed answer is sent, not the drawing.");
    info.push(this.lines.length + " line(s), " + this.labels.length + " region(s) labelled, " + this.boundary.length + " boundary segment(s).");
    out.textContent = "";
    function line(text, error) {
      var p = document.createElement("p");
      p.textContent = text;
      if (error) p.className = "input-error";
      out.appendChild(p);
    }
    info.forEach(function (t) { line(t, false); });
    a.problems.forEach(function (t) { line(t, true); });
  };

  // A saved answer drawn again: each polygon's inner edges as lines, its centre labelled.
  Pieces.prototype.restore = function (text) {
    if (text && text.trim().charAt(0) !== "{") {          // typed, not drawn: back into the typing box
      this.typed.value = text;
      this.root.querySelector("[data-role=typed-box]").open = true;
      return;
    }
    if (!text) return;
    var parts;
    try { parts = JSON.parse(text); } catch (e) { return; }
    var b = this.box, seen = {}, self = this;
    function onFrame(p, q) {
      return (p[0] === q[0] && (p[0] === b[0] || p[0] === b[1])) || (p[1] === q[1] && (p[1] === b[2] || p[1] === b[3]));
    }
    (parts.pieces || []).forEach(function (piece) {
      var poly = piece.polygon || [];
      poly.forEach(function (p, i) {
        var q = poly[(i + 1) % poly.length], k = [key(p), key(q)].sort().join("|");
        if (!seen[k] && !onFrame(p, q)) { seen[k] = true; self.lines.push([p, q]); }
      });
      if (poly.length) self.labels.push({ point: self.centre(poly), "function": String(piece["function"] || "").replace(/^\s*y\s*=\s*/, "") });
    });
    (parts.boundary || []).forEach(function (s) { if (Array.isArray(s)) self.boundary.push(s); });
  };

  // Viewport coordinates of a point of the plane (for tests that draw with the mouse).
  Pieces.prototype.screen = function (x, y) {
    var c = new JXG.Coords(JXG.COORDS_BY_USER, [x, y], this.board), r = this.board.containerObj.getBoundingClientRect();
    return [r.left + this.board.containerObj.clientLeft + c.scrCoords[1], r.top + this.board.containerObj.clientTop + c.scrCoords[2]];
  };

  window.dlexamPieces = window.dlexamPieces || {};
  document.querySelectorAll("[data-input=pieces]").forEach(function (root) {
    if (root.dlexamPieces) return;            // the script may be included more than once on a page
    var ctx = JSON.parse(root.querySelector("script[type='application/json']").textContent);
    root.dlexamPieces = window.dlexamPieces[root.dataset.fieldId] = new Pieces(root, ctx);
  });
})();
