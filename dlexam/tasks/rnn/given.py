"""The value of a student's ∂L/∂θ for the generic cell g at the numbers part (d) gives, for
error carried forward: the formula a student wrote in (c) is worth what (d) makes of it.

Part (d) gives δ_t = ∂L/∂h_t and ∂h_t/∂θ. They fix every derivative the chain rule uses:
∂h_t/∂θ = dh_t, ∂h_t/∂h_{t−1} = δ_{t−1}/δ_t (as δ_{t−1} = δ_t·∂h_t/∂h_{t−1}), and ∂L/∂y = δ_T, met
at a y and t chosen for the loss (`loss_point`). A partial g'_k(x_t, h_{t−1}, θ) is read by the
argument it names; the exam's loose g'(x_t, h_{t−1}, θ) by the chain rule's shape: in each
product, the earliest step's g' is where θ enters (∂h_t/∂θ), every later one carries it on
(∂h_t/∂h_{t−1}). A formula that still needs anything else (g itself, x_t, an unnamed slot) has no
value here.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from dlexam.errors import InputError
from dlexam.tasks.formulas import read_formula
from dlexam.tasks.rnn.data import Loss, RNNData

if TYPE_CHECKING:
    import sympy


def loss_point(loss: Loss, delta: float) -> dict[str, float]:
    """A y and t where ∂L/∂y = delta (delta ≠ 0)."""
    if loss == Loss.SQUARE:         # 2(y − t)
        return {"y": delta / 2, "t": 0.0}
    if loss == Loss.PERCEPTRON:     # −t·H(−yt), with −yt > 0
        return {"y": math.copysign(1.0, delta), "t": -delta}
    return {"y": 0.0, "t": -2 * delta}   # −t·σ(−yt) = −t/2 at y = 0


def _step(e: Any) -> int | None:
    """The step t of g'(x_t, …): the index of its x argument."""
    names = [a.name for a in e.args if getattr(a, "is_Symbol", False) and a.name[:1] == "x" and a.name[1:].isdigit()]
    return int(names[0][1:]) if len(names) == 1 else None


def _slotted(e: Any, d: RNNData, rate: dict[int, float]) -> float | None:
    """The number for g'_k(x_t, h_{t−1}, θ): by the argument in slot k."""
    t, (slot,) = _step(e), e.slots
    arg = e.args[slot - 1]
    if t is None or getattr(arg, "is_Symbol", False) and arg.name.startswith("x"):
        return None
    return d["numbers"][f"dh{t}"] if getattr(arg, "is_Symbol", False) and arg.name == d["param"] else rate.get(t)


def _product(term: sympy.Expr, d: RNNData, rate: dict[int, float]) -> sympy.Expr | None:
    """One product with its loose g' read by the chain rule's shape."""
    from dlexam.engines.notation import Partial

    loose = sorted((e for e in term.atoms(Partial) if not e.slots), key=lambda e: _step(e) or 0)
    if any(_step(e) is None for e in loose):
        return None
    put = {e: (d["numbers"][f"dh{_step(e)}"] if i == 0 else rate.get(_step(e))) for i, e in enumerate(loose)}
    return None if None in put.values() else term.xreplace(put)


def given_value(text: str, d: RNNData) -> float | None:
    """The student's ∂L/∂θ at (d)'s numbers, or None when it cannot be valued there."""
    import sympy

    from dlexam.engines.notation import Partial, Unknown, symbol

    n, steps = d["numbers"], d["steps"]
    rate = {t: n[f"delta{t - 1}"] / n[f"delta{t}"] for t in range(2, steps + 1)}
    try:
        expr = read_formula(text)
    except InputError:
        return None
    slotted = {e: _slotted(e, d, rate) for e in expr.atoms(Partial) if len(e.slots) == 1}
    if None in slotted.values() or any(len(e.slots) > 1 for e in expr.atoms(Partial)):
        return None
    terms = [_product(term, d, rate) for term in sympy.Add.make_args(sympy.expand(expr.xreplace(slotted)))]
    if None in terms:
        return None
    at = loss_point(d["loss"], n[f"delta{steps}"])
    last = {symbol("y"): at["y"], symbol(f"h{steps}"): at["y"], symbol("t"): at["t"],
            symbol("delta_y"): n[f"delta{steps}"], **{symbol(f"delta{t}"): n[f"delta{t}"] for t in range(1, steps + 1)}}
    value = sympy.Add(*terms).xreplace(last).replace(
        lambda e: isinstance(e, Unknown) and _step(e) == steps, lambda e: sympy.Float(at["y"]))
    if value.free_symbols or value.atoms(Unknown, Partial):
        return None
    try:
        x = float(value)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None
