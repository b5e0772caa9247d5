"""The quality check: does the trained model do what the asked training does, on photos never seen?

Measured on held-out crops of photos the training data never came from (inpaint: inside the
hole, the whole image beside it), against three yardsticks:

- the trivial baseline, what the untrained model returns: the grey copy (colorize) or a zero fill;
- a per-image mean colour: the grey copy tinted with each photo's mean colour (colorize), or the
  hole filled with the mean colour of the image's visible pixels (inpaint);
- the replay: the asked training redone here on the same model and data (`replay`).

Full points when the model reaches what the asked loop reaches — its MSE at most 5 % above the
replay's and at least 90 % of the replay's gain over the trivial baseline — none from 20 % above
or half the gain. When the asked loop beats the mean-colour fill, the model must too (else half).
A loop that trains another task (a square in the corner) misses the replay's quality in the hole.
"""

from __future__ import annotations

import math

import torch

from dlexam.solutions.autoencoder import square_start
from dlexam.tasks.autoencoder.replay import replay
from dlexam.tasks.autoencoder.grader_data import data, model, task_input
from dlexam.tasks.autoencoder.settings import Settings, Task

FULL_RATIO, NONE_RATIO = 1.05, 1.20      # model MSE / replay MSE
FULL_GAIN, NONE_GAIN = 0.9, 0.5          # model's gain over the trivial baseline / the replay's


def _mse(a: torch.Tensor, b: torch.Tensor) -> float:
    return float(torch.nn.functional.mse_loss(a, b))


def held_out(settings: Settings, trained: torch.nn.Module) -> dict[str, float]:
    """MSEs on the held-out crops: `model`, `baseline`, `mean_colour` (inpaint: inside the hole),
    and `model_whole` (the whole image)."""
    _, X_test = data(settings)
    inputs = task_input(settings, X_test)
    with torch.no_grad():
        out = trained(inputs)
    whole = _mse(out, X_test)
    if settings.task == Task.COLORIZE:
        grey = inputs.expand_as(X_test)
        tinted = grey + X_test.mean(dim=(2, 3), keepdim=True) - X_test.mean(dim=(1, 2, 3), keepdim=True)
        return {"model": whole, "baseline": _mse(grey, X_test), "mean_colour": _mse(tinted, X_test),
                "model_whole": whole}
    row, col = square_start(settings.size, settings.mask, settings.offset)
    hole = (slice(None), slice(None), slice(row, row + settings.mask), slice(col, col + settings.mask))
    truth = X_test[hole]
    visible = inputs.sum(dim=(2, 3), keepdim=True) / (settings.size ** 2 - settings.mask ** 2)
    return {"model": _mse(out[hole], truth), "baseline": _mse(torch.zeros_like(truth), truth),
            "mean_colour": _mse(visible.expand_as(truth), truth), "model_whole": whole}


def replay_held_out(settings: Settings) -> dict[str, float]:
    return held_out(settings, model(settings, replay(settings)))


def quality(settings: Settings, trained: torch.nn.Module) -> tuple[float, str, dict]:
    """(share of the points, message, numbers) of the quality check."""
    mine, asked = held_out(settings, trained), replay_held_out(settings)
    m, base, mean, target = mine["model"], mine["baseline"], mine["mean_colour"], asked["model"]
    numbers = {"held_out_mse": m if math.isfinite(m) else None, "held_out_mse_whole": mine["model_whole"]
               if math.isfinite(mine["model_whole"]) else None, "baseline_mse": base, "mean_colour_mse": mean,
               "replay_mse": target, "replay_mse_whole": asked["model_whole"]}
    colorize = settings.task == Task.COLORIZE
    where = "" if colorize else " inside the hole"
    names = ("the grey copy", "the grey copy tinted with each photo's mean colour") if colorize else \
        ("a zero fill", "each image's mean colour")
    text = (f"on {settings.n_test} held-out crops the MSE{where} is {m:.5f}"
            + ("" if colorize else f" (whole image {mine['model_whole']:.5f})")
            + f"; the asked training on the same model and data reaches {target:.5f}; {names[0]} gives {base:.5f}, "
              f"{names[1]} {mean:.5f}")
    if not math.isfinite(m):
        return 0.0, f"{text}: the trained model's output is not finite.", numbers
    ratio = m / max(target, 1e-12)
    gain = (base - m) / max(base - target, 1e-12)
    numbers.update(ratio_to_replay=ratio, gain_share=gain)
    share = min(1.0, (NONE_RATIO - ratio) / (NONE_RATIO - FULL_RATIO), (gain - NONE_GAIN) / (FULL_GAIN - NONE_GAIN))
    share = max(0.0, share)
    text += f": {ratio:.2f}× the asked training's MSE, {max(gain, -9.99):.0%} of its gain over {names[0]}"
    if target < mean and m >= mean:
        share = min(share, 0.5)
        text += f"; the asked training beats {names[1]}, this model does not"
    elif target >= mean:
        text += f" (on this small model neither beats {names[1]})"
    verdict = ("reaches what the asked training reaches." if share >= 1 else
               "does not reach what the asked training reaches (full points up to 1.05× its MSE and from 90 % "
               "of its gain; none from 1.20× or below 50 %).")
    return share, f"{text} — {verdict}", numbers
