"""|∂f/∂x_k| (or ‖∂f/∂x‖₂) over the input plane against the family's bound, and where it is reached.

The other parameters are set where the bound is reached (as bound.py's worst points: centres
together at c = 0 with weights of one sign for the exp model; v_ij = r·sign(w_j) and z_j where φ'
is largest for units; |w_k| the largest weight for the linear model), the weights drawn from the
variant's seed. The left panel is the quantity over (x1, x2) (x3 = x2 where n = 3), coloured up to
the bound; the right one a cut along x2 = x1/2 against the bound, with a random choice of the other
parameters for comparison. The gradient is the family's symbolic one (solution.py), the bound the
solution's own text at these weights. matplotlib is imported only when drawing.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlexam.engines.figures import save
from dlexam.tasks.gradient_bound.data import Activation, GradientBoundData, ModelKind, Quantity, scale
from dlexam.tasks.gradient_bound.solution import solved, symbolic_gradient

REACH = 3.0    # the plane shown is [−REACH, REACH]² (the exp model: 2/s, where its bumps are)
SLOPE = 0.5    # the cut on the right runs along x2 = SLOPE·x1, through the point where the bound is reached
WHERE = {ModelKind.RBF: "reached as x → c, where every centre sits (weights of one sign)",
         ModelKind.LINEAR: "reached at every x"}


@dataclass(frozen=True)
class Scene:
    weights: list[float]
    params: dict[str, float]     # the other parameters, where the bound is reached
    random_params: dict[str, float]
    bound: float                 # the solution's bound at these weights
    bound_text: str
    where: str                   # where the bound is reached, in words
    peak: tuple[float, float]    # a point (x1, x2) where it is reached (in the limit for the exp model)
    reach: float                 # the plane shown is [−reach, reach]²


def weights(d: GradientBoundData, seed: int) -> list[float]:
    rng = random.Random(seed)
    w = [rng.choice([0.5, 1.0, 1.5, 2.0]) for _ in range(d["m"])]
    if d["kind"] == ModelKind.RBF:    # one sign: the centres can then all sit together
        return w if rng.random() < 0.5 else [-x for x in w]
    w = [x * rng.choice([-1, 1]) for x in w]
    if d["kind"] == ModelKind.LINEAR:   # |w_k| the largest, so the coordinate bound ‖w‖∞ is reached
        k = d["k"] - 1
        w[k] = max(abs(x) for x in w) + 0.5 if w[k] >= 0 else -(max(abs(x) for x in w) + 0.5)
    return w


def worst_params(d: GradientBoundData, w: list[float]) -> dict[str, float]:
    n, m = d["n"], d["m"]
    params: dict[str, float] = {f"w{j}": w[j - 1] for j in range(1, m + 1)}
    if d["kind"] == ModelKind.RBF:
        params.update({f"c{i}{j}": 0.0 for i in range(1, n + 1) for j in range(1, m + 1)})
    elif d["kind"] == ModelKind.UNIT:
        relu = d["activation"] == Activation.RELU
        for j in range(1, m + 1):
            params.update({f"v{i}{j}": scale(d) * (1 if w[j - 1] >= 0 else -1) for i in range(1, n + 1)})
            params[f"b{j}"] = -1.0 if relu else 0.0
    else:
        params["b"] = 0.0
    return params


def reach(d: GradientBoundData) -> float:
    return 2 / scale(d) if d["kind"] == ModelKind.RBF else REACH


def random_params(d: GradientBoundData, w: list[float], seed: int) -> dict[str, float]:
    """Random centres, biases and first-layer weights (|v| <= r), redrawn (a few times) while the
    gradient is nearly 0 all along the cut (every ReLU unit off there)."""
    import numpy as np

    rng = random.Random(seed + 1)
    cut = np.linspace(-reach(d), reach(d), 200)
    for _ in range(20):
        params = worst_params(d, w)
        for name in params:
            if name.startswith(("c", "b")):
                params[name] = round(rng.uniform(-0.6, 0.6) * reach(d), 2)
            elif name.startswith("v"):
                params[name] = round(rng.uniform(-1, 1) * scale(d), 2)
        if quantity(d, plane(d, cut, SLOPE * cut, params)).max() > 0.1 * bound_at(d, w):
            break
    return params


def bound_at(d: GradientBoundData, w: list[float]) -> float:
    """The solution's bound (its own text, parsed) at the weights w."""
    import numpy as np

    from dlexam.engines.notation import symbol
    from dlexam.tasks.gradient_bound.bound import parse_bound

    a = np.abs(np.asarray(w, dtype=float))
    values = {"W1": a.sum(), "W2": float(np.sqrt((a ** 2).sum())), "Winf": a.max(), "n": d["n"], "m": d["m"]}
    expr = parse_bound(solved(d).bound)[0]
    return float(expr.subs({symbol(k): v for k, v in values.items()}))


def scene(d: GradientBoundData, seed: int) -> Scene:
    w = weights(d, seed)
    if d["kind"] == ModelKind.UNIT:
        act = d["activation"]
        where = ("reached wherever every unit is active (z_j > 0)" if act == Activation.RELU
                 else f"reached on the line where every z_j = 0 ({act}' largest there)")
    else:
        where = WHERE[d["kind"]]
    return Scene(w, worst_params(d, w), random_params(d, w, seed), bound_at(d, w), readable(solved(d).bound), where,
                 (0.0, 0.0), reach(d))


