"""Plain data of the store: an attempt at a question, a family's progress."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone

from dlexam.store.quick import LOCAL_STUDENT


@dataclass(frozen=True)
class Attempt:
    family: str
    seed: int
    variant: dict
    answer: dict
    grade: dict
    seconds: float | None = None
    created: float = 0.0          # seconds since the epoch; set by the store
    id: int | None = None
    student: str = LOCAL_STUDENT
    exam_id: int | None = None

    @property
    def points(self) -> float:
        return float(self.grade["points"])

    @property
    def max_points(self) -> float:
        return float(self.grade["max_points"])

    @property
    def share(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0


@dataclass(frozen=True)
class Progress:
    family: str
    attempts: int
    points: float
    max_points: float
    last: float
    due: float | None = None                 # epoch seconds; None if never reviewed
    retrievability: float | None = None      # 0..1 now; None if never reviewed
    history: tuple[tuple[float, float], ...] = field(default=())  # (time, share of points), oldest first

    @property
    def score(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0

    @property
    def due_iso(self) -> str | None:
        return None if self.due is None else datetime.fromtimestamp(self.due, timezone.utc).isoformat()
