"""The whole class's rows, for the staff's views: every student's attempts, handed-in mock exams and
code-submission batches. Read-only; each function is one read transaction (plus one query per table).

    attempts(store) -> [Attempt]                 # every student's, oldest first
    attempt(store, attempt_id) -> Attempt | None # any student's
    sittings(store, seed=None) -> [Sitting]      # handed-in exams with their graded answers
    batches(store, prefix="") -> [Batch]         # code-submission batches, newest first
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select

from dlexam.store.models import attempts as attempts_table
from dlexam.store.models import exam_answers, exams, submissions
from dlexam.store.records import Attempt


@dataclass(frozen=True)
class Answer:
    """One task of a handed-in exam: the text entered and what it earned (planned scale) with its grade."""
    text: str | None
    points: float | None
    max_points: float | None
    grade: dict | None


@dataclass(frozen=True)
class Sitting:
    """A handed-in mock exam of one student."""
    id: int
    student: str
    seed: int
    plan: dict
    points: float
    handed_in: float
    total: float
    german_grade: float | None
    answers: dict[str, Answer] = field(default_factory=dict)   # label -> Answer


@dataclass(frozen=True)
class Batch:
    name: str
    files: int
    queued: float          # when its first file was queued


def attempts(store) -> list[Attempt]:
    with store._read() as conn:
        rows = conn.execute(select(attempts_table).order_by(attempts_table.c.id)).mappings().all()
    return [_attempt(r) for r in rows]


def _attempt(r) -> Attempt:
    return Attempt(family=r["family"], seed=r["seed"], variant=r["variant"], answer=r["answer"], grade=r["grade"],
                   seconds=r["seconds"], created=r["created"], id=r["id"], student=r["student"], exam_id=r["exam_id"])


def attempt(store, attempt_id: int) -> Attempt | None:
    """Any student's attempt by id, or None."""
    with store._read() as conn:
        r = conn.execute(select(attempts_table).where(attempts_table.c.id == attempt_id)).mappings().first()
    return None if r is None else _attempt(r)


def sittings(store, seed: int | None = None) -> list[Sitting]:
    """Handed-in exams (of one exam seed, when given), oldest first, with their answers."""
    query = select(exams).where(exams.c.handed_in.is_not(None)).order_by(exams.c.id)
    if seed is not None:
        query = query.where(exams.c.seed == seed)
    with store._read() as conn:
        rows = conn.execute(query).mappings().all()
        ids = [r["id"] for r in rows]
        answers: dict[int, dict[str, Answer]] = {i: {} for i in ids}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            for a in conn.execute(select(exam_answers).where(exam_answers.c.exam_id.in_(chunk))).mappings():
                answers[a["exam_id"]][a["label"]] = Answer(a["text"], a["points"], a["max_points"], a["grade"])
    return [Sitting(r["id"], r["student"], r["seed"], r["plan"], r["points"], r["handed_in"], r["total"] or 0.0,
                    r["german_grade"], answers[r["id"]]) for r in rows]


def batches(store, prefix: str = "", limit: int = 50) -> list[Batch]:
    """Code-submission batches whose name starts with `prefix`, newest first."""
    query = (select(submissions.c.batch, func.count(), func.min(submissions.c.queued))
             .where(submissions.c.batch.is_not(None), submissions.c.batch.startswith(prefix, autoescape=True))
             .group_by(submissions.c.batch).order_by(func.min(submissions.c.queued).desc()).limit(limit))
    with store._read() as conn:
        return [Batch(name, int(n), float(first)) for name, n, first in conn.execute(query)]


def flagged_submissions(store, limit: int = 500) -> list[dict]:
    """Finished code submissions whose result the sandbox flagged (a blocked attempt), newest first."""
    query = (select(submissions.c.key, submissions.c.student, submissions.c.batch, submissions.c.family,
                    submissions.c.filename, submissions.c.result, submissions.c.finished)
             .where(submissions.c.status.in_(("done", "failed")), submissions.c.result.is_not(None))
             .order_by(submissions.c.id.desc()))
    out = []
    with store._read() as conn:
        for row in conn.execute(query):
            result = row.result or {}
            if (result.get("sandbox") or {}).get("flagged") or (result.get("sandbox") or {}).get("blocked"):
                out.append(dict(row._mapping))
                if len(out) >= limit:
                    break
    return out
