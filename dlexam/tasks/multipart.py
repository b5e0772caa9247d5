"""What the multi-part families of exam tasks 3 and 4 share: points per part, the one-line answer
read and written, every part of a solution verified, and the solve cached per variant.

A `PartsFamily[Data]` names two modules of its package, which get the variant's data:
- `grading`: `POINTS` ({"a": 2.0, ...}; `points` is their sum, so every grade, also of an empty
  answer, is out of the declared points), `read(data, parts)` (validate and normalise the parts,
  InputError for one that cannot be read) and `grade_parts(data, parts)` (one PartGrade per part);
- `second`: `verify_answer(data, answer)`, every part checked by a method independent of solve.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import lru_cache, wraps
from types import ModuleType
from typing import Any, ClassVar, Generic, TypeVar, cast

from dlexam.errors import InputError, VerificationError
from dlexam.grading.grade import Grade, PartGrade
from dlexam.tasks.model import Answer, Solution, TaskFamily, Variant
from dlexam.tasks.parts import check_parts, split_parts

T = TypeVar("T")
D = TypeVar("D")   # the family's TypedDict of variant data
# a part's independent check: None when the part agrees with the second method, else why not
PartCheck = Callable[[Any], "str | None"]


class PartsFamily(TaskFamily, Generic[D]):
    grading: ClassVar[ModuleType]
    second: ClassVar[ModuleType]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "grading" in cls.__dict__:
            cls.points = sum(cls.grading.POINTS.values())

    def data(self, variant: Variant) -> D:
        """The variant's data, typed as the family declares it."""
        return cast(D, variant.data)

    @property
    def labels(self) -> str:
        return "".join(self.grading.POINTS)

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        return Answer(self.grading.read(self.data(variant), split_parts(text, self.labels)))

    def grade(self, variant: Variant, answer: Answer) -> Grade:
        d = self.data(variant)
        return Grade(self.grading.grade_parts(d, self.grading.read(d, check_parts(answer.parts, self.labels))))

    def verify(self, variant: Variant, solution: Solution) -> None:
        self.second.verify_answer(self.data(variant), solution.answer)


def not_answered(label: str, points: float, what: str = "Not answered.") -> PartGrade:
    return PartGrade(label, 0.0, points, f"{label}) {what}", {"answered": False})


def answer_line(parts: Mapping[str, str]) -> str:
    """{"a": "...", "b": "..."} -> `a) ... ; b) ...`, the line `split_parts` reads back."""
    return " ; ".join(f"{label}) {text}" for label, text in parts.items())


def verify_parts(answer: Answer, checks: Mapping[str, PartCheck]) -> None:
    """Check every part of a solution by its own second method; VerificationError names each part
    that is missing, unreadable or disagrees."""
    problems = []
    for label, check in checks.items():
        if label not in answer.parts:
            problems.append(f"{label}) is missing")
            continue
        try:
            why = check(answer.parts[label])
        except (InputError, TypeError, ValueError, KeyError, IndexError) as exc:
            why = f"cannot be read ({exc})"
        if why:
            problems.append(f"{label}) {why}")
    if problems:
        raise VerificationError("; ".join(problems) + ".")


def solved_per_variant(solve: Callable[[Any], T]) -> Callable[[Any], T]:
    """Cache `solve(data)` by the variant data's JSON (plain JSON, so equal data give one key).
    The result is shared between callers: treat it as read-only."""

    @lru_cache(maxsize=256)
    def by_key(key: str) -> T:
        return solve(json.loads(key))

    @wraps(solve)
    def cached(data: Any) -> T:
        return by_key(json.dumps(data, sort_keys=True))

    return cached
