// The grade of a pieces answer on the box: the drawing sent (its regions and boundary segments) and
// each point the grader gives as evidence (a point a region leaves out or wrongly includes, where a
// function differs, where the boundary is missing or a segment is off y = C), marked and numbered.
(function () {
  "use strict";

  // Every {"point": [x1, x2], ...} in the grade's evidence, with its part and what it is about.
  function points(grade) {
    var out = [];
    function walk(value, part, about) {
      if (Array.isArray(value)) { value.forEach(function (v) { walk(v, part, about); }); return; }
      if (!value || typeof value !== "object") return;
      var here = value.piece || value.segment || about;
      var p = value.point;
      if (Array.isArray(p) && p.length === 2 && typeof p[0] === "number" && typeof p[1] === "number") {
        out.push({ point: p, part: part, about: here, value: value });
      }
      Object.keys(value).forEach(function (k) { if (k !== "point") walk(value[k], part, here); });
    }
    (grade.parts || []).forEach(function (part) { walk(part.evidence, part.label || part.name, ""); });
    return out;
  }

  function draw(root) {
    var ctx = JSON.parse(root.querySelector("script[type='application/json']").textContent);
    var b = ctx.box, pad = 0.6, plain = { fixed: true, highlight: false };
    var board = JXG.JSXGraph.initBoard(root.querySelector("[data-role=board]").id, {
      boundingbox: [b[0] - pad, b[3] + pad, b[1] + pad, b[2] - pad], axis: true, keepaspectratio: true,
      showCopyright: false, showNavigation: false, pan: { enabled: false }, zoom: { enabled: false, wheel: false },
    });
    board.create("polygon", [[b[0], b[2]], [b[1], b[2]], [b[1], b[3]], [b[0], b[3]]],
      Object.assign({ fillOpacity: 0, vertices: { visible: false }, borders: { strokeColor: "#444" } }, plain));
    board.create("polygon", ctx.given.polygon, Object.assign({ fillColor: "#9ab", fillOpacity: 0.25,
      vertices: { visible: false }, borders: { strokeColor: "#357", strokeWidth: 2 } }, plain));
    var answer = null;
    try { answer = ctx.answer && ctx.answer.charAt(0) === "{" ? JSON.parse(ctx.answer) : null; } catch (e) { answer = null; }
    if (answer) {
      (answer.pieces || []).forEach(function (p) {
        if (!p.polygon) return;
        board.create("polygon", p.polygon, Object.assign({ fillColor: "#7c7", fillOpacity: 0.15,
          vertices: { visible: false }, borders: { strokeColor: "#135", strokeWidth: 2 } }, plain));
      });
      (answer.boundary || []).forEach(function (s) {
        if (Array.isArray(s)) board.create("segment", s, Object.assign({ strokeColor: "#d40", strokeWidth: 3,
          point1: { visible: false }, point2: { visible: false } }, plain));
      });
    }
    var list = root.querySelector("[data-role=points]");
    points(ctx.grade).forEach(function (e, i) {
      board.create("point", e.point, Object.assign({ name: String(i + 1), size: 5, face: "x", strokeColor: "#c00",
        strokeWidth: 3, label: { strokeColor: "#c00", fontSize: 15, offset: [8, 8] } }, plain));
      var li = document.createElement("li");
      li.textContent = "(" + e.point.map(function (v) { return +v.toFixed(3); }).join(", ") + ") — part " + e.part +
        (e.about ? ", " + e.about : "");
      li.dataset.point = e.point.join(",");
      list.appendChild(li);
    });
  }

  document.querySelectorAll("[data-feedback=pieces]").forEach(function (root) {
    if (root.dataset.drawn) return;          // the script is included once per result on a page
    root.dataset.drawn = "1";
    draw(root);
  });
})();
