"""Mock exams in the store: started from a plan, answers saved as entered, handed in with grades.

Functions over a connection inside the caller's transaction; `Store` wraps each in one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import Connection, insert, select, update

from dlexam.errors import InputError
from dlexam.store.models import exam_answers, exams
from dlexam.store.records import Attempt


@dataclass(frozen=True)
class TaskGrade:
    """One planned task's grade at hand-in. `grade` is the family's Grade.to_json() (its points out
    of the family's points); `points` of `max_points` is what it earns in this exam (the plan's
    points times the grade's share). `variant` and `answer` (JSON) go into the attempt that the
    hand-in records for the family's schedule, when given."""
    points: float
    max_points: float
    grade: dict = field(default_factory=dict)
    variant: dict | None = None
    answer: dict | None = None


@dataclass(frozen=True)
class Exam:
    id: int
    seed: int
    plan: dict                       # as given to start_exam
    minutes: int
    points: float
    started: datetime                # UTC
    answers: dict[str, str]          # label -> the answer as last entered
    saved: dict[str, datetime]       # label -> when it was entered
    handed_in: datetime | None = None
    total: float | None = None
    german_grade: float | None = None
    grades: dict[str, dict] = field(default_factory=dict)   # label -> {"points", "max_points", "grade"}

    @property
    def deadline(self) -> datetime:
        return datetime.fromtimestamp(self.started.timestamp() + 60 * self.minutes, timezone.utc)

    @property
    def labels(self) -> list[str]:
        return [task["label"] for task in self.plan["tasks"]]


def start(conn: Connection, student: str, plan: Mapping, minutes: int | None, at: float) -> Exam:
    try:
        seed, tasks = int(plan["seed"]), plan["tasks"]
        labels = [str(task["label"]) for task in tasks]
        points = float(plan.get("points", sum(float(task["points"]) for task in tasks)))
    except (KeyError, TypeError, ValueError):
        raise InputError("An exam starts from a plan with a seed and tasks that have labels and points "
                         "(dlexam.exam.plan.plan(seed).to_json()).") from None
    if len(set(labels)) != len(labels):
        raise InputError("An exam's plan names each task label once.")
    minutes = int(minutes if minutes is not None else plan.get("minutes", 120))
    if minutes <= 0:
        raise InputError("An exam lasts a positive number of minutes.")
    exam_id = conn.execute(insert(exams).values(student=student, seed=seed, plan=dict(plan), minutes=minutes,
                                                points=points, started=at).returning(exams.c.id)).scalar_one()
    return load(conn, int(exam_id))


def save_answer(conn: Connection, exam_id: int, label: str, text: str, at: float) -> None:
    """The answer to `label` as entered, replacing the one entered before (one statement)."""
    exam = _exam_row(conn, exam_id)
    if exam["handed_in"] is not None:
        raise InputError(f"Exam {exam_id} is handed in already; its answers stay as they were.")
    if label not in {str(task["label"]) for task in exam["plan"]["tasks"]}:
        raise InputError(f"Exam {exam_id} has no task {label!r}.")
    where = (exam_answers.c.exam_id == exam_id) & (exam_answers.c.label == label)
    done = conn.execute(update(exam_answers).where(where).values(text=text, saved=at))
    if done.rowcount == 0:
        conn.execute(insert(exam_answers).values(exam_id=exam_id, label=label, text=text, saved=at))


def open_exam(conn: Connection, student: str) -> Exam | None:
    """The exam this student started last and has not handed in, or None."""
    exam_id = conn.execute(select(exams.c.id).where(exams.c.student == student, exams.c.handed_in.is_(None))
                           .order_by(exams.c.started.desc(), exams.c.id.desc()).limit(1)).scalar()
    return None if exam_id is None else load(conn, int(exam_id))


def hand_in(conn: Connection, exam_id: int, grades: Mapping[str, TaskGrade], total: float,
            german_grade: float, at: float) -> Exam:
    exam = load(conn, exam_id)
    if exam.handed_in is not None:
        raise InputError(f"Exam {exam_id} was handed in already.")
    unknown = set(grades) - set(exam.labels)
    if unknown:
        raise InputError(f"Exam {exam_id} has no task {sorted(unknown)[0]!r}.")
    for label, graded in grades.items():
        values = {"grade": graded.grade, "points": float(graded.points), "max_points": float(graded.max_points)}
        where = (exam_answers.c.exam_id == exam_id) & (exam_answers.c.label == label)
        if conn.execute(update(exam_answers).where(where).values(**values)).rowcount == 0:
            conn.execute(insert(exam_answers).values(exam_id=exam_id, label=label, **values))
    conn.execute(update(exams).where(exams.c.id == exam_id)
                 .values(handed_in=at, total=float(total), german_grade=float(german_grade)))
    return load(conn, exam_id)


def attempts_of(exam: Exam, grades: Mapping[str, TaskGrade]) -> list[Attempt]:
    """The attempts a hand-in records, one per graded task with a family grade, in the plan's order."""
    result = []
    for task in exam.plan["tasks"]:
        graded = grades.get(str(task["label"]))
        if graded is None or "points" not in graded.grade or "max_points" not in graded.grade:
            continue
        answer = graded.answer if graded.answer is not None else {"text": exam.answers.get(str(task["label"]), "")}
        result.append(Attempt(task["family"], int(task["seed"]), graded.variant or {}, answer, graded.grade,
                              exam_id=exam.id))
    return result


def load(conn: Connection, exam_id: int) -> Exam:
    row = _exam_row(conn, exam_id)
    answers = conn.execute(select(exam_answers).where(exam_answers.c.exam_id == exam_id)
                           .order_by(exam_answers.c.id)).mappings().all()
    return Exam(
        id=row["id"], seed=row["seed"], plan=row["plan"], minutes=row["minutes"], points=row["points"],
        started=_time(row["started"]),
        answers={a["label"]: a["text"] for a in answers if a["text"] is not None},
        saved={a["label"]: _time(a["saved"]) for a in answers if a["saved"] is not None},
        handed_in=None if row["handed_in"] is None else _time(row["handed_in"]),
        total=row["total"], german_grade=row["german_grade"],
        grades={a["label"]: {"points": a["points"], "max_points": a["max_points"], "grade": a["grade"]}
                for a in answers if a["points"] is not None})


def list_exams(conn: Connection, student: str) -> list[Exam]:
    ids = conn.execute(select(exams.c.id).where(exams.c.student == student).order_by(exams.c.id)).scalars().all()
    return [load(conn, int(i)) for i in ids]


def _exam_row(conn: Connection, exam_id: int):
    row = conn.execute(select(exams).where(exams.c.id == exam_id)).mappings().first()
    if row is None:
        raise InputError(f"There is no exam {exam_id} in the store.")
    return row


def _time(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, timezone.utc)
