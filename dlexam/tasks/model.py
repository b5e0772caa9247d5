"""The task model: what a posed task, an answer, a solution and a grade are.

Everything here is plain data that round-trips through JSON (`to_json` / `from_json`),
so attempts can be stored, sent to a browser and graded again later.
"""

from __future__ import annotations

import importlib
import random
from abc import ABC, abstractmethod
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from dlexam.errors import InputError
from dlexam.grading.grade import Grade, PartGrade
from dlexam.tasks.document import Block, render

__all__ = ["Answer", "Grade", "PartGrade", "Solution", "TaskFamily", "Variant", "check_seed"]

SEED_LIMIT = 2**32
FORMATS = ("text", "markdown", "html", "latex", "typst")


@dataclass
class Variant:
    """One posed task: everything needed to show it and to solve it."""

    family: str
    seed: int
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Variant:
        return cls(family=obj["family"], seed=int(obj["seed"]), data=dict(obj["data"]))


@dataclass
class Answer:
    """A student's answer: one entry per part of the task (a family defines the parts)."""

    parts: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Answer:
        return cls(parts=dict(obj["parts"]))


@dataclass
class Solution:
    """The computed answer, with the steps that explain it and the answer as a student types it
    at the prompt (`answer_text`: `parse_answer` reads it back to the same grade)."""

    answer: Answer
    steps: list[str] = field(default_factory=list)
    answer_text: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"answer": self.answer.to_json(), "steps": list(self.steps), "answer_text": self.answer_text}

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Solution:
        return cls(answer=Answer.from_json(obj["answer"]), steps=list(obj["steps"]),
                   answer_text=str(obj.get("answer_text", "")))


class TaskFamily(ABC):
    """A kind of exam task that poses seeded variants, solves, verifies and grades them.

    Subclasses set `name`, `title` and `topic` and implement the abstract methods.
    `verify` must use a method independent of `solve` (torch vs. formula, sampling vs.
    exact geometry) and raise VerificationError when they disagree.
    """

    name: ClassVar[str]
    title: ClassVar[str]
    topic: ClassVar[str]
    points: ClassVar[float] = 1.0
    # Modules grading imports that are slow to load (torch, SymPy): posing never imports them, so a
    # question appears at once, and `prepare` loads them while the student reads it.
    grading_modules: ClassVar[tuple[str, ...]] = ()

    def generate(self, seed: int) -> Variant:
        check_seed(seed)
        return Variant(self.name, seed, self._generate(random.Random(f"{self.name}:{seed}")))

    @abstractmethod
    def _generate(self, rng: random.Random) -> dict[str, Any]:
        """The variant's data, drawn from a generator seeded by family and seed."""

    @abstractmethod
    def solve(self, variant: Variant) -> Solution: ...

    @abstractmethod
    def verify(self, variant: Variant, solution: Solution) -> None: ...

    @abstractmethod
    def grade(self, variant: Variant, answer: Answer) -> Grade: ...

    @abstractmethod
    def document(self, variant: Variant) -> list[Block]:
        """The task as blocks of text, maths, code and options, for every output format."""

    @abstractmethod
    def parse_answer(self, variant: Variant, text: str) -> Answer:
        """Read an answer typed in the terminal or passed with --answer; InputError if garbage."""

    @abstractmethod
    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        """A plausible wrong answer near `answer` (the conformance suite grades it)."""

    def answer_hint(self, variant: Variant) -> str:
        """How to type an answer, shown at the prompt."""
        return "Type your answer."

    def render(self, variant: Variant, fmt: str = "text") -> str:
        return render(self.document(variant), fmt)

    def prepare(self) -> None:
        """Import what grading and drawing this family's answers need (`grading_modules`; matplotlib's
        figure and canvas where there is a picture: `engines.figures`). Meant for a background thread
        started once a question is on screen: the grade then does not wait for torch or SymPy to load."""
        names = list(self.grading_modules)
        if self.has_picture():
            names += ["matplotlib.figure", "matplotlib.backends.backend_agg"]
        for name in names:
            importlib.import_module(name)

    @classmethod
    def has_picture(cls) -> bool:
        """Whether the family draws its solution (overrides `picture`)."""
        return cls.picture is not TaskFamily.picture

    def picture(self, variant: Variant, path: str | Path) -> Path | None:
        """Draw the solution to `path` (PNG or SVG); families without a picture return None."""
        return None


def check_seed(seed: int) -> int:
    if not isinstance(seed, int) or not 0 <= seed < SEED_LIMIT:
        raise InputError(f"The seed must be an integer with 0 <= seed < 2**32, not {seed!r}.")
    return seed
