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
