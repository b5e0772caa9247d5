"""Scoring multiple-choice answers, from which options are correct and which were chosen.

One correct option: choosing exactly that one earns the points, anything else nothing.
Select all that apply: every option is a true/false judgement; each right judgement earns 1/n
of the points and each wrong one costs 1/n, never below 0 — ticking all or none earns no more
than guessing.

Options are indices here; the letters a, b, c, … are the task's business.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence


def judgements(correct: Sequence[bool], chosen: Collection[int]) -> list[bool]:
    """For each option, whether it was judged right: chosen exactly when it is correct."""
    return [(i in chosen) == ok for i, ok in enumerate(correct)]


def select_all_points(correct: Sequence[bool], chosen: Collection[int], points: float) -> float:
    """±1/n of the points per option, never below 0."""
    n = len(correct)
    right = sum(judgements(correct, chosen))
    return points * max(0.0, (2 * right - n) / n)


def single_points(correct: Sequence[bool], chosen: Collection[int], points: float) -> float:
    """All the points for exactly the correct option, else none."""
    return points if all(judgements(correct, chosen)) else 0.0


def choice_points(correct: Sequence[bool], chosen: Collection[int], points: float, multiple: bool) -> float:
    return (select_all_points if multiple else single_points)(correct, chosen, points)
