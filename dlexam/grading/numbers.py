"""Numbers a student writes: read them as written by hand, and judge them by the digits given.

Reading. A number is a JSON number or text: decimals (`-0.25`, `2e-3`, `.5`), fractions (`1/4`,
`½`), roots (`sqrt(13)`, `√13`, `√(13)`), powers (`2^3`, `10^-2`, `2**3`), the constants `π`/`pi`
and `e`, `exp`, `ln`/`log`, `abs`, products written `·`, `×` or by juxtaposition (`2π`, `2√3`,
`3(1 + √2)`), and the unicode minus `−`. The text is parsed with `ast.parse` and evaluated by a
walk over a whitelist of node types in floats — never `eval`. It is bounded: at most 200
characters, and a power whose result overflows (`9**9**9`) is refused at once, not computed.

Closeness (`Written.matches`). A written number stands for every number its digits round to:
- integers, fractions, roots, π, ... written without decimals are exact (up to float rounding);
- a decimal with k significant digits stands for the interval of half a unit in its last digit,
  counting at least 2 significant digits: `0.41` and `0.4142` both match √2 − 1 = 0.41421…,
  `0.414` too, but `0.4` does not (it is read as 0.40 ± 0.005) and neither does `0.42`;
  in other words: the expected value, rounded to the answer's own number of significant digits
  (at least 2), equals the answer. Zeros after the point count (`4.30` is 4.30 ± 0.005);
- an expression with decimals (`4.303/0.6972`) matches when the expected value lies in the range
  the expression takes as each decimal moves within its own interval (its corners).
Values computed from a student's own earlier answers (error carried forward) are compared
with `close`, the loose hand-calculation tolerance.
"""

from __future__ import annotations

import ast
import itertools
import math
import operator
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dlexam.errors import InputError

MAX_TEXT = 200
MAX_CORNERS = 6          # decimals whose rounding intervals are explored together
FUZZ = 1e-9              # relative: float rounding of exact values
_FRACTIONS = {"½": "(1/2)", "⅓": "(1/3)", "⅔": "(2/3)", "¼": "(1/4)", "¾": "(3/4)", "⅕": "(1/5)", "⅛": "(1/8)"}
_SUPERSCRIPTS = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
_CONSTANTS = {"pi": math.pi, "π": math.pi, "e": math.e}
_FUNCTIONS: dict[str, Callable[[float], float]] = {"sqrt": math.sqrt, "exp": math.exp, "ln": math.log,
                                                   "log": math.log, "abs": abs}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
           ast.Pow: operator.pow}
_DECIMAL = re.compile(r"(?<![\w.])(\d+\.\d*|\.\d+|\d+(?=[eE]))([eE][-+]?\d+)?")


@dataclass(frozen=True)
class Written:
    """A number as the student wrote it: its value and the interval its digits stand for."""
    value: float
    low: float
    high: float
    text: str

    @property
    def exact(self) -> bool:
        return self.low == self.high

    def matches(self, expected: float) -> bool:
        """Whether `expected` is what these digits say (see the module docstring)."""
        fuzz = FUZZ * max(1.0, abs(expected))
        return self.low - fuzz <= expected <= self.high + fuzz


def half_unit(literal: str) -> float:
    """Half a unit in the last digit of a decimal literal, counting at least 2 significant digits."""
    mantissa, _, exponent = literal.lower().partition("e")
    whole, _, decimals = mantissa.partition(".")
    digits = (whole + decimals).lstrip("0")
    last = (int(exponent) if exponent else 0) - len(decimals)
    if digits and len(digits) < 2:
        last -= 2 - len(digits)
    return 0.5 * 10.0 ** last


def _clean(text: str) -> str:
    for k, v in _FRACTIONS.items():
        text = text.replace(k, v)
    text = re.sub("[⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+", lambda m: "^(" + m.group(0).translate(_SUPERSCRIPTS) + ")", text)
    text = text.replace("−", "-").replace("–", "-").replace("·", "*").replace("×", "*").replace("^", "**")
    text = re.sub(r"√\s*(\d+\.?\d*|\.\d+|π|pi|e\b)", r"sqrt(\1)", text).replace("√", "sqrt")
    text = re.sub(r"(?<![\w.])(\d+\.?\d*|\.\d+)(?![eE][-+]?\d)\s*(?=[(a-zπ])", r"\1*", text)   # 2π, 2sqrt(3)
    return re.sub(r"\)\s*(?=[\w(π])", ")*", text)                                            # (1+√2)(2), (2)π


