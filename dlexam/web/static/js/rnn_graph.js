// The unrolled RNN graph: the nodes are placed; the student draws an edge u->v by clicking u, then v,
// removes one by clicking it, and may add nodes. The edges fill part a) of the answer as
// `x1->h1, h0->h1, ...` — the text the rnn family reads (graded as an edge set, as in the terminal).
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg", UNIT = 70, MARGIN = 40, R = 20;

  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(e);
    return e;
  }

  function split(text) {
    var edges = [];
    (text || "").split(/[,\s]+/).forEach(function (item) {
      var names = item.split("->");
      for (var i = 1; i < names.length; i++) if (names[i - 1] && names[i]) edges.push([names[i - 1], names[i]]);
    });
    return edges;
  }

  function Graph(root, ctx) {
    this.root = root;
    this.ctx = ctx;
    this.nodes = ctx.nodes.map(function (n) { return { name: n.name, x: n.x, y: n.y }; });
    this.edges = [];
    this.history = [];
    this.selected = null;
    this.part = root.querySelector("[data-part=a] [data-role=part]");
    this.svg = root.querySelector("svg[data-role=graph]");
    var self = this, parts = root.dlexamParts || (window.dlexamParts || {})[root.dataset.fieldId];
    var saved = root.dlexamSaved && root.dlexamSaved.a;
    split(saved).forEach(function (e) { self.ensure(e[0]); self.ensure(e[1]); self.edges.push(e); });
    this.part.dataset.value = this.text();
    root.querySelector("[data-role=undo]").addEventListener("click", function () { self.undo(); });
    root.querySelector("[data-role=clear]").addEventListener("click", function () { self.clear(); });
    var name = root.querySelector("[data-role=new-node]");
    function addNode() {
      var n = name.value.trim();
      if (/^[A-Za-z]+\d*$/.test(n) && !self.find(n)) { self.ensure(n); self.history.push(function () { self.nodes.pop(); }); self.draw(); }
      name.value = "";
    }
    root.querySelector("[data-role=add-node]").addEventListener("click", addNode);
    name.addEventListener("keydown", function (e) { if (e.key === "Enter") { e.preventDefault(); addNode(); } });
    this.draw();
  }

  Graph.prototype.find = function (name) {
    for (var i = 0; i < this.nodes.length; i++) if (this.nodes[i].name === name) return this.nodes[i];
    return null;
  };

  // A node not placed yet goes to the next free place in the top row.
  Graph.prototype.ensure = function (name) {
    if (this.find(name)) return;
    var top = this.nodes.filter(function (n) { return n.y === 4; }).map(function (n) { return n.x; });
    var x = 1;
    while (top.indexOf(x) >= 0) x += 1;
    this.nodes.push({ name: name, x: x, y: 4 });
  };

  Graph.prototype.text = function () {
    return this.edges.map(function (e) { return e[0] + "->" + e[1]; }).join(", ");
  };

  Graph.prototype.changed = function () {
    this.part.dataset.value = this.text();
    this.part.dispatchEvent(new Event("input", { bubbles: true }));
    this.draw();
  };

  Graph.prototype.click = function (name) {
    if (this.selected === null) { this.selected = name; this.draw(); return; }
    var from = this.selected, self = this;
    this.selected = null;
    if (from !== name && !this.edges.some(function (e) { return e[0] === from && e[1] === name; })) {
      this.edges.push([from, name]);
      this.history.push(function () { self.edges.pop(); });
      this.changed();
      return;
    }
    this.draw();
  };

  Graph.prototype.remove = function (i) {
    var edge = this.edges.splice(i, 1)[0], self = this;
    this.history.push(function () { self.edges.splice(i, 0, edge); });
    this.changed();
  };

  Graph.prototype.undo = function () {
    this.selected = null;
    var step = this.history.pop();
    if (step) step();
    this.changed();
  };

  Graph.prototype.clear = function () {
    var before = { edges: this.edges, nodes: this.nodes }, self = this;
    this.edges = [];
    this.nodes = this.ctx.nodes.map(function (n) { return { name: n.name, x: n.x, y: n.y }; });
    this.history.push(function () { self.edges = before.edges; self.nodes = before.nodes; });
    this.selected = null;
    this.changed();
  };

  Graph.prototype.at = function (node) {
    return [MARGIN + node.x * UNIT, MARGIN + (4 - node.y) * UNIT];
  };

  Graph.prototype.draw = function () {
    var svg = this.svg, self = this, width = Math.max(this.ctx.width, 1 + Math.max.apply(null, this.nodes.map(function (n) { return n.x; })));
    svg.setAttribute("width", 2 * MARGIN + width * UNIT);
    svg.setAttribute("height", 2 * MARGIN + 4 * UNIT);
    while (svg.lastChild) svg.removeChild(svg.lastChild);
    var defs = el("defs", {}, svg), marker = el("marker", { id: this.root.dataset.fieldId + "-arrow", viewBox: "0 0 10 10", refX: "10", refY: "5",
      markerWidth: "8", markerHeight: "8", orient: "auto-start-reverse" }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#135" }, marker);
    this.edges.forEach(function (e, i) {
      var a = self.find(e[0]), b = self.find(e[1]);
      if (!a || !b) return;
      var p = self.at(a), q = self.at(b), dx = q[0] - p[0], dy = q[1] - p[1], len = Math.hypot(dx, dy) || 1;
      var line = el("line", { x1: p[0] + dx / len * R, y1: p[1] + dy / len * R, x2: q[0] - dx / len * (R + 2), y2: q[1] - dy / len * (R + 2),
        stroke: "#135", "stroke-width": 2.5, "marker-end": "url(#" + self.root.dataset.fieldId + "-arrow)", class: "rnn-edge",
        "data-edge": e[0] + "->" + e[1] }, svg);
      el("title", {}, line).textContent = e[0] + " → " + e[1] + " (click to remove)";
      line.addEventListener("click", function () { self.remove(i); });
    });
    this.nodes.forEach(function (n) {
      var p = self.at(n), g = el("g", { class: "rnn-node", "data-node": n.name, tabindex: "0", role: "button",
        "aria-label": "node " + n.name + (self.selected === n.name ? " (selected)" : "") }, svg);
      el("circle", { cx: p[0], cy: p[1], r: R, fill: self.selected === n.name ? "#fd8" : "#fff",
        stroke: self.selected === n.name ? "#d40" : "#135", "stroke-width": 2 }, g);
      var label = el("text", { x: p[0], y: p[1] + 5, "text-anchor": "middle", "font-size": "15", "font-family": "sans-serif" }, g);
      label.textContent = n.name === "theta" ? "θ" : n.name;
      g.addEventListener("click", function () { self.click(n.name); });
      g.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); self.click(n.name); } });
    });
    this.root.querySelector("[data-role=edges]").textContent = this.edges.length ? "a) " + this.text() : "a) no edges yet";
  };

  document.querySelectorAll("[data-input=parts][data-graph]").forEach(function (root) {
    if (root.dlexamGraph) return;
    var ctx = JSON.parse(root.querySelector("script[type='application/json']").textContent);
    root.dlexamGraph = new Graph(root, ctx);
  });
})();
