"""The grader's data and model for a `Settings`: crops of the bundled photos (held-out crops from
other photos) and the small model whose untrained state IS the trivial baseline (grey copy or zero
fill), as the sandbox builds it; the task's input and the MSE the checks measure."""

from __future__ import annotations

from functools import lru_cache

import torch

from dlexam.engines.sandbox import build_model
from dlexam.solutions.autoencoder import grader_model, grey, mask_square
from dlexam.solutions.data import image_crops
from dlexam.tasks.autoencoder.settings import Settings, Task


@lru_cache(maxsize=16)
def data(settings: Settings) -> tuple[torch.Tensor, torch.Tensor]:
    """(training crops, held-out crops from other photos), N×3×S×S in [0, 1]."""
    s = settings
    X = torch.from_numpy(image_crops(s.n_images, s.size, "train", seed=s.seed))
    X_test = torch.from_numpy(image_crops(s.n_test, s.size, "test", seed=s.seed + 1))
    return X, X_test


@lru_cache(maxsize=16)
def model_state(settings: Settings) -> tuple[list, dict]:
    """(layers, state_dict) of the grader's untrained model, as the sandbox builds it."""
    return grader_model(settings.task, settings.hidden, settings.seed)


def model(settings: Settings, state: dict | None = None) -> torch.nn.Module:
    """A fresh copy of the grader's model, untrained or with `state`."""
    layers, initial = model_state(settings)
    built = build_model(layers)
    built.load_state_dict(initial if state is None else state)
    return built.eval()


def load_state(settings: Settings, state: dict | None) -> torch.nn.Module | None:
    """The model with the weights a submission sent back, or None if they do not fit it."""
    _, initial = model_state(settings)
    if not state or set(state) != set(initial) or any(state[k].shape != v.shape for k, v in initial.items()):
        return None
    return model(settings, {k: v.to(torch.float32) for k, v in state.items()})


def task_input(settings: Settings, X: torch.Tensor) -> torch.Tensor:
    """What the model is trained from: the grey images or the masked ones."""
    return grey(X) if settings.task == Task.COLORIZE else mask_square(X, settings.mask, settings.offset)


def mse(net: torch.nn.Module, inputs: torch.Tensor, target: torch.Tensor) -> float:
    with torch.no_grad():
        return float(torch.nn.functional.mse_loss(net(inputs), target))
