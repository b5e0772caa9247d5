"""Are two formulas equal? Numbers first, algebra only when numbers cannot decide.

1. Both sides are parsed (notation.py) and compared at random points and at points on
   both sides of every kink (max/min/abs/sign/Heaviside), in float64; unknown functions
   such as g get several random smooth stand-ins, the same on both sides.
2. A point where they clearly differ is confirmed at 50 digits (mpmath) and reported, rounded
   to a short decimal when that still differs: "not equivalent" always comes with evidence.
3. Equal at every point under every stand-in: equivalent. Only when too few points can be
   evaluated (domains) or values are too close to call does SymPy's simplify run, in a
   forked process that is killed at the deadline: an honest `None` ("could not decide")
   rather than a hang.
"""

from __future__ import annotations

import difflib
import multiprocessing
import re
import time
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any, Mapping

import mpmath
import numpy as np
import sympy

from dlexam.engines import bounded, notation
from dlexam.engines.calculus_numeric import ConcreteFunctions, Unsupported, evaluate
from dlexam.engines.derivatives import Partial, Unknown, known_primes_exact, loose_primes
from dlexam.engines.functions import known_names
from dlexam.engines.kinks import kink_points, kinks_of
from dlexam.errors import InputError

RANDOM_POINTS = 48
STAND_INS = 3  # random choices of the unknown functions
ATOL, RTOL = 1e-9, 1e-7  # equal at a point
FAR_ATOL, FAR_RTOL = 1e-6, 1e-4  # clearly different at a point


class Method(StrEnum):
    """How a verdict was reached (a str, so it compares and serialises as before)."""

    IDENTICAL = "identical"
    NUMERIC = "numeric"
    SYMBOLIC = "symbolic"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class Verdict:
    equivalent: bool | None
    counterexample: dict[str, float] | None = None
    reason: str = ""
    method: Method = Method.NUMERIC
    expected_value: float | None = None
    answer_value: float | None = None
    functions: dict[str, str] = field(default_factory=dict)  # stand-ins behind the counterexample

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def to_expr(value: str | sympy.Expr, variables: frozenset[str] = frozenset(),
            plain: frozenset[str] | None = None) -> sympy.Expr:
    """A student's text, or a SymPy expression (also `parse_expr` output), in the engine's terms."""
    if isinstance(value, str):
        return notation.parse_expression(value, variables, plain)
    expr = sympy.sympify(value)
    foreign = expr.atoms(sympy.core.function.AppliedUndef, sympy.Derivative, sympy.Subs)
    if foreign or any(not s.is_real for s in expr.free_symbols):
        return notation.parse_expression(str(expr), variables)
    return expr


def check(expected: str | sympy.Expr, answer: str | sympy.Expr, variables: list[str] | None = None, *,
          time_limit: float = 2.0, seed: int = 0, loose_primes: bool = False,
          inline: Mapping[sympy.Symbol, sympy.Expr] | None = None) -> Verdict:
    """Decide expected == answer for all values of the variables (and all unknown functions).

    variables: declared names (lets `wx` read as w*x); inline: substitutions applied to both
    sides first, e.g. `program.inline`'s mapping so `2*(y - t)` is read through the program;
    loose_primes: read g'_k(...) as the exam's plain g'(...) on both sides.
    Raises InputError only when a side does not parse.
    """
    try:
        with bounded.deadline(time_limit):   # parsing counts too: SymPy can stall on odd input
            return _check(expected, answer, variables, time.perf_counter() + time_limit, seed, loose_primes, inline)
    except bounded.OutOfTime:
        return Verdict(None, None, f"The time limit of {time_limit:g} s ran out.", Method.UNDECIDED)
    except RecursionError:
        return Verdict(None, None, "The expressions are nested too deeply to compare.", Method.UNDECIDED)


