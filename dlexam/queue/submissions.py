"""Code submissions for the whole course: the API the web app, staff uploads and `grade-code` use.

    key = submit("adversarial", "alice.py", source, student="alice", batch="week3")
    result(key)     # grade-code's object for the file once done; {"status": "queued"|"running"} before;
                    # {"status": "failed", "error": ..., ...} when it could not be graded
    progress("week3")   # {"done": n, "queued": n, "running": n, "failed": n}

Every submission is a row of the store's `submissions` table (DLEXAM_DATABASE_URL, else the local
store). Without DLEXAM_BROKER_URL it is graded in this process on a bounded pool of threads
(`local`); with it, a Celery task carrying only the key is sent and a `dlexam worker` on any host
grades it. The rows and the JSON are the same either way.
"""

from __future__ import annotations

import time
import uuid
from typing import Any

from dlexam.errors import InputError
from dlexam.queue.grading import NOOP, families

MAX_NAME = 64


def submit(family: str, filename: str, source: str, *, student: str = "", batch: str | None = None,
           seed: int | None = None, database: str | None = None) -> str:
    """Queue `source` (the file `filename`) for grading as `family`; returns its key at once."""
    from dlexam.queue.settings import settings

    config = settings()
    return submit_many(family, [(filename, source)], student=student, batch=batch, seed=seed,
                       database=database, config=config)[0]


def submit_many(family: str, files: list[tuple[str, str]], *, student: str = "", batch: str | None = None,
                seed: int | None = None, database: str | None = None, config=None) -> list[str]:
    """Queue several (filename, source) at once (a staff upload, a grade-code run); their keys in order."""
    from dlexam.queue.rows import engine
    from dlexam.queue.settings import settings
    from dlexam.store.submissions import Submission, insert_all

    config = config or settings()
    _check(family, student, batch)
    if config.broker is not None:
        from dlexam.queue.app import check_broker

        check_broker()     # before any row is written: an unreachable broker leaves nothing behind
    now = time.time()
    subs = [Submission(key=uuid.uuid4().hex, family=family, filename=filename, source=source, status="queued",
                       tries=0, student=student, batch=batch, seed=seed, queued=now, enqueued=now)
            for filename, source in files]
    db = engine(database)
    insert_all(db, subs)
    keys = [sub.key for sub in subs]
    send(keys, db, config.broker)
    return keys


def send(keys: list[str], database, broker: str | None) -> None:
    """Hand the keys to the in-process pool, or to the broker (InputError if it cannot be reached)."""
    if broker is None:
        from dlexam.queue import local

        for key in keys:
            local.enqueue(database, key)
        return
    from dlexam.queue.app import publish

    publish(keys)


def _check(family: str, student: str, batch: str | None) -> None:
    if family != NOOP and family not in families():
        raise InputError(f"{family!r} is not a programming task; code is graded for {', '.join(families())}.")
    if len(student) > MAX_NAME or (batch is not None and not 0 < len(batch) <= MAX_NAME):
        raise InputError(f"A student's name and a batch's name are at most {MAX_NAME} characters "
                         f"(a batch's at least one).")


def result(key: str, *, database: str | None = None) -> dict[str, Any] | None:
    """grade-code's object for the submission when done; its status (and error) otherwise; None if unknown."""
    from dlexam.queue.rows import engine
    from dlexam.store.submissions import get

    sub = get(engine(database), key)
    return None if sub is None else view(sub)


def view(sub) -> dict[str, Any]:
    if sub.status == "done":
        return dict(sub.result)
    if sub.status == "failed":
        return {**(sub.result or {}), "status": "failed", "error": sub.error}
    return {"status": sub.status}


def progress(batch: str, *, database: str | None = None) -> dict[str, int]:
    """{"done": n, "queued": n, "running": n, "failed": n} of the batch."""
    from dlexam.queue.rows import engine
    from dlexam.store.submissions import progress as counts

    return counts(engine(database), batch)
