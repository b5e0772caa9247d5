"""The data of a gradient-bound variant: which model, its sizes, and what (b) bounds."""

from __future__ import annotations

from enum import StrEnum
from typing import TypedDict

from dlexam.tasks.model import Variant


class ModelKind(StrEnum):
    RBF = "rbf"          # f = Σ_j w_j·exp(−s·Σ_i |x_i − c_ij|), the exam's model
    UNIT = "unit"        # f = Σ_j w_j·φ(v_j·x − b_j) with |v_ij| <= r
    LINEAR = "linear"    # f = w·x + b


class Quantity(StrEnum):
    COORDINATE = "coordinate"   # (b) bounds |∂f/∂x_i|
    EUCLIDEAN = "euclidean"     # (b) bounds ‖∂f/∂x‖₂


class Activation(StrEnum):
    TANH = "tanh"
    SIGMOID = "sigmoid"
    RELU = "relu"


LIPSCHITZ = {Activation.TANH: 1.0, Activation.SIGMOID: 0.25, Activation.RELU: 1.0}   # sup |φ'|


class GradientBoundData(TypedDict):
    kind: ModelKind
    n: int                  # inputs x1..xn
    m: int                  # units a1..am (n for the linear model)
    k: int                  # (a) asks for ∂f/∂x_k
    quantity: Quantity
    scale: str              # s (rbf) or r (unit), as written: "1/2", "1", "2"
    activation: Activation  # φ of the unit model (drawn for every kind)
    program: str            # the model as assignments, `a1 = ...; f = ...`


def make_data(kind: ModelKind, n: int, m: int, k: int, quantity: Quantity, scale: str = "1",
              activation: Activation = Activation.TANH) -> GradientBoundData:
    if kind == ModelKind.LINEAR:
        m = n
        lines = ["f = " + " + ".join(f"w{i}*x{i}" for i in range(1, n + 1)) + " + b"]
    elif kind == ModelKind.RBF:
        lines = [f"a{j} = exp(-{scale}*(" + " + ".join(f"abs(x{i} - c{i}{j})" for i in range(1, n + 1)) + "))"
                 for j in range(1, m + 1)]
    else:
        lines = [f"a{j} = {activation}(" + " + ".join(f"v{i}{j}*x{i}" for i in range(1, n + 1)) + f" - b{j})"
                 for j in range(1, m + 1)]
    if kind != ModelKind.LINEAR:
        lines.append("f = " + " + ".join(f"w{j}*a{j}" for j in range(1, m + 1)))
    return GradientBoundData(kind=kind, n=n, m=m, k=k, quantity=quantity, scale=scale, activation=activation,
                             program="; ".join(lines))


def exam_variant() -> Variant:
    """Seed 000's model: f(x) = Σ_j w_j·exp(−½·Σ_i |x_i − c_ij|), bound for |∂f/∂x_i|."""
    return Variant("gradient-bound", 0, dict(make_data(ModelKind.RBF, 2, 2, 1, Quantity.COORDINATE, "1/2")))


def scale(data: GradientBoundData) -> float:
    a, _, b = data["scale"].partition("/")
    return float(a) / float(b or 1)
