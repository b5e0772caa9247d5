"""The box a piecewise-linear function is drawn in, and the numbers that describe it.

Programs (`pwl`, exact) and networks (`pwl_network`, float64) read a box and a level the same
way: numbers, or strings such as '1/2', with one sentence for anything else.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

from dlexam.errors import InputError

Box = tuple[Fraction, Fraction, Fraction, Fraction]
MAX_MAGNITUDE = 10**12   # of a box corner or level
MAX_DIGITS = 64          # characters of one number
DEFAULT_BOX: Box = (Fraction(-5), Fraction(5), Fraction(-5), Fraction(5))


def make_box(values: Any = None) -> Box:
    """Four numbers x1min x1max x2min x2max (strings such as '1/2' allowed) as an exact box."""
    if values is None:
        return DEFAULT_BOX
    try:
        box = tuple(to_fraction(v) for v in values)
    except TypeError:
        raise InputError("The box must be four numbers: x1min x1max x2min x2max.") from None
    if len(box) != 4:
        raise InputError("The box must be four numbers: x1min x1max x2min x2max.")
    if not (box[0] < box[1] and box[2] < box[3]):
        raise InputError("The box is empty: it needs x1min < x1max and x2min < x2max.")
    return box  # type: ignore[return-value]


def float_box(values: Any = None) -> tuple[float, float, float, float]:
    """The box as floats, read and checked as for programs."""
    return tuple(float(v) for v in make_box(values))  # type: ignore[return-value]


def to_fraction(value: Any) -> Fraction:
    """An exact number from an int, float, Fraction or a string such as '0.5' or '1/2'."""
    if isinstance(value, str) and len(value.strip()) > MAX_DIGITS:
        raise InputError(f"The number `{value.strip()[:20]}...` has more than {MAX_DIGITS} characters.")
    try:
        if isinstance(value, float):
            value = repr(value)   # 0.1 means 1/10, not the nearest binary fraction
        result = Fraction(value.strip()) if isinstance(value, str) else Fraction(value)
    except (ValueError, ZeroDivisionError, OverflowError, TypeError):
        raise InputError(f"`{value}` is not a finite number.") from None
    if abs(result) > MAX_MAGNITUDE:   # 1e999 is exact as a fraction but no float, and no exam's number
        raise InputError(f"`{value}` is larger than {MAX_MAGNITUDE:.0e} in size.")
    return result


def to_float(value: Any, what: str) -> float:
    """A finite float from a number or a string such as '1/2'; `what` names it in the error."""
    if isinstance(value, str) and len(value.strip()) > MAX_DIGITS:
        raise InputError(f"The {what} `{value.strip()[:20]}...` has more than {MAX_DIGITS} characters.")
    try:
        result = float(Fraction(value.strip()) if isinstance(value, str) else value)
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        raise InputError(f"The {what} `{value}` is not a number.") from None
    if not math.isfinite(result):
        raise InputError(f"The {what} `{value}` is not finite.")
    if abs(result) > MAX_MAGNITUDE:
        raise InputError(f"The {what} `{value}` is larger than {MAX_MAGNITUDE:.0e} in size.")
    return result
