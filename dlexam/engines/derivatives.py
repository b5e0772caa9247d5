"""Derivatives as the exam writes them, and `diff`, the one differentiation used everywhere.

Two kinds of primed function are our own. `KnownPrime` is f'(z) of a known f kept as a symbol
(the exam's tanh'(z), sigmoid'(z)); `known_primes_exact` writes its value out. `Partial` is the
derivative of an unknown function g (class `Unknown`) in one argument slot, which prints as
g'(z) or g'_2(a, b, c), or as the loose g'(a, b, c) whose slot is not said.

`diff` gives piecewise functions their almost-everywhere derivative: max/min/relu give
Heaviside factors, |u| gives sign(u), sign and Heaviside have derivative 0, and with
`primed=True` tanh and sigmoid keep their derivative as the symbols tanh'(u), sigmoid'(u).
"""

from __future__ import annotations

from functools import lru_cache

import sympy

from dlexam.engines.functions import FUNCTIONS, canonical, sigmoid
from dlexam.errors import InputError

# ---------------------------------------------------------------- unknown functions and their partials


class Unknown(sympy.Function):
    """Base of unknown differentiable functions such as g(x1, h0, theta)."""

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return partial(type(self).__name__, (argindex,))(*self.args)


class Partial(sympy.Function):
    """A partial derivative of an unknown function; `slots` are 1-based argument indices.

    `slots == ()` with `order > 0` is the loose exam notation `g'` whose slot is not said.
    """

    base: str = ""
    slots: tuple[int, ...] = ()
    order: int = 0

    def _sympystr(self, printer) -> str:
        # one argument: g'(z), g''(z); several: g'_2(a, b, c), or the exam's loose g'(a, b, c)
        name = self.base + "'" * self.order
        if self.slots and len(self.args) > 1:
            name += "".join(f"_{s}" for s in self.slots)
        return f"{name}({', '.join(printer._print(a) for a in self.args)})"

    def _latex(self, printer) -> str:
        primes = "'" * self.order
        sub = "_{" + ",".join(map(str, self.slots)) + "}" if self.slots and len(self.args) > 1 else ""
        args = ", ".join(printer._print(a) for a in self.args)
        return f"{self.base}{primes}{sub}\\left({args}\\right)"

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        if not self.slots:
            return loose_prime(self.base, self.order + 1)(*self.args)
        return partial(self.base, self.slots + (argindex,))(*self.args)


@lru_cache(maxsize=None)
def unknown(name: str) -> type[Unknown]:
    """The class of the unknown function `name` (one class per name, so g(x) == g(x))."""
    return type(name, (Unknown,), {})


@lru_cache(maxsize=None)
def partial(base: str, slots: tuple[int, ...]) -> type[Partial]:
    """∂^k g / ∂slot...; named g', g'' for one argument and g'_2, g''_2_3 otherwise."""
    name = base + "'" * len(slots) + "".join(f"_{s}" for s in slots)
    return type(name, (Partial,), {"base": base, "slots": tuple(slots), "order": len(slots)})


@lru_cache(maxsize=None)
def loose_prime(base: str, order: int = 1) -> type[Partial]:
    """The exam's `g'` of a function of several arguments, slot unspecified (opaque)."""
    return type(base + "'" * order, (Partial,), {"base": base, "slots": (), "order": order})


def single_prime(base: str, order: int, nargs: int) -> type[Partial]:
    """What `g'` means for an unknown g: exact for one argument, loose otherwise."""
    return partial(base, (1,) * order) if nargs == 1 else loose_prime(base, order)


def loose_primes(expr: sympy.Expr) -> sympy.Expr:
    """g'_k(a, b, c) -> g'(a, b, c): the exam's "just write g'" (slot left unsaid)."""
    return expr.replace(lambda e: isinstance(e, Partial) and len(e.args) > 1 and e.slots,
                        lambda e: loose_prime(e.base, e.order)(*e.args))


# ---------------------------------------------------------------- known functions, primed


