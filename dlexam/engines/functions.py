"""The functions a formula may call, as SymPy objects: the table every parser reads.

All variables are real symbols (so |x|' = sign(x) and max' = Heaviside). `sigmoid` is our own
class, kept as one symbol so it prints as the exam writes it; every other function is written
with SymPy's own (so `derive`'s output parses with `sympy.parse_expr`):

    sigmoid σ logistic        sigmoid(z) = 1/(1 + exp(-z))
    tanh sinh cosh sech csch coth, sin cos tan, arcsinh/asinh arccosh arctanh arctan
    relu                      Max(0, z)
    leaky_relu(z[, a])        Max(0, z) + a·Min(0, z); a = 0.01 (PyTorch's default) when left out
    elu(z[, a]), selu(z)      Max(0, z) + a·Min(0, exp(z) - 1); a = 1; selu with PyTorch's constants
    gelu, silu/swish, mish    z·(1 + erf(z/√2))/2, z·sigmoid(z), z·tanh(softplus(z))
    softplus softsign         log(1 + exp(z)), z/(1 + |z|)
    hardtanh relu6            Max(-1, Min(1, z)), Min(6, Max(0, z))
    log1p expm1 logcosh       log(1 + z), exp(z) - 1, log(cosh(z))
    exp, log ln (base e), log2 log10, sqrt, abs, sign sgn, max min (two or more arguments)
    step heaviside H          Heaviside(z)

H and σ (sigma) are functions only when called and not also used as variables in the same text.

Names are matched ignoring case and underscores (ReLU, LeakyReLU, leaky_relu, Softplus), except
single letters. The indicator 1[cond] is not a function here: `notation` reads it as Heaviside
factors. θ is not the step: it is the exam's parameter.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Callable, NamedTuple

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


class Known(NamedTuple):
    """A function students call: how to build it, and how many arguments it takes."""

    make: Callable[..., sympy.Expr]
    least: int = 1
    most: int | None = 1  # None: any number


def _relu(z):
    return sympy.Max(0, z)


def _leaky(z, a=sympy.Rational(1, 100)):
    return sympy.Max(0, z) + a * sympy.Min(0, z)


def _elu(z, a=sympy.Integer(1)):
    return sympy.Max(0, z) + a * sympy.Min(0, sympy.exp(z) - 1)


# PyTorch's float constants, read as a typed decimal is read (notation: Rational of the float's repr)
_SELU_SCALE, _SELU_ALPHA = sympy.Rational("1.0507009873554805"), sympy.Rational("1.6732632423543772")


def _softplus(z):
    return sympy.log(1 + sympy.exp(z))


# canonical name -> meaning; keys are lower case without underscores (see `known`)
_TABLE: dict[str, Known] = {
    "sigmoid": Known(sigmoid), "tanh": Known(sympy.tanh), "sinh": Known(sympy.sinh), "cosh": Known(sympy.cosh),
    "sech": Known(sympy.sech), "csch": Known(sympy.csch), "coth": Known(sympy.coth), "sin": Known(sympy.sin),
    "cos": Known(sympy.cos), "tan": Known(sympy.tan), "asinh": Known(sympy.asinh), "acosh": Known(sympy.acosh),
    "atanh": Known(sympy.atanh), "atan": Known(sympy.atan),
    "relu": Known(_relu), "leakyrelu": Known(_leaky, 1, 2), "elu": Known(_elu, 1, 2),
    "selu": Known(lambda z: _SELU_SCALE * _elu(z, _SELU_ALPHA)),
    "gelu": Known(lambda z: z * (1 + sympy.erf(z / sympy.sqrt(2))) / 2),
    "silu": Known(lambda z: z * sigmoid(z)), "mish": Known(lambda z: z * sympy.tanh(_softplus(z))),
    "softplus": Known(_softplus), "softsign": Known(lambda z: z / (1 + sympy.Abs(z))),
    "hardtanh": Known(lambda z: sympy.Max(-1, sympy.Min(1, z))),
    "relu6": Known(lambda z: sympy.Min(6, sympy.Max(0, z))),
    "log1p": Known(lambda z: sympy.log(1 + z)), "expm1": Known(lambda z: sympy.exp(z) - 1),
    "logcosh": Known(lambda z: sympy.log(sympy.cosh(z))), "exp": Known(sympy.exp), "log": Known(sympy.log),
    "log2": Known(lambda z: sympy.log(z) / sympy.log(2)), "log10": Known(lambda z: sympy.log(z) / sympy.log(10)),
    "sqrt": Known(sympy.sqrt), "abs": Known(sympy.Abs), "sign": Known(sympy.sign), "erf": Known(sympy.erf),
    "max": Known(sympy.Max, 2, None), "min": Known(sympy.Min, 2, None), "heaviside": Known(sympy.Heaviside),
}
_ALIASES = {
    "logistic": "sigmoid", "arcsinh": "asinh", "arccosh": "acosh", "arctanh": "atanh",
    "arctan": "atan", "lrelu": "leakyrelu", "swish": "silu", "ln": "log", "sgn": "sign", "step": "heaviside",
}
# letters (σ is read as sigma) are functions only in this spelling, only when called, and not in
# a text that also uses them as variables (σ² for a noise level, H for a Hessian)
LETTER_FUNCTIONS = {"H": "heaviside", "sigma": "sigmoid"}


def canonical(name: str) -> str | None:
    """The table's name for a function as written (`ReLU` -> relu, `ln` -> log), or None."""
    if name in LETTER_FUNCTIONS:
        return LETTER_FUNCTIONS[name]
    if len(name) < 2 or "'" in name:
        return None
    key = name.lower().replace("_", "")
    key = _ALIASES.get(key, key)
    return key if key in _TABLE else None


def known(name: str) -> Known | None:
    """What the function `name` means, or None if it is not a function dlexam knows."""
    key = canonical(name)
    return _TABLE[key] if key else None


def known_names() -> list[str]:
    """The functions dlexam knows, for messages."""
    return sorted(_TABLE)


FUNCTIONS: dict[str, Known] = _TABLE  # by canonical name; look names up with `known`
CONSTANTS = {"pi": sympy.pi, "E_euler": sympy.E}
INDICATOR = "__indicator"  # 1[cond], written by `spelling` (users cannot type double underscores)
SPECIAL = {"Derivative", "Subs", "diff", INDICATOR}
