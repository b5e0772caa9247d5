"""The error's contours before and after the change of (d), with the eigenvectors of H and
gradient descent just below and just above the largest stable learning rate 2/λmax.

Every number comes from the variant: the panel before the change takes H, its eigenvalues, κ and
2/λmax from the family's solution; the panel after it builds H' (H + shift·I for noise and weight
decay, 2Σ for centring, DHD for scaling) and checks its κ against the solution's κ' before drawing.
The error is drawn around its minimum, Δw = w − w* (for the logistic error: its quadratic model at
w = 0), where gradient descent is Δw ← (I − ηH)·Δw. matplotlib is imported only when drawing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dlexam.engines.figures import save
from dlexam.errors import VerificationError
from dlexam.tasks.hessian.data import ErrorKind, HessianData
from dlexam.tasks.hessian.solution import solved

BELOW, ABOVE = 0.95, 1.05   # the learning rates drawn, as multiples of 2/λmax
STEPS = 40
BOX = 1.35                  # the panels show Δw in [−BOX, BOX]²


@dataclass(frozen=True)
class Panel:
    title: str
    H: Any                      # 2×2 numpy array
    eigenvalues: list[float]    # smallest first
    eigenvectors: Any           # columns, in the eigenvalues' order
    kappa: float
    lr: float                   # 2/λmax
    paths: dict[float, Any]     # factor of 2/λmax -> (steps + 1) × 2 array of Δw

    @property
    def heading(self) -> str:
        lo, hi = self.eigenvalues
        return (f"{self.title}\nλ = {lo:.3g}, {hi:.3g}   κ = λmax/λmin = {self.kappa:.3g}\n"
                f"largest stable rate 2/λmax = {self.lr:.3g}")


def after_matrix(d: HessianData, h: Any) -> Any:
    """H after the change of (d)."""
    import numpy as np

    kind = ErrorKind(d["kind"])
    if kind == ErrorKind.GAUSSIAN:
        return 2 * np.asarray(d["Sigma"], dtype=float)
    if kind == ErrorKind.SCALED:
        scale = np.diag(np.asarray(d["change"], dtype=float))
        return scale @ h @ scale
    shift = solved(d).shift
    return h + shift * np.eye(2)


def change_text(d: HessianData) -> str:
    kind, change, shift = ErrorKind(d["kind"]), d["change"], solved(d).shift
    if kind in (ErrorKind.DATA, ErrorKind.LOGISTIC):
        return f"after input noise σ² = {change:g}: H + {shift:g}·I"
    if kind == ErrorKind.QUADRATIC:
        return f"after weight decay λ = {change:g}: H + {shift:g}·I"
    if kind == ErrorKind.GAUSSIAN:
        return "after centring the inputs: H = 2Σ"
    return f"after scaling the inputs by ({change[0]:g}, {change[1]:g}): H = DHD"


def start(h: Any) -> Any:
    """Where both runs start: mostly along the flat direction, partly along the steep one."""
    import numpy as np

    _, vec = np.linalg.eigh(h)
    low, high = vec[:, 0], vec[:, 1]
    low, high = low * (1 if low[0] + low[1] >= 0 else -1), high * (1 if high[1] - high[0] >= 0 else -1)
    return 0.8 * low + 0.45 * high


def descent(h: Any, lr: float, w0: Any, steps: int = STEPS) -> Any:
    """Gradient descent Δw ← Δw − η·H·Δw from w0; a diverging run stops once far outside the box."""
    import numpy as np

    path = [np.asarray(w0, dtype=float)]
    for _ in range(steps):
        path.append(path[-1] - lr * h @ path[-1])
        if np.abs(path[-1]).max() > BOX:
            break
    return np.array(path)


def _panel(title: str, h: Any, w0: Any, eigenvalues: list[float] | None = None, kappa: float | None = None,
           lr: float | None = None) -> Panel:
    import numpy as np

    lam, vec = np.linalg.eigh(h)
    eigenvalues = eigenvalues or lam.tolist()
    kappa = kappa if kappa is not None else float(lam[1] / lam[0])
    lr = lr if lr is not None else float(2 / lam[1])
    paths = {factor: descent(h, factor * lr, w0) for factor in (BELOW, ABOVE)}
    return Panel(title, h, eigenvalues, vec, kappa, lr, paths)


def panels(d: HessianData) -> list[Panel]:
    """Before and after the change, from the family's solution."""
    import numpy as np

    s = solved(d)
    h = np.asarray(s.H, dtype=float)
    w0 = start(h)
    before = _panel("before: H of (a)", h, w0, list(s.eigenvalues), s.kappa, s.lr)
    after = _panel(change_text(d), after_matrix(d, h), w0)
    if not math.isclose(after.kappa, s.kappa_after, rel_tol=1e-9):
        raise VerificationError(f"The picture's κ' = {after.kappa} is not the solution's {s.kappa_after}.")
    return [before, after]


