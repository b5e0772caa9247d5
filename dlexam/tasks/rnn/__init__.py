"""Exam task 4: RNN, the unrolled graph and the chain rule (see family.py)."""

from dlexam.tasks.rnn.data import exam_variant
from dlexam.tasks.rnn.family import RNN

__all__ = ["RNN", "exam_variant"]
