"""The "grey input" / "mask" check: was the model trained from the exam's input?

The grader's untrained model is the identity (grey copy, or the damaged image), so the first
loss a submission's training reports pins its input down: it equals the exam's loss at the
start only for grey = mean over RGB (colorize) or the asked square zeroed (inpaint). A wrong
first loss is traced back to the classic mistakes: luminance weights or the sum over RGB, a
square of another size or place (found by summed areas), no square at all.
"""

from __future__ import annotations

import math

import torch

from dlexam.engines.sandbox import RunResult
from dlexam.solutions.autoencoder import square_start
from dlexam.tasks.autoencoder.grader_data import data, model, mse, task_input
from dlexam.tasks.autoencoder.settings import Settings, Task

LUMINANCE = (0.299, 0.587, 0.114)
Verdict = tuple[float, str, dict]


def judge_input(settings: Settings, run: RunResult, trained: torch.nn.Module) -> Verdict:
    """What the first loss seen says about the input (an observation: it explains, the replay decides)."""
    X, _ = data(settings)
    expected = mse(model(settings), task_input(settings, X), X)
    losses = run.observations.losses
    if not losses:
        return 0.0, "no loss.backward() was seen, so the input cannot be told from the run.", {}
    first = losses[0]
    numbers = {"first_loss": first, "expected_first_loss": expected}
    if close(first, expected):
        what = "grey = mean over RGB" if settings.task == Task.COLORIZE else square_text(settings, settings.mask,
                                                                                      settings.offset)
        return 1.0, f"the first loss {first:.6f} equals the exam's loss at the start ({what})", numbers
    if settings.task == Task.COLORIZE:
        return (*_colorize_input_mistake(settings, first, expected), numbers)
    return 0.0, _mask_mistake(settings, first, expected), numbers


def proposed_input(settings: Settings, first: float | None) -> dict:
    """The input (and loss scale) the first loss seen points to, as `Procedure` fields."""
    if first is None or not math.isfinite(first):
        return {}
    X, _ = data(settings)
    expected = mse(model(settings), task_input(settings, X), X)
    if close(first, expected):
        return {}
    ratio = first / expected if expected > 0 else 0.0
    if ratio >= 2 and close(ratio, round(ratio)):
        return {"loss_scale": float(round(ratio))}
    if settings.task == Task.COLORIZE:
        weights = torch.tensor(LUMINANCE).view(1, 3, 1, 1)
        if close(first, mse(model(settings), (X * weights).sum(dim=1, keepdim=True), X)):
            return {"input": "luminance"}
        if close(first, mse(model(settings), X.sum(dim=1, keepdim=True), X)):
            return {"input": "sum"}
        return {}
    if abs(first) < 1e-12:
        return {"input": "complete"}
    found = find_square(X, first, settings.size)
    return {"input": "square", "square": found} if found else {}


def _colorize_input_mistake(settings: Settings, first: float, expected: float) -> tuple[float, str]:
    X, _ = data(settings)
    weights = torch.tensor(LUMINANCE).view(1, 3, 1, 1)
    luminance = mse(model(settings), (X * weights).sum(dim=1, keepdim=True), X)
    if close(first, luminance):
        return 0.5, (f"the first loss {first:.6f} is that of grey by luminance weights {LUMINANCE} "
                     f"({luminance:.6f}); the exam defines grey as the mean over RGB ({expected:.6f}).")
    total = mse(model(settings), X.sum(dim=1, keepdim=True), X)
    hint = (" — the sum over RGB, not the mean." if close(first, total) else
            " — the model was not trained from grey = mean over RGB against the colour images.")
    return 0.0, f"the first loss was {first:.6f}; the exam's loss at the start is {expected:.6f}{hint}"


def _mask_mistake(settings: Settings, first: float, expected: float) -> str:
    X, _ = data(settings)
    if abs(first) < 1e-12:
        return (f"the first loss was 0: the model was given the complete images, no square was zeroed "
                f"(or it was zeroed in X itself, so the target lost the true pixels too: clone X first); "
                f"the exam's loss at the start is {expected:.6f}.")
    found = find_square(X, first, settings.size)
    where = (f"; it matches {square_text(settings, found[0], (found[1], found[2]))}" if found else
             "; it matches no zeroed square of the images")
    return (f"the first loss was {first:.6f}, but zeroing {square_text(settings, settings.mask, settings.offset)} "
            f"gives {expected:.6f}{where}.")


def find_square(X: torch.Tensor, loss: float, size: int) -> tuple[int, int, int] | None:
    """(side, row offset, col offset) of a zeroed square whose start loss is `loss`.

    The grader's untrained model is the identity, so that loss is the squared image values
    inside the square divided by the number of elements: summed areas find it quickly.
    """
    energy = torch.nn.functional.pad((X.double() ** 2).sum(dim=(0, 1)).cumsum(0).cumsum(1), (1, 0, 1, 0))
    total = X.numel()
    for side in range(1, size + 1):
        for row in range(size - side + 1):
            for col in range(size - side + 1):
                inside = (energy[row + side, col + side] - energy[row, col + side]
                          - energy[row + side, col] + energy[row, col])
                if close(loss, float(inside) / total):
                    centre = square_start(size, side)
                    return side, row - centre[0], col - centre[1]
    return None


def square_text(settings: Settings, side: int, offset: tuple[int, int]) -> str:
    row, col = square_start(settings.size, side, offset)
    place = "centred" if offset == (0, 0) else f"shifted by {offset} from the centre"
    return f"the {side}×{side} square {place} (rows {row}:{row + side}, columns {col}:{col + side} of {settings.size})"


def close(a: float, b: float) -> bool:
    """Equal up to float noise (the sandbox's loss and the grader's differ in summation order)."""
    return math.isfinite(a) and abs(a - b) <= 1e-4 * abs(b) + 1e-9

