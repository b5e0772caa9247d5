"""What needs no SQLAlchemy: where the store is, its revisions, and the practice schedule's due
dates read with sqlite3 alone — so `practice` poses its first question while SQLAlchemy (about
0.2 s to import) loads in the background and the student reads.

`due_dates()` answers only for a SQLite store that already exists at the newest revision, read
only; in every other case (a database URL, no file yet, an older file, anything odd) it returns
None and the caller opens the Store, which migrates, checks and explains.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

URL_VAR, PATH_VAR = "DLEXAM_DATABASE_URL", "DLEXAM_STORE"
# Alembic revisions of dlexam/store/migrations/versions, oldest first. A database whose
# `alembic_version` is one of these is dlexam's own; tests/test_store.py checks this list
# against the migration scripts.
REVISIONS = ("dlexam_0001", "dlexam_0002", "dlexam_0003", "dlexam_0004")
HEAD = REVISIONS[-1]
LOCAL_STUDENT = ""


def default_path() -> Path:
    if os.environ.get(PATH_VAR):
        return Path(os.environ[PATH_VAR]).expanduser()
    from platformdirs import user_data_path
    return user_data_path("dlexam") / "practice.sqlite3"


def due_dates(student: str = LOCAL_STUDENT) -> tuple[Path, dict[str, float]] | None:
    """(the store's file, {family: due as epoch seconds}) when cheaply known, else None."""
    if os.environ.get(URL_VAR):
        return None
    path = default_path()
    if not path.is_file():
        return None
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return None
    try:
        if db.execute("SELECT version_num FROM alembic_version").fetchall() != [(HEAD,)]:
            return None
        rows = db.execute("SELECT family, due FROM review_states WHERE student = ?", (student,)).fetchall()
        return path, {family: float(due) for family, due in rows}
    except sqlite3.Error:
        return None
    finally:
        db.close()
