"""Exam task 4: RNN (see family.py)."""
