"""What task 5(a) asks: the settings of a variant (the exam's own is `EXAM`) and the function's
name. No torch: posing the task, its title and the exam's plan need none of it (`reference` and
`checks` run the models)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

FUNCTION = "adversarial"
DEFAULT_TIMEOUT = 10.0   # seconds a run of the function may take in the sandbox


class Optimizer(StrEnum):
    """The optimisers a variant asks for (compared with the class names the sandbox observes)."""

    SGD = "SGD"
    ADAM = "Adam"


@dataclass(frozen=True)
class Settings:
    """What the task asks for; the exam's own: digits 3 vs 8, SGD, 1000 iterations, κ = 0."""

    positive: int = 3
    negative: int = 8
    steps: int = 1000
    optimizer: Optimizer = Optimizer.SGD
    kappa: float = 0.0
    count: int = 16          # B, the test digits attacked
    probe_count: int = 6


EXAM = Settings()
