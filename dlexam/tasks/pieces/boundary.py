"""Grading part (b), the boundary y = C, as two questions about the drawing as a whole.

1. Is everything drawn on y = C? Every segment the student draws — wherever it is, on the given
   piece too — must lie within `BOUNDARY_TOLERANCE` of the true level set {y = C} (its segments,
   and the whole of any piece where y = C throughout). Which piece a segment was meant for does
   not matter: a segment on y = C is right wherever it lies. Where a segment leaves y = C, the
   feedback names a point on it and the value of y there.
2. Is all of y = C drawn? On each piece the boundary crosses (the given one aside), every point
   of the true boundary must lie within the tolerance of some drawn segment. Drawing a segment
   twice covers nothing more, so it earns nothing more.

Points: each piece the boundary crosses (other than the given one) earns an equal share when its
boundary is covered and nothing wrong is drawn on it; a wrong drawing on any other piece (the
given one, or one the boundary does not cross) costs one share. Never below 0. A segment along
the edge of two pieces is charged to one of them (`geometry.part_on`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from dlexam.engines import pwl
from dlexam.engines.pwl_compare import polygon_contains
from dlexam.engines.pwl_geometry import Point, Segment, segment_text
from dlexam.grading.geometry import (
    as_floats, distances_to_segments, number_text, part_on, point_on_segment, point_text, sample_segment,
)
from dlexam.grading.grade import PartGrade
from dlexam.tasks.pieces.answer import StudentAnswer

BOUNDARY_TOLERANCE = 0.15      # distance in the plane (the box is 10 wide)
SAMPLES = 401                  # per segment: a 14-long segment is sampled every 0.035


@dataclass
class WrongSegment:
    text: str                  # the segment as the student wrote it
    point: Point               # a point on it, off y = C
    value: Fraction            # y at that point
    pieces: set[int]           # the pieces on which it leaves y = C


def grade_boundary(partition: pwl.Partition, given: int, answer: StudentAnswer, points: float,
                   tolerance: float = BOUNDARY_TOLERANCE) -> PartGrade:
    crossed = [i for i, p in enumerate(partition.pieces) if i != given and p.boundary]
    share = points / len(crossed) if crossed else 0.0
    wrong = [w for text, s in zip(answer.boundary_texts, answer.boundary)
             if (w := _off_level(partition, text, s, tolerance))]
    charged = set().union(*(w.pieces for w in wrong))
    evidence = [_covered(partition, i, answer.boundary, tolerance, i in charged) for i in crossed]
    got = share * sum(e["ok"] for e in evidence) - share * len(charged - set(crossed))
    got = max(0.0, got)
    level = number_text(partition.level)
    head = (f"(b) {got:g} of {points:g} points: the boundary y = {level} is right on "
            f"{sum(e['ok'] for e in evidence)} of {len(crossed)} pieces it crosses (the given piece counts "
            f"for nothing), and {len(wrong)} of your {len(answer.boundary)} segments are off y = {level}.")
    lines = [head, *(e.pop("feedback") for e in evidence if e.get("feedback")),
             *(_wrong_feedback(partition, w) for w in wrong)]
    return PartGrade("boundary", got, points, "\n".join(lines), {
        "level": float(partition.level), "pieces": evidence,
        "wrong_segments": [{"segment": w.text, "point": as_floats(w.point), "y": float(w.value),
                            "pieces": [partition.pieces[i].condition for i in sorted(w.pieces)]} for w in wrong]})


def level_distances(partition: pwl.Partition, points: np.ndarray) -> np.ndarray:
    """Each point's distance to the level set {y = C} in the box (0 on a piece where y = C throughout)."""
    distances = distances_to_segments(points, partition.boundary)
    for piece in partition.pieces:
        if piece.at_level:
            distances[polygon_contains(piece.polygon, points, strict=False)] = 0.0
    return distances


def _off_level(partition: pwl.Partition, text: str, segment: Segment, tolerance: float) -> WrongSegment | None:
    """The segment's farthest point from y = C, if it is beyond the tolerance, and the pieces where it is."""
    distances = level_distances(partition, sample_segment(segment, SAMPLES))
    k = int(np.argmax(distances))
    if distances[k] <= tolerance:
        return None
    off = lambda p: level_distances(partition, np.asarray([as_floats(p)]))[0] > tolerance  # noqa: E731
    point = point_on_segment(segment, Fraction(k, SAMPLES - 1), off)
    pieces = {i for i, piece in enumerate(partition.pieces)
              if (part := part_on(segment, piece.polygon))
              and (level_distances(partition, sample_segment(part, SAMPLES)) > tolerance).any()}
    return WrongSegment(text, point, pwl.evaluate(partition.program, point), pieces)


def _covered(partition: pwl.Partition, i: int, drawn: list[Segment], tolerance: float,
             charged: bool) -> dict[str, Any]:
    """Piece i's boundary against everything drawn: its farthest point from the drawing."""
    piece, level = partition.pieces[i], number_text(partition.level)
    truth = np.concatenate([sample_segment(s, SAMPLES) for s in piece.boundary])
    distances = distances_to_segments(truth, drawn)
    k = int(np.argmax(distances))
    missed = distances[k] > tolerance
    far = lambda p: distances_to_segments(np.asarray([as_floats(p)]), drawn)[0] > tolerance  # noqa: E731
    point = _on_truth(piece.boundary, truth[k], far) if missed else None
    evidence: dict[str, Any] = {
        "piece": piece.condition, "truth": [segment_text(s) for s in piece.boundary],
        "answer": [segment_text(p) for s in drawn if (p := part_on(s, piece.polygon))],
        "ok": not missed and not charged, "point": None if point is None else as_floats(point)}
    if missed:
        nearest = "you draw nothing near it" if np.isinf(distances[k]) else f"your nearest line is " \
                                                                            f"{distances[k]:.2g} away"
        evidence["feedback"] = (f"Missing: the boundary crosses the piece `{piece.condition}` at "
                                f"{point_text(point)}, where y = {level}; {nearest}.")
    return evidence


def _on_truth(boundary: list[Segment], sample: np.ndarray, shows: Callable[[Point], bool]) -> Point:
    """The exact point of the true boundary at a sample, with short coordinates where possible."""
    segment = min(boundary, key=lambda s: distances_to_segments(sample[None], [s])[0])
    axis = 0 if abs(segment[1][0] - segment[0][0]) >= abs(segment[1][1] - segment[0][1]) else 1
    start, end = segment[0][axis], segment[1][axis]
    t = (Fraction(float(sample[axis])) - start) / (end - start)
    return point_on_segment(segment, min(max(t, Fraction(0)), Fraction(1)), shows)


def _wrong_feedback(partition: pwl.Partition, wrong: WrongSegment) -> str:
    level = number_text(partition.level)
    where = " and ".join(f"`{partition.pieces[i].condition}`" for i in sorted(wrong.pieces))
    return (f"Your segment `{wrong.text}` is not on the boundary: at {point_text(wrong.point)} (on the piece "
            f"{where}) y = {number_text(wrong.value)}, not {level}.")
