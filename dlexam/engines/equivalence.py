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

import multiprocessing
import time
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any, Mapping

import mpmath
import numpy as np
import sympy

from dlexam.engines import notation
from dlexam.engines.calculus_numeric import ConcreteFunctions, Unsupported, evaluate
from dlexam.engines.derivatives import Partial, Unknown, known_primes_exact, loose_primes
from dlexam.errors import InputError

RANDOM_POINTS = 48
STAND_INS = 3  # random choices of the unknown functions
ATOL, RTOL = 1e-9, 1e-7  # equal at a point
FAR_ATOL, FAR_RTOL = 1e-6, 1e-4  # clearly different at a point
KINK_OFFSETS = (1e-2, 1e-5)


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
    start = time.perf_counter()
    deadline = start + time_limit
    declared = frozenset(variables or ())
    plain = None
    if isinstance(expected, str) and isinstance(answer, str):
        plain = frozenset(notation.plain_names(expected) | notation.plain_names(answer)) | declared
    a = to_expr(expected, declared, plain)
    # the answer may run the expected's variables together: `xy` for x*y, `2wx1` for 2*w*x1
    vocabulary = declared | {s.name for s in a.free_symbols if len(s.name) <= 3}
    b = to_expr(answer, vocabulary, plain)
    # "just write g'": once either side leaves the slot of g' unsaid, both are read that way
    loose = loose_primes or any(isinstance(f, Partial) and not f.slots and len(f.args) > 1
                                for f in (a + b).atoms(Partial))
    a, b = _prepare(a, inline, loose), _prepare(b, inline, loose)
    note = " (g' read as in the exam: which argument it is taken by is not said)" if loose and not loose_primes else ""
    verdict = _decide(a, b, seed, deadline)
    return replace(verdict, reason=verdict.reason + note) if note else verdict


def _decide(a: sympy.Expr, b: sympy.Expr, seed: int, deadline: float) -> Verdict:
    if a == b or a - b == 0:
        return Verdict(True, None, "The two expressions are identical.", Method.IDENTICAL)
    try:
        verdict = _numeric(a, b, seed, deadline)
    except Unsupported as exc:
        verdict = Verdict(None, None, f"Numbers could not decide ({exc}).", Method.UNDECIDED)
    except TimeoutError:
        return Verdict(None, None, "The time limit ran out during the numeric checks.", Method.UNDECIDED)
    if verdict.equivalent is None:
        return _symbolic(a, b, deadline, verdict.reason)
    return verdict


def _prepare(e: sympy.Expr, inline, loose: bool) -> sympy.Expr:
    if inline:
        e = e.xreplace(dict(inline))
    e = known_primes_exact(e)
    return loose_primes(e) if loose else e


# ---------------------------------------------------------------- numbers


def _numeric(a: sympy.Expr, b: sympy.Expr, seed: int, deadline: float) -> Verdict:
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    has_unknown = bool(a.atoms(Unknown, Partial) | b.atoms(Unknown, Partial))
    kinks = _kinks(a + b)
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
            near = _kink_points(kinks, symbols, functions, rng, base[active] if active.any() else base, deadline)
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


def _join(p: dict, q: dict) -> dict:
    if not q:
        return p
    return {s: np.concatenate([p[s], q[s]]) for s in p}


def _kinks(e: sympy.Expr) -> list[sympy.Expr]:
    """Expressions whose sign changes where e has a kink or a jump."""
    out = []
    for f in e.atoms(sympy.Max, sympy.Min, sympy.Abs, sympy.sign, sympy.Heaviside):
        if isinstance(f, (sympy.Max, sympy.Min)):
            out += [x - y for i, x in enumerate(f.args) for y in f.args[i + 1:]]
        else:
            out.append(f.args[0])
    return sorted((k for k in set(out) if k.free_symbols), key=sympy.default_sort_key)  # same order every run