def _check(expected, answer, variables, deadline: float, seed: int, loose_primes: bool, inline) -> Verdict:
    declared = frozenset(variables or ())
    plain = None
    if isinstance(expected, str) and isinstance(answer, str):
        plain = frozenset(notation.plain_names(expected) | notation.plain_names(answer)) | declared
    a = to_expr(expected, declared, plain)
    # the answer may run the expected's variables together: `xy` for x*y, `2wx1` for 2*w*x1
    vocabulary = declared | {s.name for s in a.free_symbols if len(s.name) <= 3}
    b = to_expr(answer, vocabulary, plain)
    if inline:
        a, b = a.xreplace(dict(inline)), b.xreplace(dict(inline))
    fa, fb = a.atoms(Unknown, Partial), b.atoms(Unknown, Partial)  # the unknown functions, once
    # "just write g'": once either side leaves the slot of g' unsaid, both are read that way
    loose = loose_primes or any(isinstance(f, Partial) and not f.slots and len(f.args) > 1 for f in fa | fb)
    a, b = _prepare(a, loose), _prepare(b, loose)
    note = " (g' read as in the exam: which argument it is taken by is not said)" if loose and not loose_primes else ""
    alone = one_sided_function(fa, fb)
    if alone:
        return Verdict(None, None, alone, Method.UNDECIDED)
    verdict = _decide(a, b, seed, deadline, bool(fa | fb))
    return replace(verdict, reason=verdict.reason + note) if note else verdict


_GENERIC = re.compile(r"[A-Za-z](\d*|_\w+)|phi|psi|varphi")  # g, f, g1, g_t: "any function"


def _function_names(applied: set[sympy.Function]) -> set[str]:
    return {f.base if isinstance(f, Partial) else type(f).__name__ for f in applied}


