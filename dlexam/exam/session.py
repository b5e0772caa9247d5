"""An exam in progress, over the store: the clock, answering a task, and the hand-in.

The clock (CLOCK_POLICY): the deadline is fixed when the exam starts — started + minutes — and
wall-clock time keeps running while dlexam is closed, as it does in an exam room when a student
steps out. A clock that paused on quitting would let anyone read every task, quit, think it over
for a day and resume with the full time left; a fixed deadline keeps the mock exam's time
pressure honest and needs no bookkeeping that a kill -9 could lose. At the deadline the exam is
handed in with the answers saved until then (on `--resume` after it, at once).

Answers are saved the moment they are entered (`Store.save_answer`: one transaction, so a kill -9
loses nothing whose save returned). A code answer given as a .py file's path is saved as the
file's code, so the grade does not depend on the file later. Code answers (task 5) are graded in
the sandbox as soon as they are saved (`background`); everything else is graded at hand-in.
Every task is graded by its own family and scaled to the plan's points: earned = grade.points /
grade.max_points × planned points; an unanswered or unreadable answer earns 0 with a reason.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from dlexam.errors import InputError
from dlexam.exam.background import BackgroundGrader
from dlexam.exam.german import german_grade, passed
from dlexam.grading.grade import Grade, PartGrade

CLOCK_POLICY = ("The clock started with the exam and keeps running while dlexam is closed (a fixed "
                "deadline, as in an exam room); at the deadline the exam is handed in with the saved answers.")
CODE_TASK = 5   # the programming tasks: answers are code, graded in the sandbox in the background


class TimeUp(Exception):
    """The deadline has passed: nothing more is saved; hand in."""


@dataclass(frozen=True)
class Saved:
    label: str
    text: str
    problem: str | None = None     # why the saved answer cannot be read (it would earn 0), or None


@dataclass
class TaskResult:
    label: str
    family: str
    title: str
    points: float                  # earned in this exam
    max_points: float              # planned
    answered: bool
    answer: str                    # as entered ("" when unanswered)
    grade: dict                    # the family's Grade.to_json()
    steps: list[str] = field(default_factory=list)
    solution: str = ""             # the solution as a student types it
    picture: str | None = None

    @property
    def feedback(self) -> str:
        return "\n".join(part["feedback"] for part in self.grade.get("parts", []))

    def to_json(self) -> dict:
        return {**asdict(self), "feedback": self.feedback}


@dataclass
class HandIn:
    exam: int
    seed: int
    total: float
    points: float
    german_grade: float
    passed: bool
    tasks: list[TaskResult]

    def to_json(self) -> dict:
        return {"exam": self.exam, "seed": self.seed, "handed_in": True, "total": self.total,
                "points": self.points, "german_grade": self.german_grade, "passed": self.passed,
                "tasks": [t.to_json() for t in self.tasks]}


class ExamSession:
    """One exam of the store that is not handed in yet."""

    def __init__(self, store, exam, grader: BackgroundGrader | None = None):
        self.store, self.exam = store, exam
        self.answers: dict[str, str] = dict(exam.answers)
        self.problems: dict[str, str | None] = {}     # label -> why its saved answer cannot be read
        self.grader = grader or BackgroundGrader()
        self._variants: dict[str, object] = {}
        self._lock = threading.Lock()

    @classmethod
    def start(cls, store, seed: int, minutes: int | None = None, **kwargs) -> ExamSession:
        from dlexam.exam.plan import MINUTES, plan

        exam_plan = plan(seed, minutes or MINUTES).to_json()
        return cls(store, store.start_exam(exam_plan, minutes or MINUTES), **kwargs)

    @classmethod
    def resume(cls, store, **kwargs) -> ExamSession | None:
        exam = store.open_exam()
        return None if exam is None else cls(store, exam, **kwargs)

    # --- the plan -------------------------------------------------------------------------
    @property
    def tasks(self) -> list[dict]:
        return list(self.exam.plan["tasks"])

    @property
    def labels(self) -> list[str]:
        return [str(t["label"]) for t in self.tasks]

    @property
    def points(self) -> float:
        return float(self.exam.points)

    def task(self, label: str) -> dict:
        for t in self.tasks:
            if str(t["label"]) == label:
                return t
        raise InputError(f"There is no task {label!r}; the tasks are {', '.join(self.labels)}.")

    def is_code(self, label: str) -> bool:
        return int(self.task(label)["task"]) == CODE_TASK

    def family(self, label: str):
        from dlexam.tasks.registry import family

        return family(self.task(label)["family"])

    def variant(self, label: str):
        with self._lock:
            if label not in self._variants:
                self._variants[label] = self.family(label).generate(int(self.task(label)["seed"]))
            return self._variants[label]

    def warm(self) -> None:
        """Pose every task and send saved code answers (a resumed exam's) to the sandbox; meant for a
        thread started after the first screen, so that screen does not wait for torch."""
        for label in self.labels:
            self.variant(label)
            if self.answered(label) and label not in self.problems:
                self.check(label, self.answers[label])

    def answered(self, label: str) -> bool:
        return bool(self.answers.get(label, "").strip())

    # --- the clock ------------------------------------------------------------------------
    def remaining(self) -> float:
        """Seconds left until the deadline (negative once it has passed)."""
        return self.exam.deadline.timestamp() - self.store.clock().timestamp()

    @property
    def expired(self) -> bool:
        return self.remaining() <= 0

    # --- answering ------------------------------------------------------------------------
    def answer(self, label: str, text: str, submit: bool = True) -> Saved:
        """Save `text` as the answer to `label` (one transaction), then read it to warn early; a code
        answer goes to the sandbox unless `submit` is False (the browser saves code as it is typed
        and sends it when the student moves on; hand-in sends whatever is not graded yet)."""
        self.task(label)
        if self.expired:
            raise TimeUp()
        if self.is_code(label):
            text = _code_of(text)
        self.store.save_answer(self.exam.id, label, text)
        self.answers[label] = text
        if not text.strip():
            self.problems.pop(label, None)
            return Saved(label, text)
        return Saved(label, text, self.check(label, text, submit))

    def check(self, label: str, text: str, submit: bool = True) -> str | None:
        """Why `text` cannot be read as an answer to `label`, or None; a readable code answer is
        sent to the sandbox at once (if `submit`)."""
        try:
            parsed = _read_answer(self.family(label), self.variant(label), text)
        except InputError as exc:
            self.problems[label] = str(exc)
            return str(exc)
        self.problems[label] = None
        if self.is_code(label) and submit:
            self.grader.submit(self._key(label, text), lambda: self.family(label).grade(self.variant(label), parsed))
        return None

    def code_state(self, label: str) -> str:
        """For a code answer: "running", "queued", "done" or "none"."""
        return self.grader.state(self._key(label, self.answers.get(label, "")))

    @staticmethod
    def _key(label: str, text: str) -> tuple[str, str]:
        return label, hashlib.sha256(text.encode()).hexdigest()

    # --- hand-in --------------------------------------------------------------------------
    def hand_in(self, pictures: Path | None = None, on_task: Callable[[str], None] | None = None) -> HandIn:
        """Grade every task with its family, store the grades, the total and the German grade in
        one transaction, then add the worked solutions (and pictures, into `pictures`)."""
        from dlexam.store import TaskGrade

        graded: dict[str, TaskGrade] = {}
        for t in self.tasks:
            label = str(t["label"])
            if on_task:
                on_task(label)
            grade, answer = self._grade(label)
            share = grade.points / grade.max_points if grade.max_points > 0 else 0.0
            graded[label] = TaskGrade(round(share * float(t["points"]), 2), float(t["points"]), grade.to_json(),
                                      self.variant(label).to_json(), answer)
        total = round(sum(g.points for g in graded.values()), 2)
        grade = german_grade(total, self.points)
        self.exam = self.store.hand_in(self.exam.id, graded, total, grade)
        results = [self._result(t, graded[str(t["label"])], pictures, on_task) for t in self.tasks]
        return HandIn(self.exam.id, self.exam.seed, total, self.points, grade, passed(grade), results)

    def _grade(self, label: str) -> tuple[Grade, dict | None]:
        fam, variant, text = self.family(label), self.variant(label), self.answers.get(label, "")
        if not text.strip():
            return _zero(fam.points, "No answer was entered: 0 points.", "no answer"), None
        try:
            answer = _read_answer(fam, variant, text)
        except InputError as exc:
            return _zero(fam.points, f"The answer could not be read: {exc}", "unreadable"), None
        try:
            if self.is_code(label):
                self.check(label, text)
                return self.grader.get(self._key(label, text)).result(), answer.to_json()
            return fam.grade(variant, answer), answer.to_json()
        except InputError as exc:
            return _zero(fam.points, f"The answer could not be graded: {exc}", "ungradable"), answer.to_json()
        except Exception as exc:  # a hand-in must go through; the answer stays in the store
            return _zero(fam.points, f"The answer could not be graded ({type(exc).__name__}: {exc}); "
                         "please report this.", "grader failed"), answer.to_json()

    def _result(self, t: dict, graded, pictures: Path | None, on_task) -> TaskResult:
        label = str(t["label"])
        fam, variant = self.family(label), self.variant(label)
        if on_task:
            on_task(label)
        solution = fam.solve(variant)
        picture = None
        if pictures is not None:
            pictures.mkdir(parents=True, exist_ok=True)
            drawn = fam.picture(variant, pictures / f"exam-{self.exam.id}-{label}-{t['family']}.png")
            picture = None if drawn is None else str(drawn)
        return TaskResult(label, str(t["family"]), str(t["title"]), graded.points, graded.max_points,
                          self.answered(label), self.answers.get(label, ""), graded.grade, list(solution.steps), solution.answer_text, picture)


def pictures_dir(store) -> Path:
    """Beside the store's file; with a database server, in the user's data directory."""
    if store.path is not None:
        return Path(store.path).parent / "pictures"
    from platformdirs import user_data_path
    return user_data_path("dlexam") / "pictures"


def _zero(max_points: float, feedback: str, error: str) -> Grade:
    return Grade([PartGrade("answer", 0.0, float(max_points), feedback, {"passed": False})], error=error)


def _code_of(text: str) -> str:
    """A .py file's path becomes the file's code; the code itself stays as typed."""
    stripped = text.strip()
    if stripped.endswith(".py") and "\n" not in stripped:
        try:
            return Path(stripped).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"The file {stripped} cannot be read ({type(exc).__name__}); nothing was saved.") from None
    return text


def _read_answer(fam, variant, text: str):
    """As `dlexam grade --answer` reads it: the family's typed form, or JSON {"part": value}."""
    from dlexam.tasks.model import Answer

    if text.lstrip().startswith("{"):
        try:
            parts = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            parts = None
        if isinstance(parts, dict):
            return Answer(parts)
        if parts is not None:
            raise InputError("A JSON answer must be an object of parts.")
    return fam.parse_answer(variant, text)
