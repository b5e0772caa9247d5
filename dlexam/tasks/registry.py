"""Every task family by name. Modules are imported on first use, so listing is cheap."""

from __future__ import annotations

import importlib
from functools import cache

from dlexam.errors import InputError
from dlexam.tasks.model import TaskFamily

# name -> (exam task, "module:Class")
FAMILIES: dict[str, tuple[int, str]] = {
    "concepts": (1, "dlexam.tasks.concepts:Concepts"),
    "loss-properties": (1, "dlexam.tasks.loss_questions:LossProperties"),
    "parameters": (1, "dlexam.tasks.layer_questions:ParameterCount"),
    "output-shape": (1, "dlexam.tasks.layer_questions:OutputShape"),
    "unused-inputs": (1, "dlexam.tasks.layer_questions:UnusedInputs"),
    "receptive-field": (1, "dlexam.tasks.layer_questions:ReceptiveField"),
    "pieces": (2, "dlexam.tasks.pieces.family:LinearPieces"),
    "gradient-bound": (3, "dlexam.tasks.gradient_bound.family:GradientBound"),
    "hessian": (3, "dlexam.tasks.hessian.family:Hessian"),
    "rnn": (4, "dlexam.tasks.rnn.family:RNN"),
    "adversarial": (5, "dlexam.tasks.adversarial.family:AdversarialTask"),
    "colorize": (5, "dlexam.tasks.autoencoder.family:Colorize"),
    "inpaint": (5, "dlexam.tasks.autoencoder.family:Inpaint"),
}


def names() -> list[str]:
    return list(FAMILIES)


@cache
def family(name: str) -> TaskFamily:
    if name not in FAMILIES:
        raise InputError(f"There is no task family {name!r}; `dlexam families` lists them.")
    module, cls = FAMILIES[name][1].split(":")
    return getattr(importlib.import_module(module), cls)()
