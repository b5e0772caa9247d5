"""Shared by the multi-part families of exam tasks 3 and 4: one-line answers split into parts,
and written explanations graded against a rubric of key points.

One-line syntax: `a) <answer> ; b) <answer> ; c) <answer>`: a part starts with its letter and
`)` at the start of the line or after a `;` (so a `;` inside a part's text is kept).

A key point is matched when the student's text contains, for every one of its concept groups,
one of the group's synonyms. A synonym is a word stem (`penali` matches penalise, penalize,
penalty...) or a phrase (`weight decay`); stems of 5 or more letters also match a misspelt word
that is close (difflib ratio >= 0.8: `grandlent` for gradient), as handwriting in the seeds shows.
Negations are not understood: a rubric grade is a guide, and the model answer is always shown.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from typing import Any

from dlexam.errors import InputError

_PART = re.compile(r"(?:^|;)\s*([a-z])\)\s*", re.IGNORECASE)
MAX_ANSWER = 2000


def split_parts(text: str, labels: str) -> dict[str, str]:
    """`a) ... ; b) ...` -> {"a": "...", "b": "..."}; InputError unless every part has a known label."""
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"The answer is empty; write it as `{labels[0]}) ... ; {labels[1]}) ...`.")
    if len(text) > MAX_ANSWER:
        raise InputError(f"The answer is longer than {MAX_ANSWER} characters.")
    marks = list(_PART.finditer(text))
    if not marks or marks[0].start() != 0 and text[: marks[0].start()].strip():
        raise InputError(f"Start every part with its letter, as in `{labels[0]}) ... ; {labels[1]}) ...`.")
    parts: dict[str, str] = {}
    for i, m in enumerate(marks):
        label = m.group(1).lower()
        if label not in labels:
            raise InputError(f"This task has parts {', '.join(labels)}, not {label}).")
        if label in parts:
            raise InputError(f"Part {label}) is given twice.")
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        body = text[m.end():end].strip()
        if body:
            parts[label] = body
    if not parts:
        raise InputError("Every part is empty.")
    return parts


def check_parts(parts: Any, labels: str) -> dict[str, Any]:
    """The parts of a JSON answer, with unknown labels refused (missing parts are allowed)."""
    if not isinstance(parts, dict):
        raise InputError("An answer is an object of parts such as {\"a\": ..., \"b\": ...}.")
    unknown = sorted(set(parts) - set(labels))
    if unknown:
        raise InputError(f"This task has parts {', '.join(labels)}, not {unknown[0]!r}.")
    return {k: v for k, v in parts.items() if v is not None and v != ""}


def text_part(parts: dict[str, Any], label: str) -> str | None:
    """A part that must be text (a formula or sentence), or None when it is missing."""
    value = parts.get(label)
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value)
    if not isinstance(value, str):
        raise InputError(f"Part {label}) must be text.")
    if len(value) > MAX_ANSWER:
        raise InputError(f"Part {label}) is longer than {MAX_ANSWER} characters.")
    return value


def number(value: Any, label: str) -> float:
    """A numeric part: a JSON number or text such as `-0.25`, `1/4` or `2e-3`."""
    if isinstance(value, bool):
        raise InputError(f"Part {label}) must be a number.")
    if isinstance(value, (int, float)):
        x = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*[-+]?[\d.]+(?:[eE][-+]?\d+)?(?:\s*/\s*[\d.]+)?\s*", value):
        a, _, b = value.partition("/")
        try:
            x = float(a) / float(b) if b else float(a)
        except (ValueError, ZeroDivisionError):
            raise InputError(f"Part {label}) must be a number such as 0.25 or 1/4.") from None
    else:
        raise InputError(f"Part {label}) must be a number such as 0.25 or 1/4.")
    if not math.isfinite(x):
        raise InputError(f"Part {label}) must be a finite number.")
    return x


def close(answer: float, expected: float, rel: float = 0.01, abs_: float = 0.005) -> bool:
    """Equal up to hand-calculation rounding."""
    return abs(answer - expected) <= abs_ + rel * abs(expected)


# ---------------------------------------------------------------- rubric


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
        text = text_part({label: value}, label) or ""
        hit = [matches(p, text) for p in points]
        how = "found in your text"
    share = max_points / len(points)
    lines = [f"{'✓' if h else '✗'} {p.text}" for p, h in zip(points, hit)]
    feedback = f"{sum(hit)} of {len(points)} key points {how}:\n" + "\n".join(lines)
    return share * sum(hit), feedback, {"key_points": [p.text for p in points], "matched": hit}
