"""The limitations part of task 5(b): 1-2 sentences on what the approach cannot do, and fixes.

Graded against a rubric of key points, one point each, found by words that show them (any one
suffices, case-insensitive). In a code answer the text is the comment lines from the first one
mentioning limitations (`# Limitations: ...`) to the next line of code.
"""

from __future__ import annotations

import textwrap
from typing import Any

from dlexam.grading.grade import PartGrade

RUBRIC = {  # key point -> words that show it (any one suffices)
    "blurry averages from MSE": ("blur", "average", "mean of", "washed", "mse", "l2"),
    "ambiguous colours / contents": ("ambigu", "several", "multiple", "many possible", "unknown colo", "not unique"),
    "fixed mask / small data / no validation": ("fixed", "position", "overfit", "too few", "small data",
                                                "tiny", "validation", "more data", "augment"),
}
POINTS = float(len(RUBRIC))


def grade_limitations(text: Any) -> PartGrade:
    """One point per key point of the rubric that the text makes (keywords, case-insensitive)."""
    text = text.lower() if isinstance(text, str) else ""
    made = [point for point, words in RUBRIC.items() if any(w in text for w in words)]
    missing = [point for point in RUBRIC if point not in made]
    feedback = f"limitations: {len(made)} of {len(RUBRIC)} key points made"
    feedback += f"; missing: {', '.join(missing)}." if missing else "."
    return PartGrade("limitations", float(len(made)), POINTS, feedback, {"made": made, "points_made": len(made)})


def limitations_comment(source: str) -> str:
    """The comment lines from the first one mentioning limitations to the next line of code."""
    lines, started = [], False
    for line in source.splitlines():
        stripped = line.strip()
        started = started or (stripped.startswith("#") and "limitation" in stripped.lower())
        if started and not stripped.startswith("#"):
            break
        if started:
            lines.append(stripped.lstrip("#").strip())
    return " ".join(lines)


def as_comment(text: str) -> str:
    """The text as the comment block `limitations_comment` reads back (# Limitations: ...)."""
    return "\n".join("# " + line for line in textwrap.wrap(f"Limitations: {text}", 96)) + "\n"
