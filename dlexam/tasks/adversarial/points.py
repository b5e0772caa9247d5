"""The points table of task 5(a)'s code checks and the grade of a file that could not be judged.
No torch: the exam's points tables (paper, the plan) need none; `checks` judges the checks and its
docstring says how."""

from __future__ import annotations

from dlexam.grading.grade import Grade, not_judged

POINTS = {"returns z of the right shape": 1.0, "decision flipped": 3.0, "perturbation small": 1.0,
          "objective minimised": 2.0, "x not modified": 1.0, "model unchanged": 1.0,
          "optimiser and iterations": 1.0}


def failed(error: str) -> Grade:
    """Every check listed at 0 points, so the maximum stays 10."""
    return not_judged(POINTS, error)
