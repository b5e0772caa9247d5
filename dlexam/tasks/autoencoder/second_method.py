"""Verify's second method: train with the solution's code and redo the training by hand.

The code is read first (`source_reading`: the grey input or the square, the loop bound and the
learning rate as literals), then run on two random images with the grader's small model — the
family's own code in-process with `range` capped at a few steps, any other code in the sandbox
for its full length. The same training is then recomputed here without torch.optim or nn.MSELoss:
the input built with NumPy from the variant's numbers, the mean squared error written out, and
plain gradient steps w ← w − lr·∂E/∂w. The weights the code leaves behind must be those.
"""

from __future__ import annotations

import ast
import builtins
from typing import Any

import numpy as np
import torch

from dlexam.engines.sandbox import Job, ModelSpec, SandboxPool, build_model
from dlexam.engines.threads import torch_threads
from dlexam.errors import VerificationError
from dlexam.grading.code import parse_error, run_submission
from dlexam.solutions.autoencoder import grader_layers, identity_init
from dlexam.tasks.autoencoder.settings import Settings, Task
from dlexam.tasks.autoencoder.source_reading import read_input

IMAGES, HIDDEN, CAPPED_STEPS, TIMEOUT = 2, 2, 20, 60.0


def check(settings: Settings, code: str, trusted: bool, pool: SandboxPool | None = None) -> None:
    """Raise VerificationError unless the code reads right and trains as the task asks."""
    if (error := parse_error(code)) is not None:
        raise VerificationError(error)
    share, message = read_input(settings, code)
    if share < 1:
        raise VerificationError(f"the code's input lines are wrong: {message}")
    numbers = literals(code)
    if settings.iterations not in numbers["range"] or settings.lr not in numbers["lr"]:
        raise VerificationError(f"the code's loop bound / lr {numbers} do not match the task")
    X = torch.rand(IMAGES, 3, settings.size, settings.size, generator=torch.Generator().manual_seed(0))
    layers = grader_layers(settings.task, HIDDEN)
    start = {k: v.detach().clone() for k, v in identity_init(build_model(layers), settings.task).state_dict().items()}
    if trusted:
        steps, trained = CAPPED_STEPS, _run_in_process(code, layers, start, X)
    else:
        steps, trained = settings.iterations, _run_in_sandbox(code, layers, start, X, pool)
    expected = by_hand(settings, layers, start, X, steps)
    for name, value in expected.items():
        if name not in trained or not torch.allclose(trained[name].double(), value, rtol=1e-3, atol=1e-5):
            raise VerificationError(f"after {steps} steps the code's weights {name} differ from plain gradient "
                                    f"descent on the task's loss")


def literals(source: str) -> dict[str, list]:
    """Literal arguments of range(...) and lr=... in the code."""
    found: dict[str, list] = {"range": [], "lr": []}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
            found["range"] += [a.value for a in node.args if isinstance(a, ast.Constant)]
        if isinstance(node, ast.keyword) and node.arg == "lr" and isinstance(node.value, ast.Constant):
            found["lr"].append(node.value.value)
    return found


def by_hand(settings: Settings, layers: list, start: dict[str, torch.Tensor], X: torch.Tensor,
            steps: int) -> dict[str, torch.Tensor]:
    """`steps` plain gradient steps on mean((model(input) − X)²), in float64, input built by NumPy."""
    net = build_model(layers).double()
    net.load_state_dict({k: v.double() for k, v in start.items()})
    params = dict(net.named_parameters())
    inputs, target = torch.from_numpy(_task_input(settings, X.numpy())), X.double()
    with torch_threads(1):
        for _ in range(steps):
            error = ((net(inputs) - target) ** 2).sum() / target.numel()
            grads = torch.autograd.grad(error, list(params.values()))
            with torch.no_grad():
                for p, g in zip(params.values(), grads):
                    p -= settings.lr * g
    return {k: v.detach() for k, v in net.state_dict().items()}


def _task_input(settings: Settings, X: np.ndarray) -> np.ndarray:
    """The input as the task text defines it: grey = (R + G + B) / 3, or the square set to 0."""
    X = X.astype(np.float64)
    if settings.task == Task.COLORIZE:
        return (X[:, 0:1] + X[:, 1:2] + X[:, 2:3]) / 3
    out, side, (dy, dx) = X.copy(), settings.mask, settings.offset
    top, left = settings.size // 2 - side // 2 + dy, settings.size // 2 - side // 2 + dx
    out[:, :, top:top + side, left:left + side] = 0.0
    return out


def _run_in_process(code: str, layers: list, start: dict, X: torch.Tensor) -> dict[str, torch.Tensor]:
    """The family's own code, `range` capped; the model must be called once per step."""
    net = build_model(layers)
    net.load_state_dict(start)
    calls: list[int] = []
    net.register_forward_hook(lambda module, inputs, output: calls.append(1))
    namespace: dict[str, Any] = {"range": lambda n: builtins.range(min(n, CAPPED_STEPS)), "__name__": "solution"}
    try:
        with torch_threads(1):
            exec(compile(code, "solution.py", "exec"), namespace)  # noqa: S102 - the family's own code only
            namespace["train"](X.clone(), net)
    except Exception as exc:  # noqa: BLE001 - the family's own wrong code may crash
        raise VerificationError(f"train() failed: {type(exc).__name__}: {exc}") from None
    if len(calls) != CAPPED_STEPS:
        raise VerificationError(f"train() called the model {len(calls)} times in {CAPPED_STEPS} steps")
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def _run_in_sandbox(code: str, layers: list, start: dict, X: torch.Tensor,
                    pool: SandboxPool | None) -> dict[str, torch.Tensor]:
    job = Job("train", ("X", "model"), {"X": X.clone()}, ModelSpec(layers, start), return_state=True)
    result = run_submission(code, job, TIMEOUT, pool)
    if not result.ok or not isinstance(result.state_dict, dict):
        raise VerificationError(f"train() did not run: {result.message}")
    return result.state_dict
