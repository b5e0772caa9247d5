"""The points table of task 5(b)'s code checks, their names as shown and the grade of a file that
could not be judged. No torch: the exam's points tables (paper, the plan) need none; `checks`
judges the checks and its docstring says how.
"""

from __future__ import annotations

from dlexam.grading.grade import Grade, not_judged
from dlexam.tasks.autoencoder.settings import Settings, Task

CODE_POINTS = {
    Task.COLORIZE: {"runs": 1.0, "input": 2.0, "zero_grad": 2.0, "lr": 1.0, "iterations": 1.0, "loss falls": 1.0,
                    "quality": 2.0},
    Task.INPAINT: {"runs": 1.0, "input": 4.0, "zero_grad": 1.0, "lr": 1.0, "iterations": 1.0, "quality": 2.0},
}


def points(settings: Settings) -> dict[str, float]:
    return CODE_POINTS[settings.task]


def names(settings: Settings) -> dict[str, str]:
    """Each check's name as shown: the input check says what the input is."""
    colorize = settings.task == Task.COLORIZE
    return {"runs": "runs", "input": settings.input_name, "zero_grad": "zero_grad", "lr": "SGD and lr",
            "iterations": "iterations", "loss falls": "loss falls",
            "quality": "beats baseline" if colorize else "fills the hole"}


def failed(settings: Settings, error: str) -> Grade:
    """A file that does not parse or crashes: every check 0, with the error as the reason."""
    shown = names(settings)
    return not_judged({shown[key]: value for key, value in points(settings).items()}, error)
