"""The second method `verify` uses: the model written out again in torch, its gradient by autograd.

(a) is compared with autograd at random points; (b) is sampled as in grading but with autograd's
gradient and no known tight bound (it must never be exceeded, and be reached at some sample);
(c) must contain every key point of the rubric.
"""

from __future__ import annotations

from typing import Any

from dlexam.grading.rubric import matches
from dlexam.tasks.formulas import formula_at, program
from dlexam.tasks.gradient_bound.bound import check_bound, parse_bound
from dlexam.tasks.gradient_bound.data import Activation, GradientBoundData, ModelKind, scale
from dlexam.tasks.gradient_bound.grading import KEY_POINTS
from dlexam.tasks.model import Answer
from dlexam.tasks.multipart import PartCheck, verify_parts

SAMPLES = 16


def torch_gradient(d: GradientBoundData, values: dict[str, Any]) -> Any:
    """∂f/∂x by torch.autograd at sampled values (arrays of one length): an n × samples array."""
    import torch

    v = {k: torch.as_tensor(x, dtype=torch.float64) for k, x in values.items()}
    n, m = d["n"], d["m"]
    x = torch.stack([v[f"x{i}"] for i in range(1, n + 1)]).clone().requires_grad_(True)
    if d["kind"] == ModelKind.LINEAR:
        f = sum(v[f"w{i}"] * x[i - 1] for i in range(1, n + 1)) + v["b"]
    elif d["kind"] == ModelKind.RBF:
        f = sum(v[f"w{j}"] * torch.exp(-scale(d) * sum(torch.abs(x[i - 1] - v[f"c{i}{j}"]) for i in range(1, n + 1)))
                for j in range(1, m + 1))
    else:
        act = {Activation.TANH: torch.tanh, Activation.SIGMOID: torch.sigmoid, Activation.RELU: torch.relu}
        f = sum(v[f"w{j}"] * act[d["activation"]](sum(v[f"v{i}{j}"] * x[i - 1] for i in range(1, n + 1)) - v[f"b{j}"])
                for j in range(1, m + 1))
    f.sum().backward()   # the samples are independent: one backward pass gives every gradient
    return x.grad.numpy()


def _random_values(d: GradientBoundData) -> dict[str, Any]:
    import numpy as np

    rng = np.random.default_rng(7)
    values = {name: rng.uniform(-2, 2, SAMPLES) for name in program(d["program"]).inputs}
    for name in values:
        if name.startswith("v"):
            values[name] = rng.uniform(-1, 1, SAMPLES) * scale(d)
    return values


def check_gradient(d: GradientBoundData, text: str) -> str | None:
    import numpy as np

    values = _random_values(d)
    auto = torch_gradient(d, values)[d["k"] - 1]
    written = np.broadcast_to(np.asarray(formula_at(text, program(d["program"]).substitutions, values)), auto.shape)
    wrong = np.flatnonzero(~np.isclose(written, auto, rtol=1e-8, atol=1e-10))
    if wrong.size:
        i = int(wrong[0])
        return f"gives {written[i]:.6g} where torch.autograd gives {auto[i]:.6g}"
    return None


def check_bound_sampled(d: GradientBoundData, text: str) -> str | None:
    report = check_bound(d, parse_bound(text)[0], torch_gradient)
    if report["counterexample"] is not None:
        return f"is exceeded at {report['counterexample']} (gradient {report['gradient']:.6g})"
    if report["tightness"] < 0.99:
        return f"is never reached by autograd's gradients (at most {report['tightness']:.3f} of it)"
    return None


def check_explanation(text: Any) -> str | None:
    missed = [p.text for p in KEY_POINTS if not isinstance(text, str) or not matches(p, text)]
    return f"misses the key point {missed[0]!r}" if missed else None


def verify_answer(d: GradientBoundData, answer: Answer) -> None:
    checks: dict[str, PartCheck] = {"a": lambda a: check_gradient(d, a), "b": lambda b: check_bound_sampled(d, b),
                                    "c": check_explanation}
    verify_parts(answer, checks)
