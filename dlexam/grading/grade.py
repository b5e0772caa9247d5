"""The one grade type of dlexam: parts with points, a reason each, and evidence.

Every family's `grade` returns a `Grade`, the programming tasks' code grades included, so the
terminal, the browser, paper and the queue show one shape. `evidence` holds numbers a test or a
page can read without parsing prose (a counterexample point, a measured loss, `passed`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

EPS = 1e-9


@dataclass
class PartGrade:
    """Points for one part, with a reason a student can check."""

    name: str
    points: float
    max_points: float
    feedback: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.points >= self.max_points - EPS


@dataclass
class Grade:
    """The parts of one graded answer; `error` is set when the answer could not be judged at all
    (a file that does not parse or crashes): then every part is listed at 0 with that reason."""

    parts: list[PartGrade]
    error: str | None = None

    @property
    def points(self) -> float:
        return sum(p.points for p in self.parts)

    @property
    def max_points(self) -> float:
        return sum(p.max_points for p in self.parts)

    @property
    def full_marks(self) -> bool:
        return abs(self.points - self.max_points) < EPS

    @property
    def feedback(self) -> str:
        return "\n".join(p.feedback for p in self.parts)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"points": self.points, "max_points": self.max_points,
                               "parts": [asdict(p) for p in self.parts]}
        if self.error is not None:
            out["error"] = self.error
        return out

    @classmethod
    def from_json(cls, obj: dict[str, Any]) -> Grade:
        return cls(parts=[PartGrade(**p) for p in obj["parts"]], error=obj.get("error"))


def not_judged(max_points: dict[str, float], error: str) -> Grade:
    """An answer that could not be judged: every part listed at 0 (so the maximum stays whole),
    each with the error as its reason."""
    parts = [PartGrade(name, 0.0, points, f"{name}: not judged: {error}", {"passed": False})
             for name, points in max_points.items()]
    return Grade(parts, error=error)
