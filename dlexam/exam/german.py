"""The German grade of a mock exam: 1.0 (best) to 5.0 (failed), from the share of points.

The grades are the steps German examination regulations use (1.0, 1.3, 1.7, 2.0, 2.3, 2.7,
3.0, 3.3, 3.7, 4.0 pass; 5.0 fail — the steps of the KMK's common structural guidelines for
Bachelor's and Master's programmes). Which share of points earns which step is each exam's own
choice; this is the common key with the pass mark at 50 % and equal steps of 5 % above it, so
1.0 needs 95 %:

    share of points  >= 95 %  90 %  85 %  80 %  75 %  70 %  65 %  60 %  55 %  50 %   below
    grade               1.0   1.3   1.7   2.0   2.3   2.7   3.0   3.3   3.7   4.0    5.0

A threshold reached exactly counts (30 of 60 points is 4.0). Shares are compared in exact
fractions of the points, so 57 of 60 is 1.0 and 56.99 of 60 is 1.3.
"""

from __future__ import annotations

from fractions import Fraction

PASS_MARK = Fraction(50, 100)
FAIL = 5.0
# (least share of the points, grade), best first
SCALE: tuple[tuple[Fraction, float], ...] = tuple(
    (Fraction(95 - 5 * step, 100), grade)
    for step, grade in enumerate((1.0, 1.3, 1.7, 2.0, 2.3, 2.7, 3.0, 3.3, 3.7, 4.0)))


def german_grade(points: float, max_points: float) -> float:
    """The grade for `points` of `max_points` (max_points > 0)."""
    if max_points <= 0:
        raise ValueError("an exam has a positive number of points")
    share = Fraction(points).limit_denominator(10**6) / Fraction(max_points).limit_denominator(10**6)
    for least, grade in SCALE:
        if share >= least:
            return grade
    return FAIL


def passed(grade: float) -> bool:
    return grade <= 4.0


def scale_rows() -> list[tuple[str, str]]:
    """The key as (share, grade) rows, for a screen or a README."""
    return [(f">= {float(least) * 100:g} %", f"{grade:.1f}") for least, grade in SCALE] + \
           [(f"< {float(PASS_MARK) * 100:g} %", f"{FAIL:.1f}")]
