"""Exam task 3: gradient, bound and regularization (see family.py)."""

from dlexam.tasks.gradient_bound.data import exam_variant
from dlexam.tasks.gradient_bound.family import GradientBound

__all__ = ["GradientBound", "exam_variant"]
