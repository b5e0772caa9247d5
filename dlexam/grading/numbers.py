"""Numbers a student writes: read them, and compare them up to hand-calculation rounding."""

from __future__ import annotations

import math
import re
from typing import Any

from dlexam.errors import InputError


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


_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?:\s*/\s*(?:\d+\.?\d*|\.\d+))?"


def numbers(value: Any, label: str, count: int, example: str) -> list[float]:
    """Exactly `count` numbers: text such as `[[2, 1], [1, 3]]` or `1.5, 2`, or a JSON list (nested or flat)."""
    if isinstance(value, list):
        flat = [x for row in value for x in (row if isinstance(row, list) else [row])]
        found = [number(x, label) for x in flat]
    elif isinstance(value, str):   # text: numbers and brackets, commas, semicolons, nothing else
        if re.search(r"[^\s\[\]\(\),;]", re.sub(_NUMBER, " ", value)):
            raise InputError(f"Part {label}) must be {count} numbers, such as {example}.")
        found = [number(x, label) for x in re.findall(_NUMBER, value)]
    else:
        raise InputError(f"Part {label}) must be {count} numbers, such as {example}.")
    if len(found) != count:
        raise InputError(f"Part {label}) must be {count} numbers, not {len(found)}.")
    return found
