"""Part (b): a bound read from `1/2*||w||_1`-like text, and checked by SAMPLING.

The bound must hold for every x, every choice of the other parameters and every w. It is checked on
weight vectors (simple ones first, for short counterexamples; random, sparse, equal magnitudes,
scaled) at the points where the gradient is largest (centres at x with signs matching w, units at
the top of φ') and at random points. Which gradient is sampled is an argument: grading uses the
symbolic gradient, `verify` torch.autograd.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypedDict

from dlexam.errors import InputError
from dlexam.tasks.gradient_bound.data import Activation, GradientBoundData, ModelKind, Quantity, scale

if TYPE_CHECKING:
    import sympy

NORM_NAMES = ("W1", "W2", "Winf", "n", "m")
_NORM = re.compile(r"(?:‖\s*w\s*‖|\|\|\s*w\s*\|\||\|\s*w\s*\|)\s*(?:_?\s*\{?\s*(1|2|∞|inf|max)\s*\}?|([₁₂]))?")
_WEIGHT = re.compile(r"w([1-9]\d?)")
# values by name (arrays over the samples) -> ∂f/∂x, an n × samples array
Gradient = Callable[[GradientBoundData, dict[str, Any]], Any]


class BoundReport(TypedDict, total=False):
    counterexample: dict[str, float] | None   # a point where the gradient exceeds the bound
    gradient: float                           # the gradient's size there
    claimed: float                            # the bound's value there
    tightness: float                          # max over the samples of (true sup) / bound: 1 when attained


def parse_bound(text: str) -> tuple[sympy.Expr, bool]:
    """(SymPy expression in W1, W2, Winf, n, m and single weights w1, w2, ...; whether an unindexed
    ‖w‖ was read as ‖w‖₂). `2(|w1| + |w2|)` is a bound too: the weights are sampled one by one."""
    from dlexam.engines.notation import parse_expression

    if not isinstance(text, str) or not text.strip():
        raise InputError("The bound is empty.")
    plain_norm = False

    def norm(m: re.Match) -> str:
        nonlocal plain_norm
        index = m.group(1) or {"₁": "1", "₂": "2"}.get(m.group(2) or "", "")
        plain_norm = plain_norm or not index
        return {"1": " W1 ", "2": " W2 ", "": " W2 "}.get(index, " Winf ")

    clean = text.replace("½", "(1/2)").replace("¼", "(1/4)")
    clean = re.sub(r"√\s*(\w+)", r"sqrt(\1)", clean)
    clean = re.sub(r"norm(1|2|inf)\s*\(\s*w\s*\)", lambda m: f" W{m.group(1)} ", clean)
    expr = parse_expression(_NORM.sub(norm, clean), frozenset(NORM_NAMES))
    extra = sorted(s.name for s in expr.free_symbols if s.name not in NORM_NAMES and not _WEIGHT.fullmatch(s.name))
    if extra:
        raise InputError(f"A bound may use ||w||_1, ||w||_2, ||w||_inf, the weights w1, w2, ..., n and m, "
                         f"not {extra[0]!r}.")
    return expr, plain_norm


def _weight_samples(m: int, rng: Any) -> Any:
    """Weight vectors: simple ones first (they make the shortest counterexamples), random, sparse,
    equal magnitudes with random signs, and all of them scaled up and down."""
    import numpy as np

    rows = [np.ones((1, m)), np.eye(m), -np.eye(m) * 3, rng.choice([-1.0, 1.0], size=(6, m)),
            rng.normal(size=(12, m))]
    w = np.concatenate(rows)
    return np.concatenate([w, w * 20, w * 0.01])


def worst_points(d: GradientBoundData, w: Any) -> dict[str, Any]:
    """For each weight vector, the other values where the gradient is (nearly) largest."""
    import numpy as np

    n, m, count = d["n"], d["m"], len(w)
    values: dict[str, Any] = {f"x{i}": np.zeros(count) for i in range(1, n + 1)}
    sign = np.where(w >= 0, 1.0, -1.0)
    for j in range(1, m + 1):
        values[f"w{j}"] = w[:, j - 1]
        if d["kind"] == ModelKind.RBF:   # centres just beside x = 0, sign(x_i − c_ij) = sign(w_j)
            for i in range(1, n + 1):
                values[f"c{i}{j}"] = -1e-9 * sign[:, j - 1]
        elif d["kind"] == ModelKind.UNIT:   # v_ij = r·sign(w_j), z_j where φ' is largest
            for i in range(1, n + 1):
                values[f"v{i}{j}"] = scale(d) * sign[:, j - 1]
            values[f"b{j}"] = np.full(count, -1.0 if d["activation"] == Activation.RELU else 0.0)
    if d["kind"] == ModelKind.LINEAR:
        values["b"] = np.zeros(count)
    return values


def random_points(d: GradientBoundData, w: Any, rng: Any) -> dict[str, Any]:
    """For each weight vector, random inputs, centres, biases and first-layer weights (|v| <= r)."""
    values = worst_points(d, w)
    for name in values:
        if name.startswith(("x", "c", "b")):
            values[name] = rng.normal(size=len(w))
        elif name.startswith("v"):
            values[name] = rng.uniform(-1, 1, size=len(w)) * scale(d)
    return values


def _size(d: GradientBoundData, grad: Any) -> Any:
    import numpy as np

    return np.abs(grad).max(0) if d["quantity"] == Quantity.COORDINATE else np.sqrt((grad ** 2).sum(0))


def _at_norms(expr: sympy.Expr, w: Any, d: GradientBoundData) -> Any:
    import numpy as np

    from dlexam.engines.calculus_numeric import evaluate
    from dlexam.engines.notation import symbol

    norms = {symbol("W1"): np.abs(w).sum(1), symbol("W2"): np.sqrt((w ** 2).sum(1)),
             symbol("Winf"): np.abs(w).max(1), symbol("n"): np.float64(d["n"]), symbol("m"): np.float64(d["m"]),
             **{symbol(f"w{j}"): w[:, j - 1] for j in range(1, d["m"] + 1)}}
    unknown = sorted(s.name for s in expr.free_symbols if s not in norms)
    if unknown:
        raise InputError(f"This model has the weights w1 to w{d['m']}; the bound uses {unknown[0]}.")
    return np.broadcast_to(np.asarray(evaluate(expr, norms), dtype=float), (len(w),))


def check_bound(d: GradientBoundData, bound: sympy.Expr, gradient: Gradient, model: sympy.Expr | None = None,
                seed: int = 0, slack: float = 0.0) -> BoundReport:
    """The first sampled point where `gradient` exceeds `bound` (or None), and how tight the bound is:
    with `model` (the known tight bound), max over the sampled w of model / bound; without it, max over
    the sampled points of gradient / bound. Either is 1 when the bound is attained for some w.
    `slack` (relative) allows for constants written as rounded decimals (0.707 for √2/2)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    w = _weight_samples(d["m"], rng)
    claimed = _at_norms(bound, w, d)
    sizes = []
    for values in (worst_points(d, w), random_points(d, w, rng)):
        size = _size(d, gradient(d, values))
        over = ~(size <= claimed * (1 + 1e-9 + slack) + 1e-12)   # NaN in the bound counts as exceeded
        if over.any():
            i = int(np.flatnonzero(over)[0])
            point = {k: round(float(v[i]), 9) for k, v in values.items()}
            return BoundReport(counterexample=point, gradient=float(size[i]), claimed=float(claimed[i]),
                               tightness=0.0)
        sizes.append(size)
    reached = _at_norms(model, w, d) if model is not None else np.maximum(*sizes)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(claimed > 0, reached / claimed, np.inf)
    return BoundReport(counterexample=None, tightness=float(np.nanmax(ratio)))
