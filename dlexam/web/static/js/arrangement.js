// The arrangement of line segments in the plane that the pieces drawing needs: where segments meet,
// the faces (regions) they cut out of the box, and small polygon helpers. Pure functions, no page:
// tests run them in node (tests/test_web_inputs_answers.py).
(function (root) {
  "use strict";
  var EPS = 1e-7;

  function round(v) { return Math.round(v * 1e6) / 1e6; }
  function key(p) { return round(p[0]).toFixed(6) + "," + round(p[1]).toFixed(6); }
  function cross(o, a, b) { return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]); }
  function dist(a, b) { return Math.hypot(a[0] - b[0], a[1] - b[1]); }

  // Where segments ab and cd meet (one point), or null (parallel ones share no single point).
  function meet(a, b, c, d) {
    var r = [b[0] - a[0], b[1] - a[1]], s = [d[0] - c[0], d[1] - c[1]];
    var den = r[0] * s[1] - r[1] * s[0];
    if (Math.abs(den) < EPS) return null;
    var t = ((c[0] - a[0]) * s[1] - (c[1] - a[1]) * s[0]) / den;
    var u = ((c[0] - a[0]) * r[1] - (c[1] - a[1]) * r[0]) / den;
    if (t < -EPS || t > 1 + EPS || u < -EPS || u > 1 + EPS) return null;
    return [a[0] + t * r[0], a[1] + t * r[1]];
  }

  function nearestOn(a, b, p) {
    var dx = b[0] - a[0], dy = b[1] - a[1], len = dx * dx + dy * dy;
    var t = len ? Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len)) : 0;
    return [a[0] + t * dx, a[1] + t * dy];
  }

  function area(poly) {
    var s = 0;
    for (var i = 0; i < poly.length; i++) {
      var p = poly[i], q = poly[(i + 1) % poly.length];
      s += p[0] * q[1] - q[0] * p[1];
    }
    return s / 2;
  }

  function inside(poly, p) {
    var c = false;
    for (var i = 0, j = poly.length - 1; i < poly.length; j = i++) {
      var a = poly[i], b = poly[j];
      if ((a[1] > p[1]) !== (b[1] > p[1]) && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]) c = !c;
    }
    return c;
  }

  // Corners only: drop points on a straight run.
  function simplify(poly) {
    var out = poly.slice(), changed = true;
    while (changed && out.length > 3) {
      changed = false;
      for (var i = 0; i < out.length; i++) {
        var a = out[(i + out.length - 1) % out.length], b = out[i], c = out[(i + 1) % out.length];
        if (Math.abs(cross(a, b, c)) < 1e-6) { out.splice(i, 1); changed = true; break; }
      }
    }
    return out;
  }

  function convex(poly) {
    for (var i = 0; i < poly.length; i++) {
      if (cross(poly[i], poly[(i + 1) % poly.length], poly[(i + 2) % poly.length]) < -1e-6) return false;
    }
    return true;
  }

  // The bounded faces (counter-clockwise polygons) cut out of the box by the segments.
  function faces(segments) {
    var cuts = segments.map(function (s) { return [s[0], s[1]]; });
    segments.forEach(function (s, i) {
      segments.forEach(function (t, j) {
        if (j <= i) return;
        var p = meet(s[0], s[1], t[0], t[1]);
        if (p) { cuts[i].push(p); cuts[j].push(p); }
        // overlapping (collinear) segments cut each other at their ends
        t.forEach(function (q) { if (dist(nearestOn(s[0], s[1], q), q) < 1e-9) cuts[i].push(q); });
        s.forEach(function (q) { if (dist(nearestOn(t[0], t[1], q), q) < 1e-9) cuts[j].push(q); });
      });
    });
    var points = {}, adj = {};
    function vertex(p) {
      var k = key(p);
      if (!points[k]) { points[k] = [round(p[0]), round(p[1])]; adj[k] = {}; }
      return k;
    }
    segments.forEach(function (s, i) {
      var a = s[0], d = [s[1][0] - a[0], s[1][1] - a[1]];
      var along = cuts[i].map(function (p) { return [(p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1], p]; });
      along.sort(function (x, y) { return x[0] - y[0]; });
      for (var n = 1; n < along.length; n++) {
        var u = vertex(along[n - 1][1]), v = vertex(along[n][1]);
        if (u !== v) { adj[u][v] = true; adj[v][u] = true; }
      }
    });
    prune(adj);
    var order = {};
    Object.keys(adj).forEach(function (u) {
      var p = points[u];
      order[u] = Object.keys(adj[u]).sort(function (v, w) {
        return Math.atan2(points[v][1] - p[1], points[v][0] - p[0]) - Math.atan2(points[w][1] - p[1], points[w][0] - p[0]);
      });
    });
    var seen = {}, out = [];
    Object.keys(adj).forEach(function (u) {
      order[u].forEach(function (v) {
        if (seen[u + ">" + v]) return;
        var poly = [], a = u, b = v, guard = 0;
        while (!seen[a + ">" + b] && guard++ < 10000) {
          seen[a + ">" + b] = true;
          poly.push(points[a]);
          var around = order[b], i = around.indexOf(a);
          var c = around[(i - 1 + around.length) % around.length];   // the next edge clockwise: face on the left
          a = b; b = c;
        }
        if (area(poly) > 1e-9) out.push(poly);
      });
    });
    return out;
  }

  // Dangling ends (a line drawn into a region but not across it) bound nothing.
  function prune(adj) {
    var again = true;
    while (again) {
      again = false;
      Object.keys(adj).forEach(function (u) {
        var n = Object.keys(adj[u]);
        if (n.length < 2) {
          n.forEach(function (v) { delete adj[v][u]; });
          delete adj[u];
          again = true;
        }
      });
    }
  }

  root.dlexamArrangement = { EPS: EPS, round: round, key: key, dist: dist, meet: meet, nearestOn: nearestOn,
    area: area, inside: inside, simplify: simplify, convex: convex, faces: faces };
})(typeof window !== "undefined" ? window : globalThis);
