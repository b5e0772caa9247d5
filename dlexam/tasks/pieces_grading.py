"""Grading the linear-pieces task geometrically, piece by piece, with a point for every mistake.

(a) Pieces: the student's regions are matched to the true pieces by overlap (any order; the
given piece is put first on the student's side, so it need not be repeated). Each piece to be
found earns half its share for the region (it may differ from the truth on at most
`REGION_TOLERANCE` of the box) and half for the function y on it (exact, up to 1e-9).
(b) Boundary: the student's segments are clipped to each true piece. Each piece the boundary
crosses earns an equal share when the clipped segments lie within `BOUNDARY_TOLERANCE` of the
true boundary on it (Hausdorff distance: nothing missing, nothing extra); a segment longer
than the tolerance drawn on a piece the boundary does not cross costs one share (never below 0).
The given piece is graded in neither part.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from dlexam.engines import pwl
from dlexam.engines.pwl_compare import (
    function_difference_point, partition_difference, region_difference, region_mask, segments_difference,
)
from dlexam.engines.pwl_geometry import Affine, Segment, contains, segment_length2, segment_text
from dlexam.tasks.model import PartGrade
from dlexam.tasks.pieces_answer import StudentAnswer, StudentPiece, clip_segment

REGION_TOLERANCE = 0.003       # share of the box
BOUNDARY_TOLERANCE = 0.15      # distance in the plane (the box is 10 wide)
FUNCTION_TOLERANCE = 1e-9
SAMPLES = 401                  # per segment for the Hausdorff distance: error <= ~0.02


@dataclass
class PieceCheck:
    index: int                  # the true piece
    points: float
    feedback: str | None        # None when all is right
    evidence: dict[str, Any]


def show_point(p: Any) -> str:
    """(1.25, -0.4): a point for feedback, short."""
    return "(" + ", ".join(_num(v) for v in p) + ")"


def _num(v: Any) -> str:
    v = Fraction(v)
    if v.denominator == 1:
        return str(v)
    if (100 * v).denominator == 1:
        return f"{float(v):.2f}".rstrip("0").rstrip(".")
    return str(v) if v.denominator <= 12 else f"{float(v):.2f}"


def _at(p: Any) -> list[float]:
    return [float(p[0]), float(p[1])]


def _value(partition: pwl.Partition, point: Any) -> str:
    return _num(pwl.evaluate(partition.program, (Fraction(_num(point[0])), Fraction(_num(point[1])))))


# --- (a) pieces -----------------------------------------------------------------------------

def grade_pieces(partition: pwl.Partition, given: int, answer: StudentAnswer, points: float,
                 tolerance: float = REGION_TOLERANCE) -> PartGrade:
    pieces = partition.pieces
    share = points / (len(pieces) - 1)
    regions = [pieces[given].polygon] + [s.region for s in answer.pieces]
    _, _, match = partition_difference([p.polygon for p in pieces], regions, partition.box)
    checks = [_check_piece(partition, i, match[i], answer.pieces, share, tolerance)
              for i in range(len(pieces)) if i != given]
    got = sum(c.points for c in checks)
    regions_ok = sum(c.evidence["region_ok"] for c in checks)
    functions_ok = sum(c.evidence["function_ok"] for c in checks)
    head = (f"(a) {got:g} of {points:g} points: {regions_ok} of {len(checks)} pieces found, "
            f"{functions_ok} of {len(checks)} functions right (the given piece counts for nothing).")
    lines = [head] + [c.feedback for c in checks if c.feedback]
    given_polygon = pieces[given].polygon       # a repeated given piece is not an extra one
    extra = [s.text for j, s in enumerate(answer.pieces, start=1) if j not in match
             and region_difference(given_polygon, s.region, partition.box)[0] > tolerance]
    if extra and regions_ok < len(checks):
        lines.append(f"Not matched to any piece: {', '.join('`' + t + '`' for t in extra)}.")
    return PartGrade("pieces", got, points, "\n".join(lines),
                     {"pieces": [c.evidence for c in checks], "unmatched": extra})


def _check_piece(partition: pwl.Partition, i: int, j: int | None, students: list[StudentPiece],
                 share: float, tolerance: float) -> PieceCheck:
    piece = partition.pieces[i]
    evidence: dict[str, Any] = {"piece": piece.condition, "answer": None, "region_ok": False,
                                "function_ok": False, "point": None}
    if j is None or j == 0:
        _, point = region_difference(piece.polygon, lambda pts: np.zeros(len(pts), bool), partition.box)
        point = _rounded(point, lambda p: contains(piece.polygon, p))
        evidence["point"] = _at(point)
        return PieceCheck(i, 0.0, f"Missing: no piece of yours is the piece containing {show_point(point)} "
                                  f"(y = {_value(partition, point)} there).", evidence)
    student = students[j - 1]
    evidence["answer"] = student.text
    # the student's region on its own: overlapping another piece is a mistake too
    mine = lambda pts: region_mask(student.region, pts)  # noqa: E731
    difference, point = region_difference(piece.polygon, mine, partition.box)
    problems = []
    region_ok = difference <= tolerance
    if not region_ok:
        differs = lambda p: contains(piece.polygon, p) != bool(mine(np.asarray([_at(p)]))[0])  # noqa: E731
        point = _rounded(point, differs)
        evidence["point"] = _at(point)
        inside = contains(piece.polygon, point)
        problems.append(f"Your piece `{student.text}` is not the right region: it "
                        f"{'leaves out' if inside else 'wrongly includes'} the point {show_point(point)} "
                        f"({100 * difference:.1f}% of the box differs).")
    function_ok = student.function is not None and _same(student.function, piece.function)
    if student.function is None:
        problems.append(f"Give the function y on your piece `{student.text}`.")
    elif not function_ok:
        where = function_difference_point(piece.polygon, piece.function, student.function)
        where = _nicer_point(piece.polygon, piece.function, student.function) or where
        evidence["point"] = evidence["point"] or _at(where)
        problems.append(f"On your piece `{student.text}` you give y = {student.function.text()}, but at "
                        f"{show_point(where)} y = {_num(piece.function(where))}, "
                        f"not {_num(student.function(where))}.")
    evidence.update(region_ok=region_ok, function_ok=function_ok)
    points = share * (region_ok + function_ok) / 2
    return PieceCheck(i, points, " ".join(problems) or None, evidence)


def _rounded(point, keeps) -> tuple[Fraction, Fraction]:
    """The point with whole, half or tenth coordinates if it still shows the difference, clear of
    any edge (its close neighbours show it too)."""
    near = Fraction(1, 50)
    for step in (1, 2, 10):
        p = (Fraction(round(point[0] * step), step), Fraction(round(point[1] * step), step))
        if all(keeps((p[0] + dx, p[1] + dy)) for dx in (-near, 0, near) for dy in (-near, 0, near)):
            return p
    return (Fraction(point[0]), Fraction(point[1]))


def _same(f: Affine, g: Affine) -> bool:
    return all(abs(float(a - b)) <= FUNCTION_TOLERANCE for a, b in
               ((f.x1, g.x1), (f.x2, g.x2), (f.const, g.const)))


def _nicer_point(polygon, f: Affine, g: Affine):
    """A point with whole or half coordinates inside the piece where f and g differ, if any."""
    xs = [v for v, _ in polygon]
    ys = [v for _, v in polygon]
    cx, cy = sum(xs) / len(xs), sum(ys) / len(ys)
    candidates = sorted(((Fraction(a, 2), Fraction(b, 2)) for a in range(int(2 * min(xs)), int(2 * max(xs)) + 1)
                         for b in range(int(2 * min(ys)), int(2 * max(ys)) + 1)),
                        key=lambda p: (p[0].denominator + p[1].denominator, (p[0] - cx) ** 2 + (p[1] - cy) ** 2))
    for p in candidates:
        if contains(polygon, p) and not _same(Affine(0, 0, f(p)), Affine(0, 0, g(p))):
            return p
    return None


# --- (b) boundary ---------------------------------------------------------------------------

def grade_boundary(partition: pwl.Partition, given: int, answer: StudentAnswer, points: float,
                   tolerance: float = BOUNDARY_TOLERANCE) -> PartGrade:
    crossed = [i for i, p in enumerate(partition.pieces) if i != given and p.boundary]
    share = points / len(crossed) if crossed else 0.0
    got, lines, evidence = 0.0, [], []
    for i, piece in enumerate(partition.pieces):
        if i == given:
            continue
        mine = [c for s in answer.boundary if (c := _on_piece(s, piece.polygon))]
        if piece.boundary:
            ok, message, point = _compare_on_piece(partition, piece, mine, tolerance)
            got += share * ok
        else:
            mine = [s for s in mine if segment_length2(s) > tolerance ** 2]
            ok, point = not mine, None
            message = None
            if mine:
                middle = _middle(mine[0])
                point = middle
                got -= share
                message = (f"The boundary does not cross the piece `{piece.condition}`, but you draw "
                           f"{segment_text(mine[0])} there: at {show_point(middle)} y = "
                           f"{_value(partition, middle)}, not {_num(partition.level)}.")
        if message:
            lines.append(message)
        evidence.append({"piece": piece.condition, "truth": [segment_text(s) for s in piece.boundary],
                         "answer": [segment_text(s) for s in mine], "ok": bool(ok),
                         "point": None if point is None else _at(point)})
    got = max(0.0, got)
    head = (f"(b) {got:g} of {points:g} points: the boundary y = {_num(partition.level)} is right on "
            f"{sum(e['ok'] for e in evidence if e['truth'])} of {len(crossed)} pieces it crosses "
            f"(the given piece counts for nothing).")
    return PartGrade("boundary", got, points, "\n".join([head, *lines]), {"pieces": evidence})


def _compare_on_piece(partition: pwl.Partition, piece: pwl.Piece, mine: list[Segment],
                      tolerance: float) -> tuple[bool, str | None, Any]:
    truth = piece.boundary
    if not mine:
        middle = _middle(truth[0])
        return False, (f"Missing: the boundary crosses the piece `{piece.condition}`, e.g. at "
                       f"{show_point(middle)} (y = {_num(partition.level)} there); you draw nothing there."), middle
    distance, point = segments_difference(mine, truth, samples=SAMPLES)
    if distance <= tolerance:
        return True, None, None
    on_truth = _distance(point, truth) < _distance(point, mine)
    if on_truth:
        return False, (f"On the piece `{piece.condition}` your boundary misses {show_point(point)}, where "
                       f"y = {_num(partition.level)} (your nearest line is {distance:.2g} away)."), point
    return False, (f"On the piece `{piece.condition}` your boundary passes {show_point(point)}, but y = "
                   f"{_value(partition, point)} there, not {_num(partition.level)} "
                   f"({distance:.2g} from the true boundary)."), point


def _on_piece(segment: Segment, polygon) -> Segment | None:
    """The part of a segment on a piece. A part along an edge shared by two pieces belongs to
    one of them only: the one on its left, walking towards larger x1 (or x2)."""
    part = clip_segment(segment, polygon)
    if part is None or segment_length2(part) == 0:
        return None
    middle = _middle(part)
    if contains(polygon, middle):
        return part
    (ax, ay), (bx, by) = part
    dx, dy = bx - ax, by - ay
    if dx < 0 or (dx == 0 and dy < 0):
        dx, dy = -dx, -dy
    eps = Fraction(1, 10**6)
    return part if contains(polygon, (middle[0] - eps * dy, middle[1] + eps * dx)) else None


def _middle(s: Segment):
    return ((s[0][0] + s[1][0]) / 2, (s[0][1] + s[1][1]) / 2)


def _distance(point, segments: list[Segment]) -> float:
    p = np.asarray([float(point[0]), float(point[1])])
    best = np.inf
    for a, b in segments:
        a, b = np.asarray([float(v) for v in a]), np.asarray([float(v) for v in b])
        d = b - a
        t = np.clip(np.dot(p - a, d) / max(np.dot(d, d), 1e-300), 0.0, 1.0)
        best = min(best, float(np.linalg.norm(p - (a + t * d))))
    return best
