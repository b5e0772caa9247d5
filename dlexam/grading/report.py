"""The result of grading one file: named checks with points and a message each."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass
class Check:
    name: str
    passed: bool
    points: float          # awarded
    max_points: float
    message: str           # what was observed, in one or two sentences


@dataclass
class CodeGrade:
    task: str
    file: str
    checks: list[Check] = field(default_factory=list)
    error: str | None = None   # the file could not be read, did not parse or crashed

    @property
    def score(self) -> float:
        return sum(c.points for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.checks)

    def to_json(self) -> dict:
        out = {"task": self.task, "file": self.file, "score": self.score, "max_score": self.max_score,
               "checks": [asdict(c) for c in self.checks]}
        if self.error is not None:
            out["error"] = self.error
        return out


def failed(task: str, file: str, error: str, max_points: dict[str, float]) -> CodeGrade:
    """A file that could not be judged: every check listed at 0 (so max_score stays whole),
    each with the error as its reason."""
    checks = [Check(name, False, 0.0, points, f"not judged: {error}") for name, points in max_points.items()]
    return CodeGrade(task, file, checks, error=error)


def tampering(observed: list[str]) -> str | None:
    """The error for a submission that replaced torch's own functions, or None."""
    if not observed:
        return None
    names = ", ".join(observed[:4]) + (", ..." if len(observed) > 4 else "")
    return f"the submission replaced torch's own functions ({names}), so nothing it computed can be trusted"
