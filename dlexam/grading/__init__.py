"""Grading students' PyTorch code by its behaviour (exam task 5).

Student code runs in `engines.sandbox`; what comes back (the returned tensor, the trained
weights) is judged here, outside, with the grader's own clean copies of model and data.
"""
