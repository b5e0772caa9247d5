"""The limitations part of task 5(b): 1-2 sentences on what the approach cannot do, and fixes.

Graded against a rubric of key points with the rubric library (`grading.rubric`): clause by
clause, with negation and direction understood. A claim that contradicts a key point ("MSE gives
sharp results", "500 images are enough to avoid overfitting") earns nothing for it, and what the
grader cannot tell is flagged (`needs_human_look` in the evidence). In a code answer the text is
the comment lines from the first one mentioning limitations (`# Limitations: ...`) to the next
line of code.
"""

from __future__ import annotations

import textwrap
from typing import Any

from dlexam.grading.grade import PartGrade
from dlexam.grading.rubric import KeyPoint, grade_rubric

SUBJECT = ("mse", "l2", "squared", "loss", "colo", "fill", "output", "result", "image", "pixel", "prediction",
           "answer", "content", "value", "model")
RUBRIC = [
    KeyPoint("MSE rewards the average of all plausible answers: colours and fills come out blurry, washed out.",
             (("blur", "washed", "average", "averaging", "mean of", "muted", "dull", "desaturat", "brownish",
               "greyish", "grayish"), SUBJECT),
             toward=("blur", "washed", "muted", "dull"),
             away=("sharp", "crisp", "vivid", "realistic", "detailed")),
    KeyPoint("Colour (or the missing content) is ambiguous: several answers are plausible from the input.",
             (("ambigu", "several", "multiple", "many possible", "not unique", "more than one", "could be red",
               "could be any", "many plausible"), SUBJECT),
             away=("unique", "determined", "only one", "one right", "one correct")),
    KeyPoint("Too little data / a fixed mask: the model overfits, or only fills this one square; fix with more "
             "data, augmentation, random masks, a validation split.",
             (("overfit", "memori", "too few", "small data", "tiny", "more data", "augment", "fixed", "position",
               "random mask", "validation", "only learns", "only fills", "generali"),),
             toward=("risk", "too", "only", "poor", "bad", "worse", "more", "increas"),
             away=("enough", "avoid", "prevent", "plenty", "no problem")),
]
POINTS = float(len(RUBRIC))


def grade_limitations(text: Any) -> PartGrade:
    """One point per key point the text makes (and nowhere contradicts)."""
    points, feedback, evidence = grade_rubric(RUBRIC, text if isinstance(text, str) else "", POINTS, "limitations")
    return PartGrade("limitations", round(points, 2), POINTS, f"limitations: {feedback}",
                     {**evidence, "points_made": len(evidence["matched"])})


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
