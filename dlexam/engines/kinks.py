"""Points just beside the kinks of piecewise expressions, where a wrong answer hides.

An answer that is right except on a thin strip along a kink (max(0, x - 0.02) for max(0, x))
agrees at random points; `kink_points` finds the kinks' surfaces along lines through base
points (a few Illinois steps for the crossing) and by Newton projection, and returns points
on both sides of each at `KINK_OFFSETS`.
"""

from __future__ import annotations

import time

import numpy as np
import sympy

from dlexam.engines.calculus_numeric import ConcreteFunctions, Unsupported, evaluate

KINK_OFFSETS = (1e-2, 1e-5)


def kinks_of(e: sympy.Expr) -> list[sympy.Expr]:
    """Expressions whose sign changes where e has a kink or a jump."""
    out = []
    for f in e.atoms(sympy.Max, sympy.Min, sympy.Abs, sympy.sign, sympy.Heaviside):
        if isinstance(f, (sympy.Max, sympy.Min)):
            out += [x - y for i, x in enumerate(f.args) for y in f.args[i + 1:]]
        else:
            out.append(f.args[0])
    return sorted((k for k in set(out) if k.free_symbols), key=sympy.default_sort_key)  # same order every run


def kink_points(kinks: list[sympy.Expr], symbols: list[sympy.Symbol], functions: ConcreteFunctions,
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
