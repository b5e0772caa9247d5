"""The Store: practice attempts, their review state and mock exams, one transaction per write."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.exc import DBAPIError

from dlexam.errors import InputError
from dlexam.store import database, exams, scheduling
from dlexam.store.models import LOCAL_STUDENT, REVISIONS, attempts, review_states
from dlexam.store.records import Attempt, Progress
from dlexam.store.scheduling import Review

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Store:
    """See the package's docstring for the whole API."""

    def __init__(self, target: str | Path | None = None, *, student: str = LOCAL_STUDENT, clock: Clock = utc_now):
        self.location = database.locate(target)
        self.student, self.clock = student, clock
        self._engine = database.connect(self.location)
        try:
            database.open_database(self.location, self._engine, on_upgrade=self._after_upgrade)
        except BaseException:
            self._engine.dispose()
            raise

    # --- where it is, opening and closing

    @property
    def path(self) -> Path | None:
        """The SQLite file, or None for a database server."""
        return self.location.path

    @property
    def where(self) -> str:
        """The file, or the URL without its password: for messages."""
        return self.location.where

    def now(self) -> float:
        return self.clock().timestamp()

    def close(self) -> None:
        self._engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _write(self):
        """A connection in one writing transaction: committed whole or rolled back whole."""
        return _Transaction(self)

    def _read(self):
        return _Transaction(self, write=False)

    # --- practice

    def record(self, attempt: Attempt) -> int:
        """Store one attempt and update its family's review state in one transaction; returns its id."""
        with self._write() as conn:
            return self._record(conn, attempt, self.now())

    def _record(self, conn: Connection, attempt: Attempt, at: float) -> int:
        row = {"created": at, "family": attempt.family, "seed": attempt.seed, "variant": attempt.variant,
               "answer": attempt.answer, "grade": attempt.grade, "points": attempt.points,
               "max_points": attempt.max_points, "seconds": attempt.seconds, "student": self.student,
               "exam_id": attempt.exam_id}
        attempt_id = conn.execute(insert(attempts).values(**row).returning(attempts.c.id)).scalar_one()
        _save_review(conn, self.student, scheduling.review(_review(conn, self.student, attempt.family),
                                                           attempt.family, attempt.share, at))
        return int(attempt_id)

    def attempts(self, family: str | None = None) -> list[Attempt]:
        query = select(attempts).where(attempts.c.student == self.student).order_by(attempts.c.id)
        if family:
            query = query.where(attempts.c.family == family)
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [Attempt(family=r["family"], seed=r["seed"], variant=r["variant"], answer=r["answer"],
                        grade=r["grade"], seconds=r["seconds"], created=r["created"], id=r["id"],
                        student=r["student"], exam_id=r["exam_id"]) for r in rows]

    def reviews(self) -> dict[str, Review]:
        """The review state of every family this student has answered."""
        with self._read() as conn:
            rows = conn.execute(select(review_states).where(review_states.c.student == self.student)).mappings()
            return {r["family"]: _to_review(r) for r in rows}

    def next_family(self, names: Sequence[str], turn: int, choose_new: Callable[[list[str]], str],
                    avoid: Collection[str] = ()) -> str:
        """What `practice` asks next: due first, new families interleaved (see scheduling.next_family)."""
        due = {family: state.due for family, state in self.reviews().items()}
        return scheduling.next_family(names, due, self.now(), turn, choose_new, avoid)

    def progress(self) -> list[Progress]:
        """Per family: attempts, points, when it is due, how likely it is remembered now, score over time."""
        query = (select(attempts.c.family, attempts.c.created, attempts.c.points, attempts.c.max_points)
                 .where(attempts.c.student == self.student).order_by(attempts.c.family, attempts.c.id))
        with self._read() as conn:
            rows = conn.execute(query).all()
        states, now = self.reviews(), self.now()
        history: dict[str, list[tuple[float, float, float]]] = {}
        for family, created, points, max_points in rows:
            history.setdefault(family, []).append((created, points, max_points))
        result = []
        for family, seen in history.items():
            state = states.get(family)
            result.append(Progress(
                family, len(seen), sum(p for _, p, _ in seen), sum(m for _, _, m in seen), max(t for t, _, _ in seen),
                due=state.due if state else None,
                retrievability=scheduling.retrievability(state, now) if state else None,
                history=tuple((t, p / m if m else 0.0) for t, p, m in seen)))
        return result

    def _after_upgrade(self, conn: Connection, was: str) -> None:
        """After a database older than review states is migrated: replay its attempts into them."""
        if was not in ("legacy", REVISIONS[0]):
            return
        rows = conn.execute(select(attempts.c.student, attempts.c.family, attempts.c.created, attempts.c.points,
                                   attempts.c.max_points).order_by(attempts.c.id)).all()
        states: dict[tuple[str, str], Review] = {}
        for student, family, created, points, max_points in rows:
            share = points / max_points if max_points else 0.0
            states[student, family] = scheduling.review(states.get((student, family)), family, share, created)
        for (student, _), state in states.items():
            _save_review(conn, student, state)

    # --- mock exams (dlexam/store/exams.py)

    def start_exam(self, plan: Mapping, minutes: int | None = None) -> exams.Exam:
        with self._write() as conn:
            return exams.start(conn, self.student, plan, minutes, self.now())

    def save_answer(self, exam_id: int, label: str, text: str) -> None:
        with self._write() as conn:
            exams.save_answer(conn, exam_id, label, text, self.now())

    def open_exam(self) -> exams.Exam | None:
        with self._read() as conn:
            return exams.open_exam(conn, self.student)

    def exam(self, exam_id: int) -> exams.Exam:
        with self._read() as conn:
            return exams.load(conn, exam_id)

    def hand_in(self, exam_id: int, grades: Mapping[str, exams.TaskGrade], total: float,
                german_grade: float) -> exams.Exam:
        with self._write() as conn:
            at = self.now()
            exam = exams.hand_in(conn, exam_id, grades, total, german_grade, at)
            for attempt in exams.attempts_of(exam, grades):
                self._record(conn, attempt, at)
            return exams.load(conn, exam_id)

    def exams(self) -> list[exams.Exam]:
        with self._read() as conn:
            return exams.list_exams(conn, self.student)

    def count(self) -> int:
        with self._read() as conn:
            return int(conn.execute(select(func.count()).select_from(attempts)).scalar_one())


