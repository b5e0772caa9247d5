"""The functions a formula may call, as SymPy objects: the table every parser reads.

All variables are real symbols (so |x|' = sign(x) and max' = Heaviside). `sigmoid` is our own
class, kept as one symbol so it prints as the exam writes it.
"""

from __future__ import annotations

from functools import lru_cache

import sympy


class sigmoid(sympy.Function):  # noqa: N801 - the exam's own name
    """The logistic function 1 / (1 + exp(-z))."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, z, **kwargs):
        return 1 / (1 + sympy.exp(-z))

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer) -> str:
        return f"\\sigma\\left({printer._print(self.args[0])}\\right)"


@lru_cache(maxsize=None)
def symbol(name: str) -> sympy.Symbol:
    """All variables are real (so |x|' = sign(x) and max' = Heaviside)."""
    return sympy.Symbol(name, real=True)


def _relu(z):
    return sympy.Max(0, z)


# name -> (constructor, number of arguments or None for two or more)
FUNCTIONS: dict[str, tuple[object, int | None]] = {
    "tanh": (sympy.tanh, 1), "sigmoid": (sigmoid, 1), "sigma": (sigmoid, 1),
    "relu": (_relu, 1), "ReLU": (_relu, 1), "exp": (sympy.exp, 1), "log": (sympy.log, 1),
    "ln": (sympy.log, 1), "abs": (sympy.Abs, 1), "Abs": (sympy.Abs, 1),
    "max": (sympy.Max, None), "Max": (sympy.Max, None), "min": (sympy.Min, None),
    "Min": (sympy.Min, None), "sign": (sympy.sign, 1), "sgn": (sympy.sign, 1),
    "Heaviside": (sympy.Heaviside, 1), "sqrt": (sympy.sqrt, 1), "sin": (sympy.sin, 1),
    "cos": (sympy.cos, 1), "cosh": (sympy.cosh, 1), "sinh": (sympy.sinh, 1),
}
CONSTANTS = {"pi": sympy.pi, "E_euler": sympy.E}
SPECIAL = {"Derivative", "Subs", "diff"}
