"""Geometry for grading drawings in the plane: clipping students' segments, distances, and points
to name in feedback.

Exact where it decides (Fractions: which piece a segment lies on), floating point where it
measures (distances to compare with a tolerance). A point shown to a student is a short one —
whole, half or tenth coordinates when such a point still shows the mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from dlexam.engines.pwl_geometry import Affine, Point, Polygon, Segment, contains, segment_length2

EDGE_STEP = Fraction(1, 10**6)     # how far off an edge to look, to tell which side a segment is on
CLEAR = Fraction(1, 50)            # a shown point's neighbours this close must show the mistake too


# --- segments on convex polygons ------------------------------------------------------------

def clip_segment(segment: Segment, polygon: Polygon) -> Segment | None:
    """The part of a segment inside a closed convex counter-clockwise polygon (exact), or None."""
    (ax, ay), (bx, by) = segment
    t0, t1 = Fraction(0), Fraction(1)
    n = len(polygon)
    for i in range(n):
        (px, py), (qx, qy) = polygon[i], polygon[(i + 1) % n]
        # left of p->q is inside: h(point) >= 0
        ha = (qx - px) * (ay - py) - (qy - py) * (ax - px)
        hb = (qx - px) * (by - py) - (qy - py) * (bx - px)
        if ha < 0 and hb < 0:
            return None
        if ha < 0 <= hb:
            t0 = max(t0, ha / (ha - hb))
        elif hb < 0 <= ha:
            t1 = min(t1, ha / (ha - hb))
        if t0 > t1:
            return None
    at = lambda t: (ax + t * (bx - ax), ay + t * (by - ay))  # noqa: E731
    return (at(t0), at(t1))


def part_on(segment: Segment, polygon: Polygon) -> Segment | None:
    """The part of a segment on a convex polygon, None if nothing of length is left. A part along
    an edge shared by two polygons belongs to one of them only — the one on its left, walking
    towards larger x1 (or x2) — so a segment drawn along an edge is charged once."""
    part = clip_segment(segment, polygon)
    if part is None or segment_length2(part) == 0:
        return None
    centre = middle(part)
    if contains(polygon, centre):
        return part
    (ax, ay), (bx, by) = part
    dx, dy = bx - ax, by - ay
    if dx < 0 or (dx == 0 and dy < 0):
        dx, dy = -dx, -dy
    return part if contains(polygon, (centre[0] - EDGE_STEP * dy, centre[1] + EDGE_STEP * dx)) else None


def middle(segment: Segment) -> Point:
    return ((segment[0][0] + segment[1][0]) / 2, (segment[0][1] + segment[1][1]) / 2)


def shifted(segment: Segment, distance: float) -> list[list[float]]:
    """The segment moved sideways by `distance` (to its left), as end points [[x1, x2], [x1, x2]]."""
    (ax, ay), (bx, by) = segment
    length = float(segment_length2(segment)) ** 0.5
    nx, ny = float(ay - by) / length, float(bx - ax) / length
    return [[float(x) + distance * nx, float(y) + distance * ny] for x, y in segment]


# --- distances (floating point) -------------------------------------------------------------

def as_array(segments: Sequence[Segment]) -> np.ndarray:
    """Segments as a float array of shape (S, 2, 2)."""
    return np.asarray([[[float(v) for v in p] for p in s] for s in segments], dtype=np.float64).reshape(-1, 2, 2)


def sample_segment(segment: Segment, samples: int) -> np.ndarray:
    """`samples` evenly spaced points of a segment, its ends included, as a (samples, 2) float array."""
    (a, b), t = as_array([segment])[0], np.linspace(0.0, 1.0, samples)[:, None]
    return a + t * (b - a)


def distances_to_segments(points: np.ndarray, segments: Sequence[Segment]) -> np.ndarray:
    """For each of the (N, 2) points, its distance to the nearest segment (inf if there is none)."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    s = as_array(segments)
    if not len(s):
        return np.full(len(points), np.inf)
    a, d = s[:, 0], s[:, 1] - s[:, 0]
    t = np.clip(((points[:, None] - a[None]) * d[None]).sum(axis=2) / np.maximum((d ** 2).sum(axis=1), 1e-300),
                0.0, 1.0)
    return np.sqrt(((points[:, None] - (a[None] + t[..., None] * d[None])) ** 2).sum(axis=2)).min(axis=1)


