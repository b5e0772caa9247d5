"""The "beats baseline" check: is the trained model better than doing nothing, on photos never seen?

The trivial baselines are what the grader's untrained model returns: the grey copy (colorize)
and a zero fill of the square (inpaint); a slightly smarter one (the average colour) is shown
for scale. All are measured on held-out crops of photos the training data never came from.
"""

from __future__ import annotations

import math

import torch

from dlexam.engines.sandbox import RunResult
from dlexam.solutions.autoencoder import square_start
from dlexam.tasks.autoencoder.settings import Settings, Task, data, task_input


def held_out(settings: Settings, trained: torch.nn.Module) -> tuple[float, float, float]:
    """(model's MSE, baseline MSE, mean-fill MSE) on held-out crops; inpaint: inside the square."""
    _, X_test = data(settings)
    inputs = task_input(settings, X_test)
    with torch.no_grad():
        out = trained(inputs)
    if settings.task == Task.COLORIZE:
        baseline = inputs.expand_as(X_test)
        mean = baseline + (X_test.mean(dim=(0, 2, 3), keepdim=True) - X_test.mean()).expand_as(X_test)
        return tuple(float(torch.nn.functional.mse_loss(o, X_test)) for o in (out, baseline, mean))
    row, col = square_start(settings.size, settings.mask, settings.offset)
    hole = (slice(None), slice(None), slice(row, row + settings.mask), slice(col, col + settings.mask))
    truth = X_test[hole]
    visible = inputs.sum(dim=(2, 3), keepdim=True) / (settings.size ** 2 - settings.mask ** 2)
    mean = visible.expand_as(truth)
    return tuple(float(torch.nn.functional.mse_loss(o, truth)) for o in (out[hole], torch.zeros_like(truth), mean))


def beats_baseline(settings: Settings, run: RunResult, trained: torch.nn.Module) -> tuple[float, str, dict]:
    """Full points at ≥ 5 % below the trivial baseline's MSE, half below it."""
    mine, baseline, mean = held_out(settings, trained)
    numbers = {"held_out_mse": mine if math.isfinite(mine) else None, "baseline_mse": baseline,
               "mean_colour_mse": mean}
    if settings.task == Task.COLORIZE:
        text = (f"on {settings.n_test} held-out crops the MSE is {mine:.5f}; the grey copy gives {baseline:.5f} "
                f"(a grey copy tinted by the average colour {mean:.5f})")
    else:
        text = (f"on {settings.n_test} held-out crops the MSE inside the square is {mine:.5f}; a zero fill gives "
                f"{baseline:.5f} (each image's mean colour {mean:.5f})")
    if not math.isfinite(mine):
        return 0.0, f"{text}: the trained model's output is not finite.", numbers
    if mine <= 0.95 * baseline:
        return 1.0, f"{text}: {100 * (1 - mine / baseline):.0f}% better than the baseline.", numbers
    if mine < baseline:
        return 0.5, f"{text}: better than the baseline, but by less than 5%.", numbers
    return 0.0, f"{text}: not better than the trivial baseline.", numbers
