"""The answer syntax of the multi-part families (exam tasks 3 and 4): one-line answers split
into parts, and the parts read back from JSON.

One-line syntax: `a) <answer> ; b) <answer> ; c) <answer>`: a part starts with its letter and
`)` at the start of the line or after a `;` (so a `;` inside a part's text is kept).
"""

from __future__ import annotations

import re
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