def figure(d: HessianData) -> Any:
    """The matplotlib figure (the caller closes it): columns before and after the change, rows the
    runs just below and just above the largest stable learning rate."""
    from dlexam.engines.figures import new_figure

    shown = panels(d)
    fig = new_figure(figsize=(8.2, 8.6), dpi=120)
    axes = fig.subplots(2, 2, sharex=True, sharey=True)
    for column, panel in enumerate(shown):
        for row, factor in enumerate((BELOW, ABOVE)):
            _draw_panel(axes[row, column], panel, factor)
        axes[0, column].set_title(panel.heading, fontsize=9.5)
    where = "the quadratic model of E at w = 0" if d["kind"] == ErrorKind.LOGISTIC else "E"
    fig.suptitle(f"Contours of {where} around its minimum (Δw = w − w*) with the eigenvectors of H;\n"
                 f"gradient descent from ■ just below (top) and just above (bottom) the largest stable rate",
                 fontsize=10.5)
    fig.tight_layout(rect=(0, 0, 1, 0.99))
    return fig


def _draw_panel(ax: Any, panel: Panel, factor: float) -> None:
    import numpy as np

    grid = np.linspace(-BOX, BOX, 241)
    x, y = np.meshgrid(grid, grid)
    h = panel.H
    energy = 0.5 * (h[0, 0] * x * x + 2 * h[0, 1] * x * y + h[1, 1] * y * y)
    path = panel.paths[factor]
    w0 = path[0]
    e0 = 0.5 * float(w0 @ h @ w0)
    ax.contour(x, y, energy, levels=e0 * np.array([0.02, 0.1, 0.25, 0.5, 1.0, 1.6, 2.5]), colors="0.65",
               linewidths=0.8)
    for k, (lam, colour) in enumerate(zip(panel.eigenvalues, ("tab:green", "tab:purple"))):
        v = panel.eigenvectors[:, k]
        v = v if v[0] + 0.01 * v[1] >= 0 else -v
        length = min(0.55 * BOX, max(0.3, math.sqrt(2 * e0 / lam)))
        ax.annotate("", xy=tuple(length * v), xytext=(0, 0),
                    arrowprops={"arrowstyle": "-|>", "color": colour, "lw": 1.8, "mutation_scale": 12}, zorder=4)
        ax.text(0.02, 0.98 - 0.07 * k, f"→ eigenvector {k + 1}, λ{'₁₂'[k]} = {lam:.3g}", color=colour, fontsize=9,
                zorder=7, transform=ax.transAxes, ha="left", va="top",
                bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "alpha": 0.9, "linewidth": 0})
    colour = "tab:blue" if factor < 1 else "tab:red"
    verdict = "converges" if factor < 1 else "diverges"
    ax.plot(path[:, 0], path[:, 1], marker="o", markersize=3, lw=1.2, color=colour, zorder=3)
    ax.plot([w0[0]], [w0[1]], marker="s", color="black", markersize=6, zorder=5)
    ax.plot([0], [0], marker="*", color="black", markersize=9, zorder=5)
    ax.text(0.02, 0.02, f"η = {factor:g}·2/λmax = {factor * panel.lr:.3g}: {verdict}", transform=ax.transAxes,
            fontsize=9, color=colour, ha="left", va="bottom", zorder=7,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "alpha": 0.9, "linewidth": 0})
    ax.set_xlim(-BOX, BOX)
    ax.set_ylim(-BOX, BOX)
    ax.set_aspect("equal")
    if factor > 1:
        ax.set_xlabel("Δw₁", fontsize=9)
    ax.set_ylabel("Δw₂", fontsize=9)
    ax.tick_params(labelsize=8)


def draw(d: HessianData, path: str | Path) -> Path:
    """Write the picture of a Hessian variant to `path` (.png or .svg)."""
    return save(figure(d), path)
