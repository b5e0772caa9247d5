"""The second methods `verify` uses, each on one part of the solution it is given:
(a) the graph from the RNN's definition (x_t, h_{t−1} and the weight feed h_t; h_T and t feed E),
not from the parsed program; (b) and (c) the written formulas at random numbers against
torch.autograd of the network written out again (for g: a concrete g put in on both sides);
(d) torch.autograd at the variant's numbers, or for g the engine's δ-form with the given numbers.
"""

from __future__ import annotations

from typing import Any

from dlexam.grading.numbers import close, number
from dlexam.tasks.formulas import evaluate_at, program, read_formula
from dlexam.tasks.model import Answer
from dlexam.tasks.multipart import PartCheck, verify_parts
from dlexam.tasks.rnn.data import Cell, Form, Loss, RNNData
from dlexam.tasks.rnn.edges import normal_edges
from dlexam.tasks.rnn.solution import chain

G_CONCRETE = "tanh(c*a + b/2) + c*b/10"   # the g put in for the unknown g(a, b, c)
SAMPLES = 16


def structure(d: RNNData) -> set[tuple[str, str]]:
    """The unrolled graph by definition."""
    steps = d["steps"]
    edges = {(f"h{steps}", d["error"]), ("t", d["error"])}
    for t in range(1, steps + 1):
        edges |= {(f"x{t}", f"h{t}"), (f"h{t - 1}", f"h{t}"), (d["param"], f"h{t}")}
    return edges


def _cell(d: RNNData, x: Any, h: Any, w: Any) -> Any:
    import torch

    if d["cell"] == Cell.G:
        return torch.tanh(w * x + h / 2) + w * h / 10     # G_CONCRETE with (a, b, c) = (x, h, θ)
    act = {Cell.TANH: torch.tanh, Cell.SIGMOID: torch.sigmoid, Cell.RELU: torch.relu}[d["cell"]]
    return act(x * w + h) if d["form"] == Form.INPUT else act(x + w * h)


def torch_partials(d: RNNData, numbers: dict[str, Any]) -> tuple[Any, Any]:
    """(∂E/∂y, ∂E/∂w) by torch.autograd at numbers (arrays of one length: independent samples)."""
    import torch

    v = {k: torch.as_tensor(x, dtype=torch.float64) for k, x in numbers.items()}
    w = v[d["param"]].clone().requires_grad_(True)
    h = v["h0"]
    for t in range(1, d["steps"] + 1):
        h = _cell(d, v[f"x{t}"], h, w)
    y = h.detach().requires_grad_(True)   # ∂E/∂y on its own, then through the network
    target = v["t"]
    loss = {Loss.SQUARE: lambda z: (z - target) ** 2, Loss.PERCEPTRON: lambda z: torch.clamp(-z * target, min=0),
            Loss.LOG: lambda z: torch.log1p(torch.exp(-z * target))}[d["loss"]]
    dedy, = torch.autograd.grad(loss(y).sum(), y)
    dedw, = torch.autograd.grad(loss(h).sum(), w)
    return dedy.numpy(), dedw.numpy()


def _samples(d: RNNData) -> dict[str, Any]:
    """Random numbers for every input; for max(0, −yt) the target is chosen misclassified, so the
    gradient is not 0 (with the concrete g for g)."""
    import numpy as np

    rng = np.random.default_rng(3)
    names = [f"x{t}" for t in range(1, d["steps"] + 1)] + ["h0", d["param"], "t"]
    values = {k: rng.uniform(-1.5, 1.5, SAMPLES) for k in names}
    if d["loss"] == Loss.PERCEPTRON:
        y = _forward_y(d, values)
        values["t"] = -np.sign(y) * np.abs(values["t"])
    return values


def _forward_y(d: RNNData, values: dict[str, Any]) -> Any:
    import torch

    v = {k: torch.as_tensor(x, dtype=torch.float64) for k, x in values.items()}
    h = v["h0"]
    for t in range(1, d["steps"] + 1):
        h = _cell(d, v[f"x{t}"], h, v[d["param"]])
    return h.numpy()


def _with_concrete_g(expr: Any) -> Any:
    """The unknown g and its partials g'_k replaced by G_CONCRETE and its derivatives."""
    import sympy

    from dlexam.engines.notation import Partial, Unknown

    abc = sympy.symbols("a b c", real=True)
    g = sympy.parse_expr(G_CONCRETE, dict(zip("abc", abc)))

    def partial(e: Any) -> Any:
        body = g
        for slot in e.slots:
            body = sympy.diff(body, abc[slot - 1])
        return body.xreplace(dict(zip(abc, e.args)))

    expr = expr.replace(lambda e: isinstance(e, Partial), partial)
    return expr.replace(lambda e: isinstance(e, Unknown), lambda e: g.xreplace(dict(zip(abc, e.args))))


def _check_formula(d: RNNData, text: str, which: int) -> str | None:
    """A written ∂E/∂y (which = 0) or ∂E/∂w (which = 1) against autograd at random numbers."""
    import numpy as np

    from dlexam.engines.notation import known_primes_exact

    values = _samples(d)
    auto = torch_partials(d, values)[which]
    expr = known_primes_exact(read_formula(text).xreplace(program(d["program"]).substitutions))
    written = np.broadcast_to(np.asarray(evaluate_at(_with_concrete_g(expr), values), dtype=float), auto.shape)
    wrong = np.flatnonzero(~np.isclose(written, auto, rtol=1e-7, atol=1e-9))
    if wrong.size:
        i = int(wrong[0])
        return f"gives {written[i]:.6g} where torch.autograd gives {auto[i]:.6g}"
    return None


def delta_formula_value(d: RNNData) -> float:
    """For g: the engine's δ-form of ∂L/∂θ (Σ δ_t·∂h_t/∂θ) with the given numbers put in."""
    from dlexam.engines.notation import symbol

    cr = chain(d["program"], d["param"], d["steps"])
    n, p = d["numbers"], d["param"]
    put = {cr.step(f"dh{t}/d{p}", "local").expr: n[f"dh{t}"] for t in range(1, d["steps"] + 1)}
    put.update({symbol(f"delta{t}"): n[f"delta{t}"] for t in range(1, d["steps"] + 1)})
    return float(cr.total.expr.xreplace(put))


def _check_value(d: RNNData, value: Any) -> str | None:
    if d["cell"] == Cell.G:
        expected = delta_formula_value(d)
    else:
        expected = float(torch_partials(d, {k: [v] for k, v in d["numbers"].items()})[1][0])
    return None if close(number(value, "d"), expected, rel=1e-6, abs_=1e-9) else f"is not {expected:.8g}"


def verify_answer(d: RNNData, answer: Answer) -> None:
    checks: dict[str, PartCheck] = {
        "a": lambda a: None if normal_edges(a, d) == structure(d) else "is not the unrolled graph",
        "b": lambda b: _check_formula(d, b, 0),
        "c": lambda c: _check_formula(d, c, 1),
        "d": lambda v: _check_value(d, v),
    }
    verify_parts(answer, checks)
