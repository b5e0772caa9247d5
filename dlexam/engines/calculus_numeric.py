"""Evaluating the calculus engine's expressions at points, fast, in numpy or mpmath.

A small tree walk instead of `lambdify`: no code generation, so evaluating an exam-sized
expression at a few hundred points takes well under a millisecond, and the same walk runs
in mpmath at 50 digits to confirm a difference. Unknown functions such as g(a, b, c) are
evaluated through `ConcreteFunctions`: random smooth stand-ins (and their exact partial
derivatives), the same for every expression compared under one choice.
"""

from __future__ import annotations

import math
import zlib
from functools import reduce
from typing import Any

import mpmath
import numpy as np
import sympy

from dlexam.engines.derivatives import KnownPrime, Partial, Unknown


class Unsupported(Exception):
    """The expression holds something the numeric walk does not know."""


def _mp_heaviside(x, h0=0.5):
    return mpmath.mpf(1) if x > 0 else mpmath.mpf(0) if x < 0 else mpmath.mpf(h0)


def _mp_log(x):
    return mpmath.log(x) if x > 0 else mpmath.nan


def _mp_sqrt(x):
    return mpmath.sqrt(x) if x >= 0 else mpmath.nan


def _mp_domain(f, low: float, high: float):
    """f on the open interval (low, high), nan outside (acosh, atanh)."""
    return lambda x: f(x) if low < x < high else mpmath.nan


_np_erf = np.frompyfunc(math.erf, 1, 1)

NUMPY = {
    "tanh": np.tanh, "exp": np.exp, "log": np.log, "Abs": np.abs, "sign": np.sign,
    "Heaviside": lambda x, h0=0.5: np.heaviside(x, h0), "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "sin": np.sin, "cos": np.cos, "sinh": np.sinh, "cosh": np.cosh,
    "DiracDelta": lambda x: np.zeros_like(x), "Max": np.maximum, "Min": np.minimum,
    "sech": lambda x: 1 / np.cosh(x), "csch": lambda x: 1 / np.sinh(x), "coth": lambda x: 1 / np.tanh(x),
    "tan": np.tan, "atan": np.arctan, "asinh": np.arcsinh, "acosh": np.arccosh, "atanh": np.arctanh,
    "erf": lambda x: np.asarray(_np_erf(x), dtype=float),
}
MPMATH = {
    "tanh": mpmath.tanh, "exp": mpmath.exp, "log": _mp_log, "Abs": abs, "sign": mpmath.sign,
    "Heaviside": _mp_heaviside, "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "sin": mpmath.sin, "cos": mpmath.cos, "sinh": mpmath.sinh, "cosh": mpmath.cosh,
    "DiracDelta": lambda x: mpmath.mpf(0), "Max": max, "Min": min,
    "sech": mpmath.sech, "csch": mpmath.csch, "coth": mpmath.coth, "tan": mpmath.tan, "atan": mpmath.atan,
    "asinh": mpmath.asinh, "acosh": _mp_domain(mpmath.acosh, 1, mpmath.inf),
    "atanh": _mp_domain(mpmath.atanh, -1, 1), "erf": mpmath.erf,
}