def distance_to_segments(point: Any, segments: Sequence[Segment]) -> float:
    return float(distances_to_segments(np.asarray([as_floats(point)]), segments)[0])


def same_function(f: Affine, g: Affine, tolerance: float) -> bool:
    """Equal coefficients, each up to the tolerance."""
    return all(abs(float(a - b)) <= tolerance for a, b in ((f.x1, g.x1), (f.x2, g.x2), (f.const, g.const)))


# --- points to show -------------------------------------------------------------------------

def as_floats(point: Any) -> list[float]:
    """A point as plain JSON numbers, for evidence."""
    return [float(point[0]), float(point[1])]


def number_text(value: Any) -> str:
    """A coordinate for feedback, short: `2`, `1/3`, `0.25`, `1.41`."""
    v = Fraction(value)
    if v.denominator == 1:
        return str(v)
    if (100 * v).denominator == 1:
        return f"{float(v):.2f}".rstrip("0").rstrip(".")
    return str(v) if v.denominator <= 12 else f"{float(v):.2f}"


def point_text(point: Any) -> str:
    """(1.25, -0.4): a point for feedback, short."""
    return "(" + ", ".join(number_text(v) for v in point) + ")"


def rounded_point(point: Any, shows: Callable[[Point], bool]) -> Point:
    """The point with whole, half or tenth coordinates if it and its close neighbours still show
    the mistake (`shows`), so it is clear of any edge; else the point as it is."""
    for step in (1, 2, 10):
        p = (Fraction(round(point[0] * step), step), Fraction(round(point[1] * step), step))
        if all(shows((p[0] + dx, p[1] + dy)) for dx in (-CLEAR, 0, CLEAR) for dy in (-CLEAR, 0, CLEAR)):
            return p
    return (Fraction(point[0]), Fraction(point[1]))


def point_on_segment(segment: Segment, t: Fraction, shows: Callable[[Point], bool]) -> Point:
    """The point of the segment at parameter t — or, if it still shows the mistake, one near it
    on the segment whose free coordinate is whole, half or a tenth (so the other one is exact)."""
    (ax, ay), (bx, by) = segment
    axis = 0 if abs(bx - ax) >= abs(by - ay) else 1
    start, end = segment[0][axis], segment[1][axis]
    at = lambda u: (ax + u * (bx - ax), ay + u * (by - ay))  # noqa: E731
    exact = at(t)
    for step in (1, 2, 10):
        free = Fraction(round(exact[axis] * step), step)
        u = (free - start) / (end - start) if end != start else t
        if 0 <= u <= 1 and shows(at(u)):
            return at(u)
    return exact


def half_grid_point(polygon: Polygon, shows: Callable[[Point], bool]) -> Point | None:
    """A point with whole or half coordinates inside the polygon where `shows` holds, the simplest
    and most central first; None if there is none."""
    xs, ys = [v for v, _ in polygon], [v for _, v in polygon]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    candidates = sorted(((Fraction(a, 2), Fraction(b, 2)) for a in range(int(2 * min(xs)), int(2 * max(xs)) + 1)
                         for b in range(int(2 * min(ys)), int(2 * max(ys)) + 1)),
                        key=lambda p: (p[0].denominator + p[1].denominator, (p[0] - cx) ** 2 + (p[1] - cy) ** 2))
    return next((p for p in candidates if contains(polygon, p) and shows(p)), None)
