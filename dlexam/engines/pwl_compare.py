"""Comparing pieces and level sets geometrically, for grading students' drawings and answers.

Every comparison returns how much differs and a point where it differs, so feedback can say
"at (1.2, -0.4) your piece says ... but y = ...". Regions are given as polygons or as
conditions such as `x1 > 0 and x2 > h` (parsed against the program, so its names may occur).
"""

from __future__ import annotations

import ast
import copy
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Callable, Sequence

from dlexam.engines.pwl import lin_values, operation_values
from dlexam.engines.pwl_box import make_box
from dlexam.engines.pwl_geometry import (
    Affine,
    Polygon,
    Segment,
    area,
    box_polygon,
    clip,
)
from dlexam.engines.pwl_parse import Lin, Program, _expr
from dlexam.engines.syntax import parse_quietly
from dlexam.errors import InputError

if TYPE_CHECKING:   # NumPy is imported where points are computed: parsing (posing a question) stays NumPy-free
    import numpy as np

Points = "np.ndarray"                 # (N, 2) float64
Region = Callable[[Any], Any] | Sequence  # a predicate on points (N, 2) -> bool array, or a convex polygon

_COMPARE = {ast.Gt: ">", ast.GtE: ">=", ast.Lt: "<", ast.LtE: "<="}


@dataclass
class Condition:
    """A conjunction of comparisons `left op right`, evaluated through a program's names."""

    text: str
    program: Program                     # a private copy: calls in the condition add operations
    comparisons: list[tuple[Lin, str, Lin]]

    def holds(self, points: Points) -> np.ndarray:
        """Where every comparison holds (float64, at points (N, 2))."""
        import numpy as np

        pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
        values, _ = operation_values(self.program, pts)
        ok = np.ones(len(pts), dtype=bool)
        for left, op, right in self.comparisons:
            d = lin_values(left, pts, values) - lin_values(right, pts, values)
            ok &= d > 0 if op == ">" else d >= 0 if op == ">=" else d < 0 if op == "<" else d <= 0
        return ok

    def halfplanes(self) -> list[Affine]:
        """The comparisons as h > 0 (or >= 0), when all are affine in x1, x2 alone."""
        out = []
        for left, op, right in self.comparisons:
            d = left.plus(right, -1)
            if any(not isinstance(a, str) for a in d.atoms()):
                raise InputError(f"The condition `{self.text}` uses a max/min/relu/abs value, "
                                 f"so it is not a polygon by itself.")
            coef = dict(d.terms)
            h = Affine(coef.get("x1", Fraction(0)), coef.get("x2", Fraction(0)), d.const)
            out.append(h if op in (">", ">=") else -h)
        return out

    def polygon(self, box: Any = None) -> Polygon:
        """The condition's region in the box as an exact convex polygon ([] if it has no area)."""
        poly = box_polygon(make_box(box))
        for h in self.halfplanes():
            if h.is_constant:
                if h.const < 0:
                    return []
                continue
            poly = clip(poly, h)
            if len(poly) < 3:
                return []
        return poly if area(poly) > 0 else []


def parse_condition(text: str, program: Program | None = None) -> Condition:
    """Parse `x1 > 0 and x2 > h` (also ∧, &, &&, commas, ≤, ≥, chains `0 < x1 < 1`, `true`)."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("The condition is empty.")
    scratch = copy.deepcopy(program) if program is not None else Program(source="")
    source = text.strip().replace("∧", " and ").replace("&&", " and ").replace("&", " and ")
    source = source.replace("≤", "<=").replace("≥", ">=").replace("−", "-").replace(",", " and ")
    source = re.sub(r"\bx_([12])\b", r"x\1", source)
    if source.lower() in ("true", "everywhere", "always"):
        return Condition(text, scratch, [])
    try:
        tree = parse_quietly(source, mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise InputError(f"The condition `{text}` cannot be read: write it as `x1 > 0 and x2 > x1`.") from None
    parts = tree.values if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And) else [tree]
    comparisons = []
    try:
        for part in parts:
            if not isinstance(part, ast.Compare) or not all(type(o) in _COMPARE for o in part.ops):
                raise InputError(f"`{ast.unparse(part)}` is not a comparison with <, <=, > or >=.")
            sides = [_expr(scratch, node) for node in [part.left, *part.comparators]]
            for k, op in enumerate(part.ops):
                comparisons.append((sides[k], _COMPARE[type(op)], sides[k + 1]))
    except RecursionError:
        raise InputError(f"The condition `{text}` is nested too deeply.") from None
    return Condition(text, scratch, comparisons)


def parse_affine(text: str) -> Affine:
    """A student's affine function such as `x1 + 1`, `y = 2*x2 - 1/2` or `0`, exactly."""
    if not isinstance(text, str) or not text.strip():
        raise InputError("The function is empty.")
    named = re.fullmatch(r"\s*[A-Za-z_]\w*\s*=(?!=)(.*)", text, flags=re.S)   # `y = ...`
    body = named.group(1) if named else text
    lin = _side(body, text)
    coef = dict(lin.terms)
    return Affine(coef.get("x1", Fraction(0)), coef.get("x2", Fraction(0)), lin.const)


