"""What the multi-part families of exam tasks 3 and 4 share: points per part, the one-line answer
read and written, every part of a solution verified, and the solve cached per variant.

A `PartsFamily` declares `part_points` ({"a": 2.0, ...}); its `points` is their sum, so every grade,
also of an empty answer, is out of the declared points. Subclasses give `read` (validate and
normalise the parts) and `grade_parts` (one PartGrade per part, in order).
"""

from __future__ import annotations

import json
from abc import abstractmethod
from collections.abc import Callable, Mapping
from functools import lru_cache, wraps
from typing import Any, ClassVar, TypeVar

from dlexam.errors import InputError, VerificationError
from dlexam.grading.grade import Grade, PartGrade
from dlexam.tasks.model import Answer, TaskFamily, Variant
from dlexam.tasks.parts import check_parts, split_parts

T = TypeVar("T")
# a part's independent check: None when the part agrees with the second method, else why not
PartCheck = Callable[[Any], "str | None"]


class PartsFamily(TaskFamily):
    part_points: ClassVar[dict[str, float]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "part_points" in cls.__dict__:
            cls.points = sum(cls.part_points.values())

    @property
    def labels(self) -> str:
        return "".join(self.part_points)

    @abstractmethod
    def read(self, variant: Variant, parts: dict[str, Any]) -> dict[str, Any]:
        """The parts validated (InputError for one that cannot be read) and normalised."""

    @abstractmethod
    def grade_parts(self, variant: Variant, parts: dict[str, Any]) -> list[PartGrade]: ...

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        return Answer(self.read(variant, split_parts(text, self.labels)))

    def grade(self, variant: Variant, answer: Answer) -> Grade:
        return Grade(self.grade_parts(variant, self.read(variant, check_parts(answer.parts, self.labels))))


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
