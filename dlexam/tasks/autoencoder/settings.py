"""What an autoencoder task asks and what the grader chooses: settings, data, the grader's model.

A variant sets the task's numbers (iterations, lr; for inpaint the square's size and shift);
the grader chooses small data (crops of the bundled photos, held-out crops from other photos)
and a small model whose untrained state IS the trivial baseline (grey copy or zero fill).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum
from functools import lru_cache

import torch

from dlexam.engines.sandbox import build_model
from dlexam.solutions.autoencoder import grader_model, grey, mask_square
from dlexam.solutions.data import image_crops


class Task(StrEnum):
    """The two autoencoder tasks (a plain string in a variant's data)."""

    COLORIZE = "colorize"
    INPAINT = "inpaint"


@dataclass(frozen=True)
class Settings:
    """What the task asks (iterations, lr, mask) and what the grader chooses (data, model)."""

    task: Task
    iterations: int = 1000
    lr: float = 0.004
    mask: int = 16                    # inpaint: side of the zeroed square
    offset: tuple[int, int] = (0, 0)  # inpaint: shift of the square from the centre (rows, cols)
    n_images: int = 32                # grader's training crops
    size: int = 16                    # grader's crop size S
    n_test: int = 64                  # held-out crops, from photos never trained on
    hidden: int = 4                   # learned feature channels of the grader's model
    seed: int = 0                     # data, model and torch seed
    timeout: float | None = None      # sandbox wall limit; None: from the amount of work

    def time_limit(self) -> float:
        """The sandbox's wall limit: generous for the amount of work asked."""
        if self.timeout is not None:
            return self.timeout
        work = self.iterations * self.n_images * self.size ** 2 * (3 + self.hidden) ** 2
        return 8.0 + work * 2.5e-8

    @property
    def input_name(self) -> str:
        return "grey input" if self.task == Task.COLORIZE else "mask"


def exam_settings(task: str) -> Settings:
    """The exam's own task: SGD, 1000 iterations, lr 0.004, a centred 16×16 square."""
    task = Task(task)
    return Settings(task) if task == Task.COLORIZE else Settings(task, size=24, n_images=24)


def small_settings(task: str, **changes) -> Settings:
    """A cheaper grading run with the exam's task (1000 steps, lr 0.004) on fewer, smaller crops."""
    cheaper = {Task.COLORIZE: {"n_images": 16}, Task.INPAINT: {"n_images": 8, "hidden": 2}}[Task(task)]
    return replace(exam_settings(task), **{**cheaper, **changes})


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
