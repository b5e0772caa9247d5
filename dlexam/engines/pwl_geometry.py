"""Exact plane geometry for pieces: affine functions, convex polygons, lines and segments.

Works with any ordered field (Fraction for exact answers, float for students' input).
Polygons are lists of (x1, x2) vertices in counter-clockwise order, not closed.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm

Point = tuple[Fraction, Fraction]
Segment = tuple[Point, Point]
Polygon = list[Point]


@dataclass(frozen=True)
class Affine:
    """a1*x1 + a2*x2 + const."""

    x1: Fraction
    x2: Fraction
    const: Fraction

    def __call__(self, p: Point) -> Fraction:
        return self.x1 * p[0] + self.x2 * p[1] + self.const

    def __sub__(self, other: "Affine") -> "Affine":
        return Affine(self.x1 - other.x1, self.x2 - other.x2, self.const - other.const)

    def __neg__(self) -> "Affine":
        return Affine(-self.x1, -self.x2, -self.const)

    def scaled(self, k: Fraction) -> "Affine":
        return Affine(self.x1 * k, self.x2 * k, self.const * k)

    @property
    def is_constant(self) -> bool:
        return self.x1 == 0 and self.x2 == 0

    def text(self) -> str:
        """The function as an exam answer writes it: `x2`, `x1 + 1`, `-2*x1 + x2/2 - 1`."""
        return linear_text([(self.x1, "x1"), (self.x2, "x2")], self.const)

    def exact(self) -> dict[str, str]:
        return {"x1": str(self.x1), "x2": str(self.x2), "const": str(self.const)}

    def as_floats(self) -> dict[str, float]:
        return {"x1": float(self.x1), "x2": float(self.x2), "const": float(self.const)}


def linear_text(terms: list[tuple[Fraction, str]], const: Fraction = Fraction(0)) -> str:
    parts: list[str] = []
    for coef, name in terms:
        if coef == 0:
            continue
        size = abs(coef)
        if size == 1:
            body = name
        elif size.denominator == 1:
            body = f"{size}*{name}"
        elif size.numerator == 1:
            body = f"{name}/{size.denominator}"
        else:
            body = f"{size}*{name}"
        parts.append(("- " if coef < 0 else "+ ") + body)
    if const != 0 or not parts:
        parts.append(("- " if const < 0 else "+ ") + str(abs(const)))
    text = " ".join(parts)
    return text[2:] if text.startswith("+ ") else "-" + text[2:]


def normalised(h: Affine) -> Affine:
    """The same half-plane h > 0 with coprime integer coefficients (a canonical key for lines)."""
    values = [Fraction(v) for v in (h.x1, h.x2, h.const)]
    den = lcm(*(v.denominator for v in values))
    ints = [int(v * den) for v in values]
    g = gcd(*ints) or 1
    return Affine(*(Fraction(i, g) for i in ints))


def inequality_text(h: Affine, strict: bool = True) -> str:
    """h > 0 written readably: `x1 > 0`, `x2 > x1`, `x2 < x1 - 1`, `x1 + x2 < 1`, `x1 > 3/2`."""
    op, flipped = (">", "<") if strict else (">=", "<=")
    n = normalised(h)
    names = [(n.x1, "x1"), (n.x2, "x2")]
    used = [(c, v) for c, v in names if c != 0]
    if not used:
        return "true" if n.const > 0 else "false"
    if len(used) == 1:
        c, v = used[0]
        bound = -n.const / c
        return f"{v} {op if c > 0 else flipped} {bound}"
    if (n.x1 > 0) == (n.x2 > 0):   # same signs: a*x1 + b*x2 > c, both coefficients positive
        if n.x1 > 0:
            return f"{linear_text(used)} {op} {-n.const}"
        return f"{linear_text([(-c, v) for c, v in used])} {flipped} {n.const}"
    # opposite signs: x2 as the subject, `x2 > x1 - 1`, `2*x2 < x1 + 3`
    rel = op if n.x2 > 0 else flipped
    k = abs(n.x2)
    return f"{linear_text([(k, 'x2')])} {rel} {linear_text([(-n.x1 * k / n.x2, 'x1')], -n.const * k / n.x2)}"


# --- polygons -------------------------------------------------------------------------------

def box_polygon(box: tuple[Fraction, Fraction, Fraction, Fraction]) -> Polygon:
    x1lo, x1hi, x2lo, x2hi = box
    return [(x1lo, x2lo), (x1hi, x2lo), (x1hi, x2hi), (x1lo, x2hi)]


def area(poly: Polygon) -> Fraction:
    n = len(poly)
    twice = sum(poly[i][0] * poly[(i + 1) % n][1] - poly[(i + 1) % n][0] * poly[i][1]
                for i in range(n))
    return twice / 2


def centroid(poly: Polygon) -> Point:
    """The area centroid of a convex polygon with positive area (an interior point)."""
    n = len(poly)
    cx = cy = twice = 0
    for i in range(n):
        (ax, ay), (bx, by) = poly[i], poly[(i + 1) % n]
        cross = ax * by - bx * ay
        twice += cross
        cx += (ax + bx) * cross
        cy += (ay + by) * cross
    return (cx / (3 * twice), cy / (3 * twice))


def clip(poly: Polygon, h: Affine) -> Polygon:
    """The part of a convex polygon where h >= 0 (possibly degenerate: check its area)."""
    vals = [h(p) for p in poly]
    out: Polygon = []
    n = len(poly)
    for i in range(n):
        p, q, vp, vq = poly[i], poly[(i + 1) % n], vals[i], vals[(i + 1) % n]
        if vp >= 0:
            out.append(p)
        if (cross := _edge_crossing(p, q, vp, vq)) is not None:
            out.append(cross)
    return _without_collinear(out)


def _edge_crossing(p: Point, q: Point, vp: Fraction, vq: Fraction) -> Point | None:
    """Where the edge p -> q strictly crosses a line whose function is vp at p and vq at q."""
    if (vp > 0 > vq) or (vp < 0 < vq):
        t = vp / (vp - vq)
        return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))
    return None


def _without_collinear(poly: Polygon) -> Polygon:
    changed = True
    while changed and len(poly) >= 3:
        changed = False
        n = len(poly)
        for i in range(n):
            a, b, c = poly[i - 1], poly[i], poly[(i + 1) % n]
            if (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]) == 0:
                del poly[i]
                changed = True
                break
    return poly


def edges(poly: Polygon) -> list[Segment]:
    return [(poly[i], poly[(i + 1) % len(poly)]) for i in range(len(poly))]


def is_facet(poly: Polygon, h: Affine, box: tuple) -> bool:
    """Whether the line h = 0 carries an edge of the polygon that is not on the box's border."""
    x1lo, x1hi, x2lo, x2hi = box
    for p, q in edges(poly):
        if h(p) == 0 and h(q) == 0:
            on_border = (p[0] == q[0] and p[0] in (x1lo, x1hi)) or (p[1] == q[1] and p[1] in (x2lo, x2hi))
            if not on_border:
                return True
    return False