def readable(bound: str) -> str:
    """`1/2*||w||_1` as printed: `1/2·‖w‖₁`."""
    for typed, shown in (("||w||_inf", "‖w‖∞"), ("||w||_1", "‖w‖₁"), ("||w||_2", "‖w‖₂"), ("*", "·")):
        bound = bound.replace(typed, shown)
    return re.sub(r"sqrt\((\w+)\)", r"√\1", bound)


def plane(d: GradientBoundData, x1: Any, x2: Any, params: dict[str, float]) -> dict[str, Any]:
    """The values at points (x1, x2) of the plane shown (x3 = x2)."""
    import numpy as np

    x1, x2 = np.ravel(x1).astype(float), np.ravel(x2).astype(float)
    values = {"x1": x1, "x2": x2, **({"x3": x2} if d["n"] == 3 else {})}
    return values | {k: np.full(len(x1), v) for k, v in params.items()}


def quantity(d: GradientBoundData, values: dict[str, Any]) -> Any:
    """|∂f/∂x_k| or ‖∂f/∂x‖₂ by the family's symbolic gradient."""
    import numpy as np

    grad = symbolic_gradient(d, values)
    if d["quantity"] == Quantity.COORDINATE:
        return np.abs(grad[d["k"] - 1])
    return np.sqrt((grad ** 2).sum(0))


def _name(d: GradientBoundData) -> str:
    return f"|∂f/∂x{d['k']}|" if d["quantity"] == Quantity.COORDINATE else "‖∂f/∂x‖₂"


def figure(d: GradientBoundData, seed: int) -> Any:
    from dlexam.engines.figures import new_figure
    import numpy as np

    sc = scene(d, seed)
    name = _name(d)
    box = sc.reach
    grid = np.linspace(-box, box, 240)   # even: no grid point on a kink, where sign(0) = 0
    x1, x2 = np.meshgrid(grid, grid)
    q = quantity(d, plane(d, x1, x2, sc.params)).reshape(x1.shape)
    fig = new_figure(figsize=(9.4, 4.6), dpi=120)
    left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
    image = left.imshow(q, origin="lower", extent=(-box, box, -box, box), cmap="viridis", vmin=0,
                        vmax=sc.bound, interpolation="bilinear")
    bar = fig.colorbar(image, ax=left, fraction=0.046, pad=0.03)
    bar.set_label(f"{name}   (top of the scale: the bound)", fontsize=9)
    bar.ax.tick_params(labelsize=8)
    if q.min() < 0.99 * sc.bound < q.max():
        left.contour(x1, x2, q, levels=[0.99 * sc.bound], colors="white", linewidths=1.0)
    left.plot([-box, box], [-SLOPE * box, SLOPE * box], color="white", lw=0.8, ls=":")
    left.plot(*sc.peak, marker="*", color="red", markersize=13, markeredgecolor="white", zorder=5)
    left.set_xlabel("x1", fontsize=9)
    left.set_ylabel("x2" + (" (and x3 = x2)" if d["n"] == 3 else ""), fontsize=9)
    left.set_title(f"{name} over the input plane (★: the bound reached;\nwhite line: 99% of the bound)",
                   fontsize=9.5, pad=10)
    left.tick_params(labelsize=8)

    cut = np.linspace(-box, box, 1200)
    along = SLOPE * cut
    right.plot(cut, quantity(d, plane(d, cut, along, sc.params)), color="tab:blue", lw=1.6, zorder=3,
               label="other parameters where the bound is reached")
    if d["kind"] != ModelKind.LINEAR:   # the linear model has no other parameters that matter
        right.plot(cut, quantity(d, plane(d, cut, along, sc.random_params)), color="tab:orange", lw=1.3, ls="--",
                   label="other parameters drawn at random")
    right.axhline(sc.bound, color="tab:red", lw=3, alpha=0.6, zorder=2, label=f"bound {sc.bound_text} = {sc.bound:.3g}")
    right.plot([sc.peak[0]], [sc.bound], marker="*", color="red", markersize=13, markeredgecolor="white", zorder=5)
    right.set_ylim(0, 1.3 * sc.bound)
    right.set_xlim(-box, box)
    right.set_xlabel(f"x1   (along x2 = {SLOPE:g}·x1, the dotted line on the left)", fontsize=9)
    right.set_ylabel(name, fontsize=9)
    right.tick_params(labelsize=8)
    right.legend(loc="upper right", fontsize=8, framealpha=0.95)
    right.set_title("along the dotted line, against the bound", fontsize=9.5, pad=10)
    w = ", ".join(f"{x:g}" for x in sc.weights)
    fig.suptitle(f"{name} ≤ {sc.bound_text} = {sc.bound:.3g} for w = ({w})\nthe bound is {sc.where}",
                 fontsize=10.5)
    fig.tight_layout(rect=(0, 0, 1, 0.99))
    return fig


def draw(d: GradientBoundData, seed: int, path: str | Path) -> Path:
    """Write the picture of a gradient-bound variant to `path` (.png or .svg)."""
    return save(figure(d, seed), path)
