"""The data of an RNN variant: the cell, the number of steps, where the weight sits, the loss,
and the numbers of (d) — with the forward pass that draws them away from kinks."""

from __future__ import annotations

import math
import random
from enum import StrEnum
from typing import TYPE_CHECKING, TypedDict

from dlexam.tasks.formulas import evaluate_at
from dlexam.tasks.model import Variant

if TYPE_CHECKING:
    from dlexam.engines.calculus import Program


class Cell(StrEnum):
    TANH = "tanh"
    SIGMOID = "sigmoid"
    RELU = "relu"
    G = "g"           # any differentiable g(x_t, h_{t−1}, θ): "just write g'"


class Loss(StrEnum):
    SQUARE = "square"
    PERCEPTRON = "perceptron"
    LOG = "log"


class Form(StrEnum):
    INPUT = "input"           # cell(x_t·w + h_{t−1})
    RECURRENT = "recurrent"   # cell(x_t + w·h_{t−1})


LOSSES = {Loss.SQUARE: "(y - t)**2", Loss.PERCEPTRON: "max(0, -y*t)", Loss.LOG: "log(1 + exp(-y*t))"}
CELLS = (Cell.TANH, Cell.TANH, Cell.SIGMOID, Cell.RELU, Cell.G)   # tanh twice: the exam's own cell


class RNNData(TypedDict):
    cell: Cell
    steps: int                   # T
    loss: Loss
    form: Form
    param: str                   # w, or theta for g
    error: str                   # E, or L for g
    program: str                 # `h1 = ...; ...; y = hT; E = ...`
    numbers: dict[str, float]    # x_t, h0, w, t (concrete cells); delta_t and dh_t = ∂h_t/∂θ (g)


def make_data(cell: Cell, steps: int, loss: Loss, form: Form, numbers: dict[str, float]) -> RNNData:
    param, err = ("theta", "L") if cell == Cell.G else ("w", "E")
    lines = []
    for t in range(1, steps + 1):
        if cell == Cell.G:
            rhs = f"g(x{t}, h{t - 1}, theta)"
        elif form == Form.INPUT:
            rhs = f"{cell}(x{t}*w + h{t - 1})"
        else:
            rhs = f"{cell}(x{t} + w*h{t - 1})"
        lines.append(f"h{t} = {rhs}")
    lines += [f"y = h{steps}", f"{err} = {LOSSES[loss]}"]
    return RNNData(cell=cell, steps=steps, loss=loss, form=form, param=param, error=err,
                   program="; ".join(lines), numbers=numbers)


def exam_variant(which: str = "tanh") -> Variant:
    """The exam's own instances: the seed's tanh RNN with (y − t)², or the generic g with max(0, −yt)."""
    if which == "tanh":
        numbers = {"x1": 1.0, "x2": -0.5, "h0": 0.0, "w": 0.5, "t": 1.0}
        return Variant("rnn", 0, dict(make_data(Cell.TANH, 2, Loss.SQUARE, Form.INPUT, numbers)))
    numbers = {"delta1": 0.2, "delta2": -0.5, "delta3": 1.0, "dh1": 0.3, "dh2": 0.6, "dh3": -0.4}
    return Variant("rnn", 0, dict(make_data(Cell.G, 3, Loss.PERCEPTRON, Form.INPUT, numbers)))


def delta_names(steps: int) -> dict[str, str]:
    """The names a student writes δ_t = ∂E/∂h_t with."""
    return {**{f"h{t}": f"delta{t}" for t in range(1, steps + 1)}, "y": "delta_y"}


def forward(p: Program, numbers: dict[str, float]) -> dict[str, float]:
    """The forward pass: every assigned name's value."""
    return {a.name: float(evaluate_at(p.value(a.name), numbers)) for a in p.assignments}


_CELLS = {Cell.TANH: math.tanh, Cell.SIGMOID: lambda z: 1 / (1 + math.exp(-z)), Cell.RELU: lambda z: max(0.0, z)}


def _plain_forward(d: RNNData, numbers: dict[str, float]) -> tuple[list[float], float]:
    """(the pre-activation of every step, y) in plain floats: drawing the numbers needs no SymPy
    (the numbers are drawn from short lists, so the tests below decide the same as SymPy's)."""
    cell, w, h, inner = _CELLS[d["cell"]], numbers["w"], numbers["h0"], []
    for t in range(1, d["steps"] + 1):
        x = numbers[f"x{t}"]
        inner.append(x * w + h if d["form"] == Form.INPUT else x + w * h)
        h = cell(inner[-1])
    return inner, h


def draw_numbers(rng: random.Random, d: RNNData) -> dict[str, float]:
    steps = d["steps"]
    if d["cell"] == Cell.G:
        pick = lambda: rng.choice([-1.0, -0.5, -0.2, 0.2, 0.3, 0.5, 0.8, 1.0, 2.0])
        return {**{f"delta{t}": pick() for t in range(1, steps + 1)}, **{f"dh{t}": pick() for t in range(1, steps + 1)}}
    for _ in range(200):
        numbers = {f"x{t}": rng.choice([-1.0, -0.5, 0.5, 1.0, 1.5, 2.0]) for t in range(1, steps + 1)}
        numbers.update(h0=rng.choice([0.0, 0.5, -0.5, 1.0]), w=rng.choice([-1.0, -0.5, 0.5, 1.0, 2.0]),
                       t=rng.choice([1.0, -1.0, 0.5]))
        inner, y = _plain_forward(d, numbers)
        if d["cell"] == Cell.RELU and min(map(abs, inner)) < 0.1:
            continue  # away from the kink of ReLU
        if d["loss"] == Loss.PERCEPTRON:
            if abs(y) < 0.05:
                continue
            numbers["t"] = -abs(numbers["t"]) if y > 0 else abs(numbers["t"])  # a misclassified example
        return numbers
    raise AssertionError("no numbers away from the kinks")  # pragma: no cover
