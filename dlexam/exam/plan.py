"""The plan of a mock exam: for a seed, which family and variant stands at each place of the
sheet, with the points a real exam gives it, in the shape of the seeds (`../shared/seeds`):

    task 1  eight multiple-choice questions, as seed 000's 1.1-1.8: a gate or recurrent cell,
            a layer's weights, pooling coverage or shapes, a loss-property table, the
            perceptron loss, pooling and invariances, ReLU/ResNet/U-Net, one more topic
    task 2  the linear pieces and the decision boundary
    task 3  a gradient and its bound, or the Hessian and κ
    task 4  backprop through an RNN
    task 5  the adversarial attack, or colorize then inpaint

A planned task's points scale the family's grade: earned = share of the family's points ×
planned points. The plan depends on nothing but the seed (and the bank's questions), so the
terminal, the browser and paper agree.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

from dlexam.tasks.model import check_seed
from dlexam.tasks.registry import family

MINUTES = 120
SEED_SPACE = 2**32
POINTS = {1: 1.5, 2: 10.0, 3: 12.0, 4: 12.0}          # task 1: per question
PROGRAMMING = (("adversarial", 14.0),), (("colorize", 8.0), ("inpaint", 6.0))
# Task 1's eight places: a family, or the concept bank restricted to topics.
CHOICE_PLACES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("concepts", ("LSTM", "RNN")),
    ("parameters", ()),
    ("unused-inputs|output-shape", ()),
    ("loss-properties", ()),
    ("concepts", ("Losses",)),
    ("concepts", ("Pooling", "Convolution")),
    ("concepts", ("ReLU", "ResNet", "U-Net")),
    ("concepts|receptive-field", ("Regularization", "Optimization", "Normalization", "Attention",
                                  "Generative models", "Adversarial examples", "Initialization",
                                  "Backpropagation")),
)


@dataclass(frozen=True)
class PlannedTask:
    task: int          # 1-5, the exam's order
    label: str         # "1.3", "2", "5b": where it stands on the sheet
    family: str
    seed: int          # the family's variant seed
    points: float      # what it is worth in this exam
    title: str


@dataclass(frozen=True)
class Plan:
    seed: int
    minutes: int
    tasks: tuple[PlannedTask, ...]

    @property
    def points(self) -> float:
        return sum(t.points for t in self.tasks)

    def to_json(self) -> dict:
        return {"seed": self.seed, "minutes": self.minutes, "points": self.points,
                "tasks": [asdict(t) for t in self.tasks]}


def plan(seed: int, minutes: int = MINUTES) -> Plan:
    """The exam of `seed` (deterministic)."""
    check_seed(seed)
    rng = random.Random(f"exam:{seed}")
    tasks = list(_choice_questions(rng))
    tasks.append(_planned(2, "2", "pieces", rng, POINTS[2]))
    tasks.append(_planned(3, "3", rng.choice(("gradient-bound", "hessian")), rng, POINTS[3]))
    tasks.append(_planned(4, "4", "rnn", rng, POINTS[4]))
    programming = rng.choice(PROGRAMMING)
    for index, (name, points) in enumerate(programming):
        label = "5" if len(programming) == 1 else f"5{'ab'[index]}"
        tasks.append(_planned(5, label, name, rng, points))
    return Plan(seed, minutes, tuple(tasks))


def _planned(task: int, label: str, name: str, rng: random.Random, points: float,
             variant_seed: int | None = None) -> PlannedTask:
    fam = family(name)
    seed = rng.randrange(SEED_SPACE) if variant_seed is None else variant_seed
    return PlannedTask(task, label, name, seed, points, fam.title)


def _choice_questions(rng: random.Random):
    """Task 1: one question per place, concept questions on the place's topics and all different."""
    used: set[str] = set()
    for index, (names, topics) in enumerate(CHOICE_PLACES, start=1):
        name = rng.choice(names.split("|"))
        seed = _concept_seed(rng, topics, used) if name == "concepts" else None
        yield _planned(1, f"1.{index}", name, rng, POINTS[1], seed)


def _concept_seed(rng: random.Random, topics: tuple[str, ...], used: set[str]) -> int:
    """The first drawn seed whose question is on one of `topics` and not asked yet."""
    concepts = family("concepts")
    for _ in range(10_000):
        seed = rng.randrange(SEED_SPACE)
        data = concepts.generate(seed).data
        if data["id"] not in used and (not topics or data["subject"] in topics):
            used.add(data["id"])
            return seed
    raise RuntimeError(f"the concept bank has no unused question on {topics}")
