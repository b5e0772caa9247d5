"""Exam task 3, optimization: Hessian (see family.py)."""
