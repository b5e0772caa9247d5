"""Exam task 3, optimization: the Hessian and condition number (see family.py)."""

from dlexam.tasks.hessian.data import STATEMENTS
from dlexam.tasks.hessian.family import Hessian

__all__ = ["STATEMENTS", "Hessian"]