def parse_segment(text: str) -> Segment:
    """A segment as an answer writes it (and `segment_text` prints it):
    `x2 = 1 for 0 < x1 < 1`, `x1 = -x2 + 2 for -1 <= x2 <= 3`."""
    match = re.fullmatch(r"\s*(x[12])\s*=(.+?)\bfor\b(.+)", text or "")
    if not match:
        raise InputError(f"The segment `{text}` cannot be read: write it as `x2 = 1 for 0 < x1 < 1`.")
    var, expr, bounds = match.groups()
    free = "x1" if var == "x2" else "x2"
    line = _side(expr, text)
    if any(a != free for a in line.atoms()):
        raise InputError(f"In `{text}`, {var} must be given in terms of {free} alone.")
    numbers = re.fullmatch(rf"\s*([^<>=]+?)\s*<=?\s*{free}\s*<=?\s*([^<>=]+?)\s*", bounds)
    if not numbers:
        raise InputError(f"The range in `{text}` must read `a < {free} < b`.")
    lo, hi = (_side(t, text) for t in numbers.groups())
    if not (lo.is_constant and hi.is_constant):
        raise InputError(f"The range in `{text}` must have numbers at both ends.")
    slope = dict(line.terms).get(free, Fraction(0))
    ends = [(t, slope * t + line.const) for t in (lo.const, hi.const)]
    return tuple(end if var == "x2" else end[::-1] for end in ends)  # type: ignore[return-value]


def _side(text: str, whole: str) -> Lin:
    try:
        node = parse_quietly(text.strip().replace("−", "-"), mode="eval").body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        raise InputError(f"`{whole}` cannot be read.") from None
    scratch = Program(source="")
    try:
        lin = _expr(scratch, node)
    except RecursionError:
        raise InputError(f"`{whole}` is nested too deeply.") from None
    if scratch.operations:
        raise InputError(f"`{whole}` must be affine in x1 and x2, without max, min, relu or abs.")
    return lin


# --- where two regions or partitions differ -------------------------------------------------

def grid(box: Any, n: int = 201) -> tuple[Points, tuple[int, int]]:
    """An n x n grid of points inside the box, nudged by irrational offsets so that no point
    lies on a line with small rational coefficients (piece edges, students' lines)."""
    import numpy as np

    x1lo, x1hi, x2lo, x2hi = (float(v) for v in make_box(box))
    xs = x1lo + (np.arange(n) + 0.5 + 0.01 * np.sqrt(2)) * (x1hi - x1lo) / n
    ys = x2lo + (np.arange(n) + 0.5 + 0.01 * np.sqrt(3)) * (x2hi - x2lo) / n
    gx, gy = np.meshgrid(xs, ys, indexing="ij")
    return np.stack([gx.ravel(), gy.ravel()], axis=1), (n, n)


def polygon_contains(polygon: Sequence, points: Points, strict: bool = True) -> np.ndarray:
    """Which points lie inside a convex counter-clockwise polygon."""
    import numpy as np

    poly = np.asarray([[float(x), float(y)] for x, y in polygon], dtype=np.float64)
    ok = np.ones(len(points), dtype=bool)
    if len(poly) < 3:
        return ~ok
    for a, b in zip(poly, np.roll(poly, -1, axis=0)):
        cross = (b[0] - a[0]) * (points[:, 1] - a[1]) - (b[1] - a[1]) * (points[:, 0] - a[0])
        ok &= cross > 0 if strict else cross >= 0
    return ok


def region_mask(region: Region, points: Points) -> np.ndarray:
    import numpy as np

    if callable(region):
        return np.asarray(region(points), dtype=bool)
    if isinstance(region, Condition):
        return region.holds(points)
    return polygon_contains(region, points)


def region_difference(a: Region, b: Region, box: Any, n: int = 201) -> tuple[float, tuple[float, float] | None]:
    """Share of the box where exactly one of two regions holds, and the point deepest inside
    that difference (None if they agree on the whole grid)."""
    points, shape = grid(box, n)
    differ = region_mask(a, points) != region_mask(b, points)
    return float(differ.mean()), _deepest(points, differ, shape)


def partition_difference(a: Sequence[Region], b: Sequence[Region], box: Any,
                         n: int = 201) -> tuple[float, tuple[float, float] | None, list[int | None]]:
    """Compare two partitions (lists of regions). Regions are matched one to one by overlap;
    returns the share of the box where the matched labels differ (or a point is in no region),
    the deepest such point, and for every region of `a` its matched index in `b` (or None)."""
    import numpy as np

    points, shape = grid(box, n)
    la, lb = _labels(a, points), _labels(b, points)
    counts = np.zeros((len(a) + 1, len(b) + 1), dtype=np.int64)
    np.add.at(counts, (la + 1, lb + 1), 1)
    match: list[int | None] = [None] * len(a)
    used: set[int] = set()
    for flat in np.argsort(-counts[1:, 1:], axis=None, kind="stable"):
        i, j = divmod(int(flat), len(b))
        if counts[i + 1, j + 1] == 0:
            break
        if match[i] is None and j not in used:
            match[i] = j
            used.add(j)
    mapped = np.array([-1] + [-2 if m is None else m for m in match])[la + 1]
    differ = (mapped != lb) | (la < 0) | (lb < 0)
    return float(differ.mean()), _deepest(points, differ, shape), match