class _Transaction:
    """`with` a connection in one transaction; database errors become one sentence (InputError)."""

    def __init__(self, store: Store, write: bool = True):
        self.store, self.write = store, write

    def __enter__(self) -> Connection:
        options = database.write_options(self.store._engine) if self.write else {}
        try:
            self.conn = self.store._engine.connect().execution_options(**options)
            self.transaction = self.conn.begin()
        except DBAPIError as exc:
            raise InputError(database._database_error(self.store.location, exc)) from None
        return self.conn

    def __exit__(self, kind, exc, tb) -> None:
        try:
            if kind is None:
                self.transaction.commit()
            else:
                self.transaction.rollback()
        except DBAPIError as error:
            if kind is None:
                raise InputError(database._database_error(self.store.location, error)) from None
        finally:
            self.conn.close()
        if isinstance(exc, DBAPIError):
            raise InputError(database._database_error(self.store.location, exc)) from None


def _review(conn: Connection, student: str, family: str) -> Review | None:
    row = conn.execute(select(review_states).where(review_states.c.student == student,
                                                   review_states.c.family == family)).mappings().first()
    return _to_review(row) if row else None


def _to_review(row) -> Review:
    return Review(row["family"], row["card"], row["due"], row["last_review"], row["reviews"], row["lapses"])


def _save_review(conn: Connection, student: str, state: Review) -> None:
    values = {"card": state.card, "due": state.due, "last_review": state.last_review,
              "reviews": state.reviews, "lapses": state.lapses}
    done = conn.execute(update(review_states).where(review_states.c.student == student,
                                                    review_states.c.family == state.family).values(**values))
    if done.rowcount == 0:
        conn.execute(insert(review_states).values(student=student, family=state.family, **values))