class KnownPrime(sympy.Function):
    """f'(z) for a known f kept as a symbol (the exam's `tanh'`), see `known_prime_fn`."""

    base: str = ""
    order: int = 1
    nargs = 1

    def exact(self) -> sympy.Expr:
        return known_prime(self.base, self.order, self.args[0])

    def _latex(self, printer) -> str:
        name = {"sigmoid": "\\sigma", "sigma": "\\sigma"}.get(self.base, "\\" + self.base)
        return f"{name}{chr(39) * self.order}\\left({printer._print(self.args[0])}\\right)"

    def fdiff(self, argindex: int = 1) -> sympy.Expr:
        return known_prime_fn(self.base, self.order + 1)(self.args[0])


@lru_cache(maxsize=None)
def known_prime_fn(base: str, order: int = 1) -> type[KnownPrime]:
    return type(base + "'" * order, (KnownPrime,), {"base": base, "order": order})


def known_primes_exact(expr: sympy.Expr) -> sympy.Expr:
    """Replace the exam's tanh'(z), sigmoid'(z) (KnownPrime) by their values."""
    return expr.replace(lambda e: isinstance(e, KnownPrime), lambda e: e.exact())


def known_prime(name: str, order: int, z: sympy.Expr) -> sympy.Expr:
    """tanh'(z) = 1 - tanh(z)**2 and friends: the order-th derivative of a known function."""
    key = canonical(name)
    if key is None:
        raise InputError(f"{name} is not a function dlexam knows.")
    if FUNCTIONS[key].least != 1:
        raise InputError(f"{name}' is not defined: {name} takes several arguments.")
    d, u = _known_prime(key, order)
    return d.xreplace({u: z})


@lru_cache(maxsize=None)
def _known_prime(key: str, order: int) -> tuple[sympy.Expr, sympy.Symbol]:
    u = sympy.Dummy("u", real=True)
    d = FUNCTIONS[key].make(u)
    for _ in range(order):
        d = diff(d, u)
    return d, u


# ---------------------------------------------------------------- differentiation


def diff(expr: sympy.Expr, var: sympy.Symbol, primed: bool = False) -> sympy.Expr:
    """d expr / d var; piecewise functions get their almost-everywhere derivative."""
    if not expr.has(var):
        return sympy.Integer(0)
    if expr == var:
        return sympy.Integer(1)
    if expr.is_Add:
        return sympy.Add(*[diff(a, var, primed) for a in expr.args])
    if expr.is_Mul:
        args = expr.args
        return sympy.Add(*[sympy.Mul(*args[:i], diff(a, var, primed), *args[i + 1:])
                           for i, a in enumerate(args) if a.has(var)])
    if expr.is_Pow:
        base, power = expr.args
        if not power.has(var):
            return power * base ** (power - 1) * diff(base, var, primed)
        return expr * (diff(power, var, primed) * sympy.log(base) + power * diff(base, var, primed) / base)
    if isinstance(expr, (sympy.Function, sympy.Max, sympy.Min)):
        return sympy.Add(*[_outer(expr, k, primed) * diff(a, var, primed)
                           for k, a in enumerate(expr.args, start=1) if a.has(var)])
    raise InputError(f"Cannot differentiate {expr}.")


def _outer(f: sympy.Function, k: int, primed: bool) -> sympy.Expr:
    """∂f/∂(argument k) at f's arguments."""
    args = f.args
    u = args[0]
    if isinstance(f, (sympy.Max, sympy.Min)):
        sign = 1 if isinstance(f, sympy.Max) else -1
        me = args[k - 1]
        return sympy.Mul(*[sympy.Heaviside(sign * (me - a)) for j, a in enumerate(args, 1) if j != k])
    if isinstance(f, sympy.Abs):
        return sympy.sign(u)
    if isinstance(f, (sympy.sign, sympy.Heaviside, sympy.DiracDelta)):
        return sympy.Integer(0)
    if isinstance(f, sympy.tanh):
        return known_prime_fn("tanh")(u) if primed else 1 - sympy.tanh(u) ** 2
    if isinstance(f, sigmoid):
        return known_prime_fn("sigmoid")(u) if primed else sigmoid(u) * (1 - sigmoid(u))
    if isinstance(f, KnownPrime):
        if primed:
            return f.fdiff(k)
        u_ = sympy.Dummy("u", real=True)
        return diff(f.func(u_).exact(), u_).xreplace({u_: u})
    if isinstance(f, sympy.exp):
        return f
    if isinstance(f, sympy.log):
        return 1 / u
    return f.fdiff(k)  # Unknown, Partial, sin, cos, ...