def _labels(regions: Sequence[Region], points: Points) -> np.ndarray:
    import numpy as np

    labels = np.full(len(points), -1)
    for k, region in enumerate(regions):
        mask = region_mask(region, points) & (labels < 0)
        labels[mask] = k
    return labels


def _deepest(points: Points, mask: np.ndarray, shape: tuple[int, int]) -> tuple[float, float] | None:
    """A point of the mask as far from its edge as possible (erode until nothing is left)."""
    import numpy as np

    m = mask.reshape(shape)
    if not m.any():
        return None
    while True:  # outside the box counts as agreeing, so the point keeps away from its border
        eroded = m.copy()
        eroded[0, :] = eroded[-1, :] = eroded[:, 0] = eroded[:, -1] = False
        eroded[1:, :] &= m[:-1, :]
        eroded[:-1, :] &= m[1:, :]
        eroded[:, 1:] &= m[:, :-1]
        eroded[:, :-1] &= m[:, 1:]
        if not eroded.any():
            break
        m = eroded
    idx = np.flatnonzero(m.ravel())
    chosen = points[idx]
    centre = chosen.mean(axis=0)
    best = idx[np.argmin(((chosen - centre) ** 2).sum(axis=1))]
    return (float(points[best, 0]), float(points[best, 1]))


# --- where two functions on a piece differ --------------------------------------------------

def function_difference_point(polygon: Polygon, f: Affine, g: Affine) -> tuple[Fraction, Fraction] | None:
    """An interior point of the polygon where f and g differ (None if they are the same function)."""
    if f == g:
        return None
    n = len(polygon)
    cx = sum(p[0] for p in polygon) / n
    cy = sum(p[1] for p in polygon) / n
    # the vertex mean and points halfway to each vertex: f - g vanishes on one line only
    for p in [(cx, cy)] + [((cx + x) / 2, (cy + y) / 2) for x, y in polygon]:
        if f(p) != g(p):
            return p
    return None  # unreachable for a polygon with area


# --- where two sets of segments differ ------------------------------------------------------

def segments_difference(a: Sequence[Segment], b: Sequence[Segment],
                        samples: int = 101) -> tuple[float, tuple[float, float] | None]:
    """The Hausdorff distance between two sets of segments (sampled: `samples` points per
    segment, so within half a sample spacing) and a point (on one of them) that is that far
    from the other set. Two empty sets agree (0, None); one empty set is
    infinitely far from the other, the point then lies on the non-empty one."""
    import numpy as np

    pa, pb = _sample(a, samples), _sample(b, samples)
    if len(pa) == 0 and len(pb) == 0:
        return 0.0, None
    if len(pa) == 0 or len(pb) == 0:
        some = pa if len(pa) else pb
        return float("inf"), (float(some[0, 0]), float(some[0, 1]))
    da = _distance_to(pa, b)
    db = _distance_to(pb, a)
    if da.max() >= db.max():
        k = int(np.argmax(da))
        return float(da[k]), (float(pa[k, 0]), float(pa[k, 1]))
    k = int(np.argmax(db))
    return float(db[k]), (float(pb[k, 0]), float(pb[k, 1]))


def _as_array(segments: Sequence[Segment]) -> np.ndarray:
    import numpy as np

    return np.array([[[float(v) for v in p] for p in s] for s in segments], dtype=np.float64).reshape(-1, 2, 2)


def _sample(segments: Sequence[Segment], samples: int) -> np.ndarray:
    import numpy as np

    s = _as_array(segments)
    t = np.linspace(0.0, 1.0, samples)[None, :, None]
    return (s[:, None, 0] + t * (s[:, None, 1] - s[:, None, 0])).reshape(-1, 2)


def _distance_to(points: np.ndarray, segments: Sequence[Segment]) -> np.ndarray:
    import numpy as np

    s = _as_array(segments)
    a, d = s[:, 0], s[:, 1] - s[:, 0]                                   # (S, 2)
    length2 = np.maximum((d ** 2).sum(axis=1), 1e-300)
    rel = points[:, None, :] - a[None]                                  # (N, S, 2)
    t = np.clip((rel * d[None]).sum(axis=2) / length2[None], 0.0, 1.0)
    nearest = a[None] + t[..., None] * d[None]
    return np.sqrt(((points[:, None, :] - nearest) ** 2).sum(axis=2)).min(axis=1)


def level_difference(a: Sequence[Segment], b: Sequence[Segment], tolerance: float) -> tuple[float, float] | None:
    """A point where two level sets differ by more than the tolerance, or None if they agree."""
    distance, point = segments_difference(a, b)
    return point if distance > tolerance else None


def piece_regions(partition: Any) -> list[Polygon]:
    """The pieces of a partition as polygons (the regions `partition_difference` compares)."""
    return [p.polygon for p in partition.pieces] if hasattr(partition, "pieces") else list(partition.polygons)