def contains(poly: Polygon, p: Point, strict: bool = True) -> bool:
    n = len(poly)
    for i in range(n):
        (ax, ay), (bx, by) = poly[i], poly[(i + 1) % n]
        cross = (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax)
        if cross < 0 or (strict and cross == 0):
            return False
    return True


def intersect(a: Polygon, b: Polygon) -> Polygon:
    """The intersection of two convex CCW polygons."""
    out = list(a)
    for p, q in edges(b):
        if len(out) < 3:
            return []
        # left of p->q is inside
        h = Affine(-(q[1] - p[1]), q[0] - p[0], (q[1] - p[1]) * p[0] - (q[0] - p[0]) * p[1])
        out = clip(out, h)
    return out if len(out) >= 3 else []


# --- lines and segments ---------------------------------------------------------------------

def line_cut(poly: Polygon, g: Affine) -> Segment | None:
    """The intersection of the line g = 0 (g not constant) with a convex polygon, or None."""
    vals = [g(p) for p in poly]
    pts: list[Point] = []
    n = len(poly)
    for i in range(n):
        p, q, vp, vq = poly[i], poly[(i + 1) % n], vals[i], vals[(i + 1) % n]
        if vp == 0:
            pts.append(p)
        if (cross := _edge_crossing(p, q, vp, vq)) is not None:
            pts.append(cross)
    if not pts:
        return None
    along = lambda p: -g.x2 * p[0] + g.x1 * p[1]  # noqa: E731 - position along the line
    pts.sort(key=along)
    return (pts[0], pts[-1])


def segment_length2(s: Segment) -> Fraction:
    return (s[1][0] - s[0][0]) ** 2 + (s[1][1] - s[0][1]) ** 2


def segment_text(s: Segment) -> str:
    """`x2 = 1 for 0 < x1 < 1`, `x1 = 2 for -1 < x2 < 3`, or a single point."""
    (ax, ay), (bx, by) = s
    if ax == bx and ay == by:
        return f"the point ({ax}, {ay})"
    if ax == bx:
        lo, hi = sorted((ay, by))
        return f"x1 = {ax} for {lo} < x2 < {hi}"
    slope = (by - ay) / (bx - ax)
    lo, hi = sorted((ax, bx))
    return f"x2 = {linear_text([(slope, 'x1')], ay - slope * ax)} for {lo} < x1 < {hi}"


def merge_segments(segments: list[Segment]) -> list[Segment]:
    """Union of collinear overlapping or touching segments; isolated points kept only if uncovered."""
    lines: dict[Affine, list[tuple[Fraction, Fraction, Point, Point]]] = {}
    points: list[Point] = []
    for a, b in segments:
        if a == b:
            points.append(a)
            continue
        g = normalised(Affine(b[1] - a[1], a[0] - b[0], -(b[1] - a[1]) * a[0] - (a[0] - b[0]) * a[1]))
        if g.x1 < 0 or (g.x1 == 0 and g.x2 < 0):
            g = -g
        t = lambda p: -g.x2 * p[0] + g.x1 * p[1]  # noqa: E731
        (ta, pa), (tb, pb) = sorted([(t(a), a), (t(b), b)])
        lines.setdefault(g, []).append((ta, tb, pa, pb))
    merged: list[Segment] = []
    for spans in lines.values():
        spans.sort()
        _, hi, plo, phi = spans[0]
        for s_lo, s_hi, p_lo, p_hi in spans[1:]:
            if s_lo <= hi:
                if s_hi > hi:
                    hi, phi = s_hi, p_hi
            else:
                merged.append((plo, phi))
                hi, plo, phi = s_hi, p_lo, p_hi
        merged.append((plo, phi))
    for p in dict.fromkeys(points):
        if not any(_on_segment(p, s) for s in merged):
            merged.append((p, p))
    return merged


def _on_segment(p: Point, s: Segment) -> bool:
    (ax, ay), (bx, by) = s
    cross = (bx - ax) * (p[1] - ay) - (by - ay) * (p[0] - ax)
    return cross == 0 and min(ax, bx) <= p[0] <= max(ax, bx) and min(ay, by) <= p[1] <= max(ay, by)
