# The store as dlexam shipped it before SQLAlchemy (dlexam/store.py at 44c9072), verbatim below this
# header: tests/test_store.py writes a practice.sqlite3 with it and checks that the new store migrates it.
"""Every practice attempt, kept in a local SQLite file.

The file lives in the user's data directory (`platformdirs`), or where DLEXAM_STORE
points. An attempt is written by a single INSERT inside one transaction: a process
killed at any moment leaves either the whole attempt or none of it, and SQLite's
journal makes a committed attempt survive the kill.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from dlexam.errors import InputError

ENV_VAR = "DLEXAM_STORE"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    id          INTEGER PRIMARY KEY,
    created     REAL    NOT NULL,
    family      TEXT    NOT NULL,
    seed        INTEGER NOT NULL,
    variant     TEXT    NOT NULL,
    answer      TEXT    NOT NULL,
    grade       TEXT    NOT NULL,
    points      REAL    NOT NULL,
    max_points  REAL    NOT NULL,
    seconds     REAL
);
CREATE INDEX IF NOT EXISTS attempts_family ON attempts(family);
"""


@dataclass(frozen=True)
class Attempt:
    family: str
    seed: int
    variant: dict
    answer: dict
    grade: dict
    seconds: float | None = None
    created: float = 0.0
    id: int | None = None

    @property
    def points(self) -> float:
        return float(self.grade["points"])

    @property
    def max_points(self) -> float:
        return float(self.grade["max_points"])


@dataclass(frozen=True)
class Progress:
    family: str
    attempts: int
    points: float
    max_points: float
    last: float

    @property
    def score(self) -> float:
        return self.points / self.max_points if self.max_points else 0.0


def default_path() -> Path:
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR]).expanduser()
    from platformdirs import user_data_path
    return user_data_path("dlexam") / "practice.sqlite3"


class Store:
    def __init__(self, path: Path | str | None = None):
        self.path = Path(path) if path is not None else default_path()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=10)
            self._db.executescript(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            raise InputError(f"The practice store {self.path} cannot be opened: {exc}.") from None

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def record(self, attempt: Attempt) -> int:
        """Store one attempt atomically; returns its id."""
        row = (time.time(), attempt.family, attempt.seed, json.dumps(attempt.variant),
               json.dumps(attempt.answer), json.dumps(attempt.grade), attempt.points,
               attempt.max_points, attempt.seconds)
        with self._db:  # one transaction: committed whole or rolled back whole
            cursor = self._db.execute(
                "INSERT INTO attempts (created, family, seed, variant, answer, grade, points, max_points, seconds)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
        return int(cursor.lastrowid)

    def attempts(self, family: str | None = None) -> list[Attempt]:
        query = "SELECT id, created, family, seed, variant, answer, grade, seconds FROM attempts"
        rows = self._db.execute(query + (" WHERE family = ?" if family else "") + " ORDER BY id",
                                (family,) if family else ()).fetchall()
        return [Attempt(id=r[0], created=r[1], family=r[2], seed=r[3], variant=json.loads(r[4]),
                        answer=json.loads(r[5]), grade=json.loads(r[6]), seconds=r[7]) for r in rows]

    def progress(self) -> list[Progress]:
        rows = self._db.execute(
            "SELECT family, COUNT(*), SUM(points), SUM(max_points), MAX(created) FROM attempts"
            " GROUP BY family ORDER BY family").fetchall()
        return [Progress(*row) for row in rows]
