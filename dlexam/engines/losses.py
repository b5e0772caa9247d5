"""The lecture's losses and the properties it compares them by, checked on the functions.

Regression losses are functions of the residual r = y - t, classification losses of the
margin m = y·t. The criteria (DESIGN.md):

- optimizable: the derivative is non-zero wherever the loss is not minimal;
- outlier-robust / mislabeling-robust: the derivative stays bounded as the residual
  (or -m) grows, i.e. the loss grows at most linearly;
- ε-tolerant (regression): the derivative goes to 0 as the residual goes to 0;
- builds a margin (classification): correctly classified points with 0 < m < 1 still
  have a positive loss.

`properties(loss)` measures them with central differences in NumPy;
`properties(loss, derivative=autograd_derivative)` measures them with torch autograd
on separately written torch versions of the same losses, as an independent check.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

EPSILON = 0.5  # width of the ε-insensitive loss's tube
HUBER_DELTA = 1.0


@dataclass(frozen=True)
class Loss:
    key: str
    name: str
    formula: str      # in the lecture's notation, as plain text
    kind: str         # "regression" (argument r = y - t) or "classification" (argument m = y*t)
    f: Callable[[np.ndarray], np.ndarray]


def _huber(r):
    a = np.abs(r)
    return np.where(a <= HUBER_DELTA, 0.5 * r**2, HUBER_DELTA * (a - 0.5 * HUBER_DELTA))


LOSSES = [
    Loss("zero-one-regression", "0/1", "1 if y != t else 0", "regression", lambda r: (r != 0).astype(float)),
    Loss("squared", "squared", "(y - t)^2", "regression", lambda r: r**2),
    Loss("absolute", "absolute", "|y - t|", "regression", np.abs),
    Loss("log-cosh", "log-cosh", "log(cosh(y - t))", "regression", lambda r: np.logaddexp(r, -r) - np.log(2)),
    Loss("huber", "Huber", "(y - t)^2 / 2 if |y - t| <= 1, else |y - t| - 1/2", "regression", _huber),
    Loss("epsilon-insensitive", "ε-insensitive", f"max(0, |y - t| - {EPSILON})", "regression",
         lambda r: np.maximum(0, np.abs(r) - EPSILON)),
    Loss("zero-one", "0/1", "1 if y*t <= 0 else 0", "classification", lambda m: (m <= 0).astype(float)),
    Loss("perceptron", "perceptron", "max(0, -y*t)", "classification", lambda m: np.maximum(0, -m)),
    Loss("log", "log", "log(1 + exp(-y*t))", "classification", lambda m: np.logaddexp(0, -m)),
    Loss("hinge", "hinge", "max(0, 1 - y*t)", "classification", lambda m: np.maximum(0, 1 - m)),
    Loss("squared-classification", "squared", "(1 - y*t)^2, i.e. (y - t)^2 for t = ±1", "classification",
         lambda m: (1 - m) ** 2),
    Loss("exponential", "exponential", "exp(-y*t)", "classification", lambda m: np.exp(-m)),
]
BY_KEY = {loss.key: loss for loss in LOSSES}

PROPERTIES = {
    "regression": ("optimizable", "outlier-robust", "ε-tolerant"),
    "classification": ("optimizable", "mislabeling-robust", "builds a margin"),
}
CRITERIA = {
    "optimizable": "the derivative is non-zero wherever the loss is not minimal",
    "outlier-robust": "the derivative stays bounded as |y - t| grows (the loss grows at most linearly)",
    "mislabeling-robust": "the derivative stays bounded as -y*t grows (the loss grows at most linearly)",
    "ε-tolerant": "the derivative goes to 0 as y - t goes to 0 (small residuals barely matter)",
    "builds a margin": "correctly classified points with 0 < y*t < 1 still have a positive loss",
}

# Sample points avoid the kinks (0, ±ε, ±1) so that one-sided slopes never mix.
_GRID = np.linspace(-6, 6, 1201) + 1e-3 * np.pi
_FAR = 10.0 ** np.arange(2, 7)
_STEP = 1e-7


def finite_difference(loss: Loss, z: np.ndarray) -> np.ndarray:
    return (loss.f(z + _STEP) - loss.f(z - _STEP)) / (2 * _STEP)


def autograd_derivative(loss: Loss, z: np.ndarray) -> np.ndarray:
    import torch
    t = torch.tensor(z, dtype=torch.float64, requires_grad=True)
    _TORCH[loss.key](t).sum().backward()
    return t.grad.numpy()


@cache
def properties(loss: Loss, derivative=finite_difference) -> dict[str, bool]:
    """Which of its kind's properties the loss has, measured on the function (cached: pure)."""
    with np.errstate(over="ignore", invalid="ignore"):
        return _properties(loss, lambda z: derivative(loss, np.asarray(z, dtype=float)))


def _properties(loss: Loss, d) -> dict[str, bool]:
    values = loss.f(_GRID)
    # The minimum may sit off the grid: at r = 0, or far out at m -> infinity.
    minimum = min(values.min(), loss.f(np.array([0.0, 1e6])).min())
    not_minimal = values > minimum + 1e-9
    result = {"optimizable": bool(np.all(np.abs(d(_GRID)[not_minimal]) > 1e-6))}
    if loss.kind == "regression":
        result["outlier-robust"] = _bounded(np.concatenate([d(_FAR), d(-_FAR)]), d([10.0, -10.0]))
        result["ε-tolerant"] = bool(np.abs(d([1e-5, -1e-5])).max() < 1e-3)
    else:
        result["mislabeling-robust"] = _bounded(d(-_FAR), d([-10.0]))
        result["builds a margin"] = bool(np.all(loss.f(np.array([0.1, 0.5, 0.9])) > 1e-12))
    return result


def _bounded(far_slopes: np.ndarray, near_slopes: np.ndarray) -> bool:
    """Slopes far out are no larger than (twice) the slopes at distance 10."""
    far = np.abs(far_slopes)
    return bool(np.all(np.isfinite(far)) and far.max() <= 2 * np.abs(near_slopes).max() + 1e-9)


def _torch_losses():
    import torch
    return {
        "zero-one-regression": lambda r: (r != 0).double() + 0 * r,
        "squared": lambda r: r * r,
        "absolute": torch.abs,
        "log-cosh": lambda r: torch.abs(r) + torch.nn.functional.softplus(-2 * torch.abs(r)) - math.log(2),
        "huber": lambda r: torch.nn.functional.huber_loss(r, torch.zeros_like(r), reduction="none",
                                                          delta=HUBER_DELTA),
        "epsilon-insensitive": lambda r: torch.relu(torch.abs(r) - EPSILON),
        "zero-one": lambda m: (m <= 0).double() + 0 * m,
        "perceptron": lambda m: torch.relu(-m),
        "log": lambda m: torch.nn.functional.softplus(-m),
        "hinge": lambda m: torch.relu(1 - m),
        "squared-classification": lambda m: (1 - m) ** 2,
        "exponential": lambda m: torch.exp(-m),
    }


class _LazyTorchLosses(dict):
    def __missing__(self, key):
        self.update(_torch_losses())
        return dict.__getitem__(self, key)


_TORCH = _LazyTorchLosses()


def table(kind: str, derivative=finite_difference) -> list[tuple[str, dict[str, bool]]]:
    """The lecture's comparison table for one kind of loss, as measured."""
    return [(f"{loss.name} loss {loss.formula}", properties(loss, derivative))
            for loss in LOSSES if loss.kind == kind]
