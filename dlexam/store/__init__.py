"""The store: practice attempts, their review schedule (FSRS) and mock exams, in one database.

Where (CONTRACT.md, "The store"): `DLEXAM_DATABASE_URL` (an SQLAlchemy URL: `sqlite:///path`,
`postgresql+psycopg://user@host/db`), else `DLEXAM_STORE` (a SQLite file), else
`practice.sqlite3` in the user's data directory, whose directory is created; a path given
whose directory does not exist is refused, naming it. A database that is not dlexam's own
(other tables, another application's migrations), a newer dlexam's, or not a database at all
is refused with one sentence (InputError, exit 2) and left unchanged; the first store's
`practice.sqlite3` (one `attempts` table, plain sqlite3) is migrated in place, every attempt
kept. Migrations are Alembic scripts inside the package (dlexam/store/migrations), run on open
in one transaction; Alembic is imported only when there is something to migrate.

Tables (dlexam/store/models.py): attempts, exams, exam_answers, review_states; every row
names its `student` ("" for the terminal's own; the browser's accounts use their names).

Every write is one transaction: a process killed at any moment (kill -9) leaves a write whole
or not at all, and a committed one survives. Opening costs SQLAlchemy Core's import (no ORM,
about 0.2 s); `quick.due_dates()` reads the schedule of an existing SQLite store without it.

    with Store() as store:                       # Store(path_or_url, student="", clock=utc_now)
        store.where                              # the file, or the URL without its password
        store.path                               # the SQLite file (None for a server)
        store.clock(), store.now()               # the time the store writes: a UTC datetime, epoch seconds

Practice (a card per student and family; rating from the share of points: scheduling.py):

        store.record(Attempt(family, seed, variant, answer, grade, seconds)) -> id
        store.attempts(family=None) -> [Attempt]
        store.next_family(names, turn, choose_new, avoid=()) -> family   # due first, new interleaved
        store.reviews() -> {family: Review}
        store.progress() -> [Progress]          # attempts, points, due, retrievability, history

Mock exams (the plan is dlexam.exam.plan.plan(seed).to_json(); tasks are named by `label`):

        exam = store.start_exam(plan, minutes=None) -> Exam      # minutes default: the plan's
        store.save_answer(exam.id, "1.3", text)                  # as entered; one transaction
        store.open_exam() -> Exam | None         # the last one not handed in: .started, .answers, .deadline
        store.hand_in(exam.id, {"1.3": TaskGrade(points, max_points, grade)}, total, german_grade) -> Exam
        store.exam(exam_id) -> Exam
        store.exams() -> [Exam]                  # oldest first, open and handed in

`TaskGrade(points, max_points, grade, variant=None, answer=None)`: what the task earns in this
exam out of its planned points, and the family's Grade.to_json(); `german_grade` is a number,
1.0 ... 5.0. `save_answer` replaces the task's previous answer in one statement; after a kill the exam
resumes with every answer whose `save_answer` returned. `hand_in` writes the grades, the
total and the German grade, and records each graded task as an attempt (with `exam_id`) so the
schedule learns from exams too — all in one transaction; handing in twice is refused.
"""

from __future__ import annotations

import importlib

from dlexam.store.quick import PATH_VAR as ENV_VAR
from dlexam.store.quick import URL_VAR, default_path

# Imported on first use (PEP 562): `dlexam.store.quick` and `scheduling` load without SQLAlchemy.
_LAZY = {"Store": "store", "Attempt": "records", "Progress": "records", "Exam": "exams", "TaskGrade": "exams",
         "Review": "scheduling", "models": "models"}

__all__ = ["ENV_VAR", "URL_VAR", "Attempt", "Exam", "Progress", "Review", "Store", "TaskGrade", "default_path"]


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module 'dlexam.store' has no attribute {name!r}")
    module = importlib.import_module(f"dlexam.store.{_LAZY[name]}")
    return module if name == "models" else getattr(module, name)
