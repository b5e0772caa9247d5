"""What an autoencoder task asks and what the grader chooses: the settings (`grader_data` builds
the data and the model they name).

A variant sets the task's numbers (iterations, lr; for inpaint the square's size and shift);
the grader chooses small data (crops of the bundled photos, held-out crops from other photos)
and a small model whose untrained state IS the trivial baseline (grey copy or zero fill).
No torch here: posing the task and the exam's plan need none of it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum


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
