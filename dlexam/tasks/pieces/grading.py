"""Grading part (a) of the linear-pieces task geometrically, piece by piece, with a point for every
mistake (part (b), the boundary: `pieces.boundary`).

(a) Pieces: the student's regions are matched to the true pieces by overlap (any order; the
given piece is put first on the student's side, so it need not be repeated). Each piece to be
found earns half its share for the region (it may differ from the truth on at most
`REGION_TOLERANCE` of the box) and half for the function y on it (exact, up to 1e-9).
The given piece is not graded.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from dlexam.engines import pwl
from dlexam.engines.pwl_compare import function_difference_point, partition_difference, region_difference, region_mask
from dlexam.engines.pwl_geometry import contains
from dlexam.grading.geometry import as_floats, half_grid_point, number_text, point_text, rounded_point, same_function
from dlexam.grading.grade import PartGrade
from dlexam.tasks.pieces.answer import StudentAnswer, StudentPiece

REGION_TOLERANCE = 0.003       # share of the box
FUNCTION_TOLERANCE = 1e-9


@dataclass
class PieceCheck:
    index: int                  # the true piece
    points: float
    feedback: str | None        # None when all is right
    evidence: dict[str, Any]


def _value(partition: pwl.Partition, point: Any) -> str:
    """y at a shown point, at the coordinates as shown."""
    shown = (Fraction(number_text(point[0])), Fraction(number_text(point[1])))
    return number_text(pwl.evaluate(partition.program, shown))


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
    """Piece i against the student's piece j (1-based; None or 0: not found): region, then function."""
    piece = partition.pieces[i]
    evidence: dict[str, Any] = {"piece": piece.condition, "answer": None, "region_ok": False,
                                "function_ok": False, "point": None}
    if j is None or j == 0:
        return _missing_piece(partition, i, evidence)
    student = students[j - 1]
    evidence["answer"] = student.text
    problems = [p for p in (_region_problem(partition, piece, student, tolerance, evidence),
                            _function_problem(piece, student, evidence)) if p]
    points = share * (evidence["region_ok"] + evidence["function_ok"]) / 2
    return PieceCheck(i, points, " ".join(problems) or None, evidence)


def _missing_piece(partition: pwl.Partition, i: int, evidence: dict[str, Any]) -> PieceCheck:
    piece = partition.pieces[i]
    _, point = region_difference(piece.polygon, lambda pts: np.zeros(len(pts), bool), partition.box)
    point = rounded_point(point, lambda p: contains(piece.polygon, p))
    evidence["point"] = as_floats(point)
    return PieceCheck(i, 0.0, f"Missing: no piece of yours is the piece containing {point_text(point)} "
                              f"(y = {_value(partition, point)} there).", evidence)


def _region_problem(partition: pwl.Partition, piece: pwl.Piece, student: StudentPiece, tolerance: float,
                    evidence: dict[str, Any]) -> str | None:
    # the student's region on its own: overlapping another piece is a mistake too
    mine = lambda pts: region_mask(student.region, pts)  # noqa: E731
    difference, point = region_difference(piece.polygon, mine, partition.box)
    evidence["region_ok"] = difference <= tolerance
    if evidence["region_ok"]:
        return None
    differs = lambda p: contains(piece.polygon, p) != bool(mine(np.asarray([as_floats(p)]))[0])  # noqa: E731
    point = rounded_point(point, differs)
    evidence["point"] = as_floats(point)
    inside = contains(piece.polygon, point)
    return (f"Your piece `{student.text}` is not the right region: it "
            f"{'leaves out' if inside else 'wrongly includes'} the point {point_text(point)} "
            f"({100 * difference:.1f}% of the box differs).")


def _function_problem(piece: pwl.Piece, student: StudentPiece, evidence: dict[str, Any]) -> str | None:
    f, mine = piece.function, student.function
    if mine is None:
        return f"Give the function y on your piece `{student.text}`."
    evidence["function_ok"] = same_function(mine, f, FUNCTION_TOLERANCE)
    if evidence["function_ok"]:
        return None
    differs = lambda p: abs(float(f(p) - mine(p))) > FUNCTION_TOLERANCE  # noqa: E731
    where = half_grid_point(piece.polygon, differs) or function_difference_point(piece.polygon, f, mine)
    evidence["point"] = evidence["point"] or as_floats(where)
    return (f"On your piece `{student.text}` you give y = {mine.text()}, but at {point_text(where)} "
            f"y = {number_text(f(where))}, not {number_text(mine(where))}.")
