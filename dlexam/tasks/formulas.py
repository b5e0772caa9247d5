"""Formulas in tasks 3 and 4: the program a variant is posed with, a formula as a student writes
it read and evaluated at numbers, and a point where two formulas differ written for people.

SymPy and numpy are imported where used: posing and showing a task should start fast.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import sympy

    from dlexam.engines.calculus import Program


@lru_cache(maxsize=256)
def program(source: str) -> Program:
    """The variant's program, parsed once."""
    from dlexam.engines.calculus import parse_program

    return parse_program(source)


def clean_formula(text: str) -> str:
    """The exam's shorthands SymPy does not know: H(z) for the step, ½."""
    return re.sub(r"\bH\(", "Heaviside(", text.replace("½", "(1/2)"))


def read_formula(text: str) -> sympy.Expr:
    """A formula as a student writes it; InputError when it does not parse."""
    from dlexam.engines.notation import parse_expression

    return parse_expression(clean_formula(text))


def evaluate_at(expr: sympy.Expr, values: Mapping[str, Any]) -> Any:
    """expr at the numbers (or numpy arrays of numbers) in `values`, by name."""
    import numpy as np

    from dlexam.engines.calculus_numeric import evaluate
    from dlexam.engines.notation import symbol

    return evaluate(expr, {symbol(k): np.asarray(v, dtype=float) for k, v in values.items()})


def formula_at(text: str, inline: Mapping[sympy.Symbol, sympy.Expr], values: Mapping[str, Any]) -> Any:
    """A written formula at numbers: names such as y or a1 read through `inline`, tanh'(z) exact."""
    from dlexam.engines.notation import known_primes_exact

    return evaluate_at(known_primes_exact(read_formula(text).xreplace(dict(inline))), values)


def point_text(point: Mapping[str, float]) -> str:
    return ", ".join(f"{name} = {value:g}" for name, value in point.items())


def polynomial(terms: list[tuple[float, str]]) -> str:
    """Σ coefficient·monomial as people write it: `2·w1² − w1·w2 + 3` (no `+ -1·`, no zero terms)."""
    out = ""
    for c, monomial in terms:
        if c == 0:
            continue
        size = f"{abs(c):g}"
        body = monomial if size == "1" and monomial else f"{size}·{monomial}" if monomial else size
        out += (" − " if c < 0 else " + ") + body if out else ("−" if c < 0 else "") + body
    return out or "0"


def for_people(formula: str) -> str:
    """A typed formula as printed for people: `·` for `*`, `²` for `**2`, `−` for a minus sign."""
    text = re.sub(r"\*\*2\b", "²", formula).replace("*", "·")
    return re.sub(r"(^|[\s(,=])-", r"\1−", text)
