"""Moodle cloze (embedded answers) for a multi-part task whose every part is a number, a list or
matrix of numbers, or option letters: `{1:NUMERICAL:=12:0.12}` per number, MULTIRESPONSE for the
statements. Tolerance: 1 % of the value, at least 0.01."""

from __future__ import annotations

import html
import re
from numbers import Real
from typing import Any

from dlexam.exam.export_items import moodle_fraction, percent
from dlexam.tasks.document import Options, Text, render
from dlexam.tasks.model import TaskFamily, Variant

CLOZE_SPECIAL = re.compile(r"([}#~/\"\\])")
PART_TEXT = re.compile(r"^\(([a-z])\)\s")


def tolerance(value: float) -> float:
    return round(max(abs(value) * 0.01, 0.01), 6)


def numerical(value: float, points: float) -> str:
    return f"{{{points:g}:NUMERICAL:={value:.6g}:{tolerance(value):g}}}"


def is_cloze(fam: TaskFamily, variant: Variant) -> bool:
    grading = getattr(fam, "grading", None)
    if grading is None or not hasattr(grading, "POINTS"):
        return False
    parts = fam.solve(variant).answer.parts
    return all(_field_kind(value) for value in parts.values())


def _field_kind(value: Any) -> str | None:
    if isinstance(value, Real) and not isinstance(value, bool):
        return "number"
    if isinstance(value, list) and value and all(_field_kind(v) == "number" for v in value):
        return "numbers"
    if isinstance(value, list) and value and all(isinstance(v, list) and _field_kind(v) == "numbers" for v in value):
        return "matrix"
    if isinstance(value, list) and all(isinstance(v, str) and len(v) == 1 for v in value):
        return "letters"
    return None


def cloze_text(fam: TaskFamily, variant: Variant) -> str:
    """The question's HTML with an answer field after every part's paragraph."""
    parts = fam.solve(variant).answer.parts
    points = fam.grading.POINTS
    out, options = [], None
    for block in fam.document(variant):
        if isinstance(block, Options):
            options = block
            continue
        out.append(render([block], "html"))
        match = PART_TEXT.match(block.text) if isinstance(block, Text) else None
        if match and match.group(1) in parts and _field_kind(parts[match.group(1)]) != "letters":
            out.append(f"<p>{fields(parts[match.group(1)], points[match.group(1)])}</p>")
    letters = next((k for k, v in parts.items() if _field_kind(v) == "letters"), None)
    if letters and options:
        out.append(f"<p>{multiresponse(options, parts[letters], points[letters])}</p>")
    return "\n".join(out)


def fields(value: Any, points: float) -> str:
    """One NUMERICAL field per number, a matrix row by row; the part's points shared out."""
    if isinstance(value, Real):
        return numerical(float(value), points)
    flat = [x for row in value for x in (row if isinstance(row, list) else [row])]
    share = points / len(flat)
    if all(isinstance(row, list) for row in value):
        return "<br>".join(" ".join(numerical(float(x), share) for x in row) for row in value)
    return ", ".join(numerical(float(x), share) for x in flat)


def multiresponse(options: Options, chosen: list[str], points: float) -> str:
    labels = "abcdefghijklmnopqrstuvwxyz"
    right = max(len(chosen), 1)
    wrong = max(len(options.items) - len(chosen), 1)
    rows = []
    for i, text in enumerate(options.items):
        ok = labels[i] in chosen
        fraction = moodle_fraction(100 / right) if ok else -moodle_fraction(100 / wrong)
        rows.append(f"%{percent(fraction)}%{_escape(html.escape(text.replace('`', '')))}")
    return f"{{{points:g}:MULTIRESPONSE:" + "~".join(rows) + "}"


def _escape(text: str) -> str:
    return CLOZE_SPECIAL.sub(r"\\\1", text)
