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
or not at all, and a committed one survives. Opening costs SQLAlchemy Core's import (no ORM).

    with Store() as store:                       # Store(path_or_url, student="", clock=utc_now)
        store.where                              # the file, or the URL without its password
        store.path                               # the SQLite file (None for a server)

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

`save_answer` replaces the task's previous answer in one statement; after a kill the exam
resumes with every answer whose `save_answer` returned. `hand_in` writes the grades, the
total and the German grade, and records each graded task as an attempt (with `exam_id`) so the
schedule learns from exams too — all in one transaction; handing in twice is refused.
"""

from dlexam.store.database import PATH_VAR as ENV_VAR
from dlexam.store.database import URL_VAR, default_path
from dlexam.store.exams import Exam, TaskGrade
from dlexam.store.records import Attempt, Progress
from dlexam.store.scheduling import Review
from dlexam.store.store import Store

__all__ = ["ENV_VAR", "URL_VAR", "Attempt", "Exam", "Progress", "Review", "Store", "TaskGrade", "default_path"]
