"""The computed solution: ∂f/∂x_k symbolically, the tight bound and why it holds."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from dlexam.tasks.formulas import evaluate_at, for_people, program
from dlexam.tasks.gradient_bound.data import LIPSCHITZ, GradientBoundData, ModelKind, Quantity
from dlexam.tasks.multipart import solved_per_variant

if TYPE_CHECKING:
    import sympy

MODEL_EXPLANATION = ("Penalising ‖w‖ (weight decay) keeps the bound on ‖∂f/∂x‖ small, so f cannot change quickly "
                     "with x: the model is smoother, overfits less and is more robust to small input "
                     "perturbations (and adversarial examples).")


@dataclass(frozen=True)
class Solved:
    gradient: str      # ∂f/∂x_k, with the unit outputs a_j where they appear
    bound: str         # the tight bound, as (b) is typed: `1/2*||w||_1`
    why: str           # why it holds and where it is attained
    quantity: str      # |∂f/∂x_i| or ‖∂f/∂x‖₂

    @property
    def bound_text(self) -> str:
        return self.bound.replace("*", "·")


@solved_per_variant
def solved(d: GradientBoundData) -> Solved:
    coordinate = d["quantity"] == Quantity.COORDINATE
    bound, why = _bound(d, coordinate)
    return Solved(_gradient_text(d), bound, why, "|∂f/∂x_i|" if coordinate else "‖∂f/∂x‖₂")


def _gradient_text(d: GradientBoundData) -> str:
    import sympy

    from dlexam.engines.calculus import diff
    from dlexam.engines.notation import symbol

    if d["kind"] == ModelKind.LINEAR:
        return f"w{d['k']}"
    x, p = symbol(f"x{d['k']}"), program(d["program"])
    terms = []   # Σ_j w_j·∂a_j/∂x_k, written with the unit outputs a_j where they appear
    for j in range(1, d["m"] + 1):
        a = p.expr(f"a{j}")
        terms.append(symbol(f"w{j}") * diff(a, x, primed=True).xreplace({a: symbol(f"a{j}")}))
    return str(sympy.Add(*terms))


def _bound(d: GradientBoundData, coordinate: bool) -> tuple[str, str]:
    n, s = d["n"], d["scale"]
    root = "" if coordinate else f"sqrt({n})*"
    if d["kind"] == ModelKind.RBF:
        return f"{root}{s}*||w||_1", (
            f"|sign| <= 1 and 0 < exp(…) <= 1, so |∂f/∂x_i| <= {s}·Σ_j |w_j| = {s}·‖w‖₁ (equality in the limit "
            f"where all centres sit at x with sign(x_i − c_ij) = sign(w_j))"
            + ("." if coordinate else f"; the {n} coordinates together give ‖∂f/∂x‖₂ <= √{n}·{s}·‖w‖₁."))
    if d["kind"] == ModelKind.UNIT:
        act, lip = d["activation"], LIPSCHITZ[d["activation"]]
        factor = _fraction(lip * float(s))
        return f"{root}{factor}*||w||_1", (
            f"∂f/∂x_i = Σ_j w_j·{act}'(z_j)·v_ij with |{act}'| <= {_fraction(lip)} and "
            f"|v_ij| <= {s}, so |∂f/∂x_i| <= {factor}·‖w‖₁ (attained when v_ij = {s}·sign(w_j) and every z_j "
            f"is where {act}' is largest)"
            + ("." if coordinate else f"; over {n} coordinates ‖∂f/∂x‖₂ <= √{n}·{factor}·‖w‖₁."))
    if coordinate:
        return "||w||_inf", "∂f/∂x_i = w_i, so |∂f/∂x_i| <= max_i |w_i| = ‖w‖∞"
    return "||w||_2", "∂f/∂x = w, so ‖∂f/∂x‖₂ = ‖w‖₂ exactly"


def _fraction(x: float) -> str:
    return f"{x:g}" if x >= 1 or x * 4 not in (1.0, 2.0) else {0.25: "1/4", 0.5: "1/2"}[x]


def steps(d: GradientBoundData) -> list[str]:
    s = solved(d)
    return [f"(a) f = Σ_j w_j·a_j, so ∂f/∂x{d['k']} = Σ_j w_j·∂a_j/∂x{d['k']} = {for_people(s.gradient)}.",
            f"(b) {s.why} So {s.quantity} <= {s.bound_text}.",
            f"(c) {MODEL_EXPLANATION}"]


@lru_cache(maxsize=64)
def gradient_exprs(source: str, n: int) -> tuple[sympy.Expr, ...]:
    """∂f/∂x_i for every i, in the inputs (the engine's symbolic gradient)."""
    from dlexam.engines.calculus import gradient

    return tuple(gradient(program(source), [f"x{i}" for i in range(1, n + 1)], "f"))


def symbolic_gradient(d: GradientBoundData, values: dict[str, Any]) -> Any:
    """∂f/∂x at sampled values (arrays of one length): an n × samples array."""
    import numpy as np

    size = len(next(iter(values.values())))
    return np.array([np.broadcast_to(np.asarray(evaluate_at(e, values), dtype=float), (size,))
                     for e in gradient_exprs(d["program"], d["n"])])
