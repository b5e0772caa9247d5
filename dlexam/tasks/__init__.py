"""Exam task families: one place per family (posing, solving, verifying, grading), the registry
and the conformance checks every family must pass."""