class ConcreteFunctions:
    """Random smooth stand-ins for unknown functions: g(a) = sin(c·a + c0) + (d·a)²/4.

    Deterministic in (seed, name, number of arguments). The loose exam notation g'(a, b, c)
    (slot not said) gets a stand-in of its own, the same on both sides of a comparison.
    """

    def __init__(self, seed: int = 0):
        self.seed = seed
        self._cache: dict[tuple, tuple[sympy.Expr, tuple[sympy.Symbol, ...]]] = {}

    def _base(self, name: str, nargs: int) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...]]:
        key = ("base", name, nargs)
        if key not in self._cache:
            rng = np.random.default_rng([self.seed, zlib.crc32(name.encode()), nargs])
            xs = sympy.symbols(f"a1:{nargs + 1}", real=True)
            c = [sympy.Float(round(v, 3)) for v in rng.uniform(0.4, 1.6, nargs) * rng.choice([-1, 1], nargs)]
            d = [sympy.Float(round(v, 3)) for v in rng.uniform(-1, 1, nargs)]
            c0 = sympy.Float(round(rng.uniform(-1, 1), 3))
            lin = sum(ci * x for ci, x in zip(c, xs))
            self._cache[key] = (sympy.sin(lin + c0) + sum(di * x for di, x in zip(d, xs)) ** 2 / 4, xs)
        return self._cache[key]

    def function(self, f: sympy.Function) -> tuple[sympy.Expr, tuple[sympy.Symbol, ...]]:
        """The stand-in for this application's function, over its own argument symbols."""
        n = len(f.args)
        if isinstance(f, Unknown):
            return self._base(type(f).__name__, n)
        if isinstance(f, Partial) and not f.slots:
            return self._base(f"{f.base}{chr(39) * f.order}", n)
        key = ("partial", f.base, n, f.slots)
        if key not in self._cache:
            g, xs = self._base(f.base, n)
            for s in f.slots:
                g = sympy.diff(g, xs[s - 1])
            self._cache[key] = (g, xs)
        return self._cache[key]

    def describe(self, expr: sympy.Expr) -> dict[str, str]:
        """The stand-ins used for the unknown functions in `expr`, for a counterexample."""
        out = {}
        for f in sorted(expr.atoms(Unknown, Partial), key=str):
            name = type(f).__name__ if isinstance(f, Unknown) else f"{f.base}{chr(39) * f.order}"
            if isinstance(f, Partial) and f.slots:
                continue
            body, xs = self.function(f)
            out[name] = f"({', '.join(map(str, xs))}) -> {sympy.sstr(body)}"
        return out


def evaluate(expr: sympy.Expr, env: dict[sympy.Symbol, Any], functions: ConcreteFunctions | None = None,
             backend: str = "numpy") -> Any:
    """expr at the point(s) in env (numpy arrays, or mpmath numbers with backend="mpmath")."""
    walker = _Walker(functions or ConcreteFunctions(), NUMPY if backend == "numpy" else MPMATH, backend)
    with np.errstate(all="ignore"):
        return walker.walk(expr, env, {})


class _Walker:
    def __init__(self, functions: ConcreteFunctions, table: dict, backend: str):
        self.functions, self.table, self.mp = functions, table, backend == "mpmath"

    def number(self, x: sympy.Expr) -> Any:
        if self.mp:
            if x.is_Rational:
                return mpmath.mpf(int(x.p)) / int(x.q)
            if x.is_Float:
                return mpmath.mpf(x._mpf_)  # exactly the Float's binary value
            return mpmath.mpf(str(sympy.N(x, mpmath.mp.dps + 5)))
        return float(x)

    def walk(self, e: sympy.Expr, env: dict, memo: dict) -> Any:
        if e in memo:
            return memo[e]
        if e.is_Symbol:
            if e not in env:
                raise Unsupported(f"no value for {e}")
            v = env[e]
        elif e.is_Number or e.is_NumberSymbol:
            v = self.number(e)
        elif e.is_Add:
            v = reduce(lambda a, b: a + b, (self.walk(a, env, memo) for a in e.args))
        elif e.is_Mul:
            v = reduce(lambda a, b: a * b, (self.walk(a, env, memo) for a in e.args))
        elif e.is_Pow:
            v = self.power(e, env, memo)
        elif isinstance(e, (Unknown, Partial)):
            body, xs = self.functions.function(e)
            args = [self.walk(a, env, memo) for a in e.args]
            v = self.walk(body, dict(zip(xs, args)), {})
        elif isinstance(e, KnownPrime):
            v = self.walk(e.exact(), env, memo)
        else:
            name = type(e).__name__
            if name not in self.table:
                raise Unsupported(f"cannot evaluate {name}")
            args = [self.walk(a, env, memo) for a in e.args]
            f = self.table[name]
            v = reduce(f, args) if name in ("Max", "Min") else f(*args)
        memo[e] = v
        return v

    def power(self, e: sympy.Expr, env: dict, memo: dict) -> Any:
        base, exp = e.args
        b = self.walk(base, env, memo)
        if exp.is_Integer:
            n = int(exp)
            if self.mp:
                return b ** n if (n >= 0 or b != 0) else mpmath.nan
            return np.power(np.asarray(b, dtype=float), float(n))
        if exp == sympy.S.Half and self.mp:
            return _mp_sqrt(b)
        x = self.walk(exp, env, memo)
        if self.mp:
            if b < 0 or (b == 0 and x <= 0):
                return mpmath.nan
            return b ** x
        return np.power(np.asarray(b, dtype=float), x)
