"""Written explanations graded against a rubric of key points.

A key point is matched when the student's text contains, for every one of its concept groups,
one of the group's synonyms. A synonym is a word stem (`penali` matches penalise, penalize,
penalty...) or a phrase (`weight decay`); stems of 5 or more letters also match a misspelt word
that is close (difflib ratio >= 0.8: `grandlent` for gradient), as handwriting in the seeds shows.
Negations are not understood: a rubric grade is a guide, and the model answer is always shown.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from dlexam.errors import InputError

MAX_TEXT = 2000



@dataclass(frozen=True)
class KeyPoint:
    text: str                                  # the point in the model answer's words
    groups: tuple[tuple[str, ...], ...]        # every group needs one of its synonyms


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9‖|]+", text.lower())


def _has(text: str, words: list[str], synonym: str) -> bool:
    if " " in synonym or not synonym.isalnum():
        return synonym in text
    if len(synonym) < 3:  # short words ("w", "l2") only as whole words
        return synonym in words
    for w in words:
        if w.startswith(synonym):
            return True
        if len(synonym) >= 5 and difflib.SequenceMatcher(None, synonym, w[: len(synonym) + 1]).ratio() >= 0.8:
            return True
    return False


def matches(point: KeyPoint, text: str) -> bool:
    low = " ".join(text.lower().split())
    words = _words(low)
    return all(any(_has(low, words, s) for s in group) for group in point.groups)


def grade_rubric(points: list[KeyPoint], value: Any, max_points: float, label: str) -> tuple[float, str, dict]:
    """(points, feedback, evidence) for an explanation: text, or a list of ticked key points (1-based)."""
    if isinstance(value, list):
        if not all(isinstance(i, int) and not isinstance(i, bool) and 1 <= i <= len(points) for i in value):
            raise InputError(f"Ticks for part {label}) are key-point numbers 1 to {len(points)}.")
        hit = [i in value for i in range(1, len(points) + 1)]
        how = "ticked (self-assessed)"
    else:
        if value is not None and not isinstance(value, str):
            raise InputError(f"Part {label}) must be text.")
        if value is not None and len(value) > MAX_TEXT:
            raise InputError(f"Part {label}) is longer than {MAX_TEXT} characters.")
        text = value or ""
        hit = [matches(p, text) for p in points]
        how = "found in your text"
    share = max_points / len(points)
    lines = [f"{'✓' if h else '✗'} {p.text}" for p, h in zip(points, hit)]
    feedback = f"{sum(hit)} of {len(points)} key points {how}:\n" + "\n".join(lines)
    return share * sum(hit), feedback, {"key_points": [p.text for p in points], "matched": hit}