def _literals(tree: ast.AST, text: str) -> dict[int, float]:
    """Decimal literals (by node id) and half a unit of their last digit; integers are exact."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant):
            source = text[node.col_offset:node.end_col_offset]
            if _DECIMAL.fullmatch(source):
                out[id(node)] = half_unit(source)
    return out


def _evaluate(node: ast.AST, shift: dict[int, float]) -> float:
    match node:
        case ast.Expression(body=body):
            return _evaluate(body, shift)
        case ast.Constant(value=int() | float() as v) if not isinstance(v, bool):
            return float(v) + shift.get(id(node), 0.0)
        case ast.Name(id=name) if name in _CONSTANTS:
            return _CONSTANTS[name]
        case ast.UnaryOp(op=ast.USub() | ast.UAdd() as op, operand=operand):
            return -_evaluate(operand, shift) if isinstance(op, ast.USub) else _evaluate(operand, shift)
        case ast.BinOp(op=op, left=left, right=right) if type(op) in _BINARY:
            return _BINARY[type(op)](_evaluate(left, shift), _evaluate(right, shift))
        case ast.Call(func=ast.Name(id=name), args=[arg], keywords=[]) if name in _FUNCTIONS:
            return _FUNCTIONS[name](_evaluate(arg, shift))
    raise _NotANumber(type(node).__name__)


class _NotANumber(Exception):
    """Text that is not arithmetic on numbers (a name, a call, a string...)."""


def _safely(tree: ast.AST, shift: dict[int, float]) -> float:
    try:
        x = _evaluate(tree, shift)
    except (ValueError, TypeError, OverflowError, ZeroDivisionError, RecursionError):
        return math.nan
    return x.real if isinstance(x, complex) and not x.imag else x if isinstance(x, float) else math.nan


def read_number(value: Any, label: str) -> Written:
    """A numeric part: a JSON number, or text as a student writes it (see the module docstring)."""
    hint = f"Part {label}) must be a number such as 0.25, 1/4 or (5 - sqrt(13))/2."
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise InputError(hint)
    text = value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else repr(value)
    if not text or len(text) > MAX_TEXT:
        raise InputError(hint)
    clean = _clean(re.sub(r"^[^\W\d]\w*\s*=\s*", "", text))   # `κ = 6.17`: the name is dropped
    try:
        tree = ast.parse(clean, mode="eval")
        x = _safely(tree, {})
    except (SyntaxError, ValueError, RecursionError, MemoryError, _NotANumber):
        raise InputError(hint) from None
    if not math.isfinite(x):
        raise InputError(f"Part {label}) must be a finite number (read as {text!r}).")
    low, high = _range(tree, _literals(tree, clean), x)
    return Written(x, low, high, text)


def _range(tree: ast.AST, halves: dict[int, float], x: float) -> tuple[float, float]:
    """The smallest and largest value as every decimal moves within its interval."""
    if not halves:
        return x, x
    if len(halves) > MAX_CORNERS:   # too many to explore: the least precise decimal, relative
        rel = max(h / max(abs(x), 1e-300) for h in halves.values())
        return x - rel * abs(x), x + rel * abs(x)
    ids = list(halves)
    values = [_safely(tree, {i: s * halves[i] for i, s in zip(ids, signs)})
              for signs in itertools.product((-1, 1), repeat=len(ids))]
    values = [v for v in values if math.isfinite(v)] + [x]
    return min(values), max(values)


def number(value: Any, label: str) -> float:
    """A numeric part's value (see `read_number`)."""
    return read_number(value, label).value


def rounding_slack(text: str) -> float:
    """The largest relative half unit among the decimals in a formula (0 when it has none):
    how far a constant written as 0.707 may stand for the exact √2/2."""
    slack = 0.0
    for m in _DECIMAL.finditer(text):
        x = float(m.group(0))
        if x:
            slack = max(slack, half_unit(m.group(0)) / abs(x))
    return slack


def close(answer: float, expected: float, rel: float = 0.01, abs_: float = 0.005) -> bool:
    """Equal up to hand-calculation rounding (for values computed from a student's own answers)."""
    return abs(answer - expected) <= abs_ + rel * abs(expected)


def _pieces(text: str) -> list[str]:
    """Top-level items of `[[2, 1], [1, 3]]`, `1.5; 2`, `(5 - √13)/2, (5 + √13)/2` or `1.5 2`."""
    flat = text.replace("[", " ").replace("]", " ").strip()
    pieces = _split_top(flat)
    if len(pieces) == 1 and flat.startswith("(") and len(_split_top(flat[1:-1])) > 1:   # a tuple (1.5, 2)
        pieces = _split_top(flat[1:-1])
    out = []
    for piece in (q.strip() for p in pieces for q in _plus_minus(p)):
        plain = piece.split()
        simple = len(plain) > 1 and all(re.fullmatch(r"[-+−]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", p) for p in plain)
        out.extend(plain if simple else [piece] if piece else [])
    return out


def _split_top(text: str) -> list[str]:
    """`text` split at the commas and semicolons outside parentheses."""
    pieces, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += {"(": 1, ")": -1}.get(ch, 0)
        if ch in ",;" and depth == 0:
            pieces.append(text[start:i])
            start = i + 1
    return [*pieces, text[start:]]


def _plus_minus(piece: str) -> list[str]:
    """`2.5 ± √3.25` is two numbers, minus first."""
    return [piece.replace("±", "-"), piece.replace("±", "+")] if piece.count("±") == 1 else [piece]


def read_numbers(value: Any, label: str, count: int, example: str) -> list[Written]:
    """Exactly `count` numbers: text such as `[[2, 1], [1, 3]]`, `1.5, 2`, `(5 - √13)/2, (5 + √13)/2` or `2.5 ± √3.25`,
    or a JSON list (nested or flat) of numbers or such texts."""
    if isinstance(value, list):
        flat = [x for row in value for x in (row if isinstance(row, list) else [row])]
    elif isinstance(value, str):
        flat = _pieces(value)
    else:
        raise InputError(f"Part {label}) must be {count} numbers, such as {example}.")
    if len(flat) != count:
        raise InputError(f"Part {label}) must be {count} numbers, such as {example}, not {len(flat)}.")
    return [read_number(x, label) for x in flat]


def numbers(value: Any, label: str, count: int, example: str) -> list[float]:
    """The values of `read_numbers`."""
    return [w.value for w in read_numbers(value, label, count, example)]
