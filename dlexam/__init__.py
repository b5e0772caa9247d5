"""dlexam: poses, solves, verifies and grades the tasks of a deep-learning exam."""

__version__ = "0.1.0"