def _kink_points(kinks: list[sympy.Expr], symbols: list[sympy.Symbol], functions: ConcreteFunctions,
                 rng: np.random.Generator, bases: np.ndarray, deadline: float, lines: int = 6,
                 grid: int = 40) -> dict:
    """Points just on both sides of each kink, found along lines through the base points.

    Half the lines run along one variable of the kink (a kink such as t*y = 0 is crossed
    for sure), half in random directions. Lines start at base points where the expressions
    are non-zero, so a kink multiplied by other switched-off factors still shows.
    """
    if not kinks or not symbols:
        return {}
    chosen: list[np.ndarray] = []
    s = np.linspace(-3, 3, grid)
    index = {sym: j for j, sym in enumerate(symbols)}
    for k in kinks[:24]:
        if time.perf_counter() > deadline:
            raise TimeoutError
        own = [index[v] for v in k.free_symbols if v in index]
        x0 = bases[rng.integers(len(bases), size=lines)]
        d = rng.normal(size=(lines, len(symbols)))
        for i in range(0, lines, 2):
            d[i] = 0
            d[i, own[rng.integers(len(own))]] = 1
        d /= np.linalg.norm(d, axis=1, keepdims=True)
        env = {sym: (x0[:, j:j + 1] + s * d[:, j:j + 1]).ravel() for j, sym in enumerate(symbols)}
        try:
            v = np.broadcast_to(np.asarray(evaluate(k, env, functions), dtype=float), (lines * grid,))
        except Unsupported:
            continue
        v = v.reshape(lines, grid)
        cross = np.isfinite(v[:, :-1]) & np.isfinite(v[:, 1:]) & (np.sign(v[:, :-1]) != np.sign(v[:, 1:]))
        # Projection reaches kinks far outside the sampled lines (max(x, 50)), so it runs always.
        chosen += _projected(k, symbols, functions, bases[rng.permutation(len(bases))[:8]])
        li, gi = np.nonzero(cross)
        if not len(li):
            continue
        root = _roots(k, symbols, functions, x0[li], d[li], s[gi], s[gi + 1], v[li, gi], v[li, gi + 1])
        for off in KINK_OFFSETS:
            chosen += [x0[li] + (root - off)[:, None] * d[li], x0[li] + (root + off)[:, None] * d[li]]
    if not chosen:
        return {}
    pts = np.concatenate(chosen)
    return {sym: pts[:, j] for j, sym in enumerate(symbols)}


def _projected(k, symbols, functions, x0: np.ndarray, steps: int = 3, h: float = 1e-6) -> list[np.ndarray]:
    """Points beside the kink surface k = 0 nearest to each base point (Newton projection).

    Moving the least distance from a point where every other factor is switched on keeps
    them on, so a difference confined to a thin strip along one kink still shows.
    """
    n = len(symbols)
    eye = np.vstack([np.zeros(n), h * np.eye(n)])
    for _ in range(steps + 1):
        probe = (x0[:, None, :] + eye[None, :, :]).reshape(-1, n)
        env = {sym: probe[:, j] for j, sym in enumerate(symbols)}
        v = np.broadcast_to(np.asarray(evaluate(k, env, functions), dtype=float), (len(probe),))
        v = v.reshape(len(x0), n + 1)
        grad = (v[:, 1:] - v[:, :1]) / h
        norm2 = (grad ** 2).sum(axis=1)
        good = np.isfinite(v).all(axis=1) & (norm2 > 1e-12)
        x0, grad, norm2, k0 = x0[good], grad[good], norm2[good], v[good, 0]
        if not len(x0):
            return []
        if _ == steps:
            break
        x0 = x0 - (k0 / norm2)[:, None] * grad
    unit = grad / np.sqrt(norm2)[:, None]
    return [x0 + sign * off * unit for off in KINK_OFFSETS for sign in (-1, 1)]


def _roots(k, symbols, functions, x0, d, lo, hi, flo, fhi, steps: int = 5) -> np.ndarray:
    """A few Illinois (regula falsi) steps for many brackets at once: exact at once for
    linear kinks, fast for smooth ones."""
    lo, hi, flo, fhi = (np.array(a, dtype=float) for a in (lo, hi, flo, fhi))
    for _ in range(steps):
        denom = np.where(fhi == flo, 1.0, fhi - flo)
        mid = np.clip(hi - fhi * (hi - lo) / denom, np.minimum(lo, hi), np.maximum(lo, hi))
        env = {sym: x0[:, j] + mid * d[:, j] for j, sym in enumerate(symbols)}
        fm = np.broadcast_to(np.asarray(evaluate(k, env, functions), dtype=float), mid.shape)
        same = np.sign(fm) == np.sign(fhi)
        lo, flo = np.where(same, lo, hi), np.where(same, flo / 2, fhi)
        hi, fhi = mid, fm
    return np.where(np.isfinite(fhi), hi, (lo + hi) / 2)


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