def one_sided_function(expected: set[sympy.Function], answer: set[sympy.Function]) -> str:
    """Why the two cannot be compared when a function dlexam does not know is on one side only,
    else "". Takes each side's `atoms(Unknown, Partial)`. The expected side names the unknown
    functions of the task: g there stands for any function; a longer name there (`sech`-like),
    or any new name in the answer, is not guessed."""
    names_e, names_a = _function_names(expected), _function_names(answer)
    alone = sorted(names_a - names_e) + sorted(n for n in names_e - names_a if not _GENERIC.fullmatch(n))
    if not alone:
        return ""
    name = alone[0]
    side = "the answer" if name in names_a else "the expected expression"
    if _GENERIC.fullmatch(name):
        return (f"`{name}` is an unknown function that only {side} uses, so the two cannot be compared: "
                f"write the functions the task names.")
    close = difflib.get_close_matches(name.lower(), known_names(), n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return (f"`{name}` is not a function dlexam knows{hint}; only {side} uses it, so the two cannot be "
            f"compared: write it with known functions such as {', '.join(_SHOWN)}.")


_SHOWN = ("tanh", "sigmoid", "relu", "softplus", "exp", "log", "Heaviside")


def _decide(a: sympy.Expr, b: sympy.Expr, seed: int, deadline: float, has_unknown: bool) -> Verdict:
    if a == b or a - b == 0:
        return Verdict(True, None, "The two expressions are identical.", Method.IDENTICAL)
    try:
        verdict = _numeric(a, b, seed, deadline, has_unknown)
    except Unsupported as exc:
        verdict = Verdict(None, None, f"Numbers could not decide ({exc}).", Method.UNDECIDED)
    except TimeoutError:
        return Verdict(None, None, "The time limit ran out during the numeric checks.", Method.UNDECIDED)
    if verdict.equivalent is None:
        return _symbolic(a, b, deadline, verdict.reason)
    return verdict


def _prepare(e: sympy.Expr, loose: bool) -> sympy.Expr:
    e = known_primes_exact(e)
    return loose_primes(e) if loose else e


# ---------------------------------------------------------------- numbers


def _numeric(a: sympy.Expr, b: sympy.Expr, seed: int, deadline: float, has_unknown: bool) -> Verdict:
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    kinks = kinks_of(a + b)
    rng = np.random.default_rng(seed)
    checked = 0
    for choice in range(STAND_INS if has_unknown else 1):
        functions = ConcreteFunctions(seed * 7919 + choice)
        points = _random_points(symbols, rng)
        verdict, va, vb = _compare(a, b, points, symbols, functions, kinks, closer=2 if choice == 0 else 0)
        if verdict is not None:
            return verdict
        checked += int((np.isfinite(va) & np.isfinite(vb)).sum())
        if kinks and symbols:
            active = np.isfinite(va) & np.isfinite(vb) & ((va != 0) | (vb != 0))
            base = np.array([points[s] for s in symbols]).T
            near = kink_points(kinks, symbols, functions, rng, base[active] if active.any() else base, deadline)
            if near:
                verdict, va, vb = _compare(a, b, near, symbols, functions, kinks, need=0)
                if verdict is not None:
                    return verdict
                checked += int((np.isfinite(va) & np.isfinite(vb)).sum())
        if time.perf_counter() > deadline:
            raise TimeoutError
    where = f" with {STAND_INS} random choices of the unknown functions" if has_unknown else ""
    near = f", including points on both sides of {len(kinks)} kink(s)" if kinks else ""
    return Verdict(True, None, f"Equal at {checked} points{near}{where}.", Method.NUMERIC)


def _compare(a, b, points, symbols, functions, kinks, need: int = 4, closer: int = 0):
    """(verdict or None if these points show no difference, values of a, values of b)."""
    with np.errstate(all="ignore"):  # overflow at some sample points is expected, and skipped below
        va, vb = (np.broadcast_to(np.asarray(evaluate(e, points, functions), dtype=float), (_size(points),))
                  for e in (a, b))
    ok = np.isfinite(va) & np.isfinite(vb)
    scale = np.maximum(np.abs(va), np.abs(vb))
    gap = np.abs(va - vb)
    far = ok & (gap > FAR_ATOL + FAR_RTOL * scale)
    unsure = ok & ~far & (gap > ATOL + RTOL * scale)
    # a few clearly different points, then a few unclear ones, then (float64 agreement can
    # hide a 1e-12 difference) `closer` agreeing ones, all looked at with 50 digits
    for i in np.flatnonzero(far)[:4].tolist() + np.flatnonzero(unsure)[:4].tolist() + np.flatnonzero(ok)[:closer].tolist():
        point = {s: float(points[s][i]) for s in symbols}
        differs = _differs_precisely(a, b, point, functions)
        if differs:
            return _counterexample(a, b, point, functions, kinks, symbols), va, vb
        if differs is None and (far[i] or unsure[i]):
            return Verdict(None, None, "Values differ in float64 but could not be confirmed precisely.",
                           Method.UNDECIDED), va, vb
    if ok.sum() < need:
        one_sided = np.isfinite(va) ^ np.isfinite(vb)
        if one_sided.any():
            i = int(np.flatnonzero(one_sided)[0])
            point = {s.name: float(points[s][i]) for s in symbols}
            return Verdict(False, point, "One expression is defined at this point and the other is not.",
                           Method.NUMERIC, _num(va[i]), _num(vb[i]), functions.describe(a + b)), va, vb
        return Verdict(None, None, "Too few points where both expressions can be evaluated.", Method.UNDECIDED), va, vb
    return None, va, vb


def _size(points: dict) -> int:
    return len(next(iter(points.values()))) if points else 1


def _random_points(symbols: list[sympy.Symbol], rng: np.random.Generator) -> dict:
    n = RANDOM_POINTS
    scale = np.where(np.arange(n) % 3 == 0, 0.5, 2.0)  # some small, some moderate values
    return {s: rng.uniform(-1, 1, n) * scale for s in symbols}


def _precise(e: sympy.Expr, point: dict, functions: ConcreteFunctions):
    env = {s: mpmath.mpf(repr(v)) for s, v in point.items()}
    try:
        v = evaluate(e, env, functions, backend="mpmath")
    except (Unsupported, ZeroDivisionError, ValueError, OverflowError):
        return None
    return v if isinstance(v, mpmath.mpf) and mpmath.isfinite(v) else None


def _differs_precisely(a, b, point, functions) -> bool | None:
    """At 50 digits: True if a and b differ at the point, None if it cannot be evaluated."""
    with mpmath.workdps(50):
        va, vb = _precise(a, point, functions), _precise(b, point, functions)
        if va is None or vb is None:
            return None
        return abs(va - vb) > mpmath.mpf(10) ** -30 * max(1, abs(va), abs(vb))


def _counterexample(a, b, point, functions, kinks, symbols) -> Verdict:
    """Report the point, rounded to few decimals when it still shows the difference."""
    for digits in (1, 2, 3, 4, 6):
        short = {s: round(v, digits) for s, v in point.items()}
        if _differs_clearly(a, b, short, functions) and not any(_value(k, short, functions) == 0 for k in kinks):
            point = short
            break
    va, vb = _value(a, point, functions), _value(b, point, functions)
    gap = "" if va is None or vb is None else f" ({va:.6g} vs {vb:.6g})"
    return Verdict(False, {s.name: v for s, v in point.items()},
                   f"The expressions differ at the counterexample{gap}.", Method.NUMERIC, va, vb,
                   functions.describe(a + b))


def _value(e, point, functions) -> float | None:
    try:
        v = float(evaluate(e, {s: np.float64(x) for s, x in point.items()}, functions))
    except (Unsupported, TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _differs_clearly(a, b, point, functions) -> bool:
    va, vb = _value(a, point, functions), _value(b, point, functions)
    if va is None or vb is None:
        return False
    far = abs(va - vb) > FAR_ATOL + FAR_RTOL * max(abs(va), abs(vb))
    return far and bool(_differs_precisely(a, b, point, functions))


def _num(x) -> float | None:
    return float(x) if np.isfinite(x) else None


# ---------------------------------------------------------------- algebra, with a real deadline


def _simplify_is_zero(a: sympy.Expr, b: sympy.Expr, conn) -> None:
    diff = (a - b).rewrite(sympy.exp)
    conn.send(sympy.simplify(diff) == 0)
    conn.close()


def _symbolic(a: sympy.Expr, b: sympy.Expr, deadline: float, why: str) -> Verdict:
    """simplify(a - b) == 0 in a forked process, killed at the deadline."""
    left = deadline - time.perf_counter()
    if left <= 0.05:
        return Verdict(None, None, why + " No time was left for simplification.", Method.UNDECIDED)
    try:
        ctx = multiprocessing.get_context("fork")
    except ValueError:
        return Verdict(None, None, why, Method.UNDECIDED)
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_simplify_is_zero, args=(a, b, send), daemon=True)
    proc.start()
    send.close()
    try:
        result = receive.recv() if receive.poll(left) else None
    except EOFError:  # the child failed
        result = None
    finally:   # also when the caller's deadline interrupts the wait
        proc.kill()
        proc.join()
    if result is True:
        return Verdict(True, None, "SymPy simplifies the difference to 0.", Method.SYMBOLIC)
    tail = "simplification did not reach 0" if result is False else "simplification ran out of time"
    return Verdict(None, None, f"{why} Then {tail}.", Method.UNDECIDED)


def parse_variables(text: str | None) -> list[str]:
    """`--vars x,y` -> ['x', 'y']."""
    if not text:
        return []
    names = [v.strip() for v in text.split(",") if v.strip()]
    for v in names:
        if not v.replace("_", "a").isalnum() or v[0].isdigit():
            raise InputError(f"{v!r} is not a variable name.")
    return names
