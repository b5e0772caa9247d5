"""One job: claim the submission's row, grade it, write the result — the same for the in-process pool
and the queue's workers. A row someone else holds (or finished) is left alone: nothing is graded."""

from __future__ import annotations

import time

from sqlalchemy import Engine

from dlexam.queue.grading import grade_source, unreadable
from dlexam.queue.settings import Settings
from dlexam.store import submissions as rows


def process(engine: Engine, key: str, worker: str, config: Settings, pool) -> str:
    """Grade the submission `key` as `worker` (host/pid) if it is this job's to grade; returns what happened:
    "done", "failed", or "skipped" (taken, finished or unknown)."""
    now = time.time()
    stale_before = now - config.stale_seconds
    reason = (f"Its grader stopped {config.tries} times while grading it (killed, or it crashed the process); "
              f"it is not tried again and should be looked at.")
    if rows.give_up(engine, key, stale_before, config.tries, reason, now):
        return "failed"
    sub = rows.claim(engine, key, worker, now, stale_before, config.tries)
    if sub is None:
        return "skipped"
    result = grade_source(sub.family, sub.filename, sub.source, sub.seed, pool)
    return "done" if rows.finish(engine, sub, result, time.time()) else "skipped"


def time_out(engine: Engine, key: str, worker: str, config: Settings) -> None:
    """The job ran past its time limit: failed with that reason (and a 0 in the contract's shape)."""
    sub = rows.get(engine, key)
    if sub is None or sub.status != "running" or sub.worker != worker:
        return
    error = f"Grading took longer than the time limit of {config.job_seconds:g} s; it scores 0 and should be looked at."
    rows.fail(engine, sub, error, time.time(), unreadable(sub.family, sub.filename, error, sub.seed))


def broke(engine: Engine, key: str, worker: str, exc: BaseException) -> None:
    """The job raised outside the per-file catch (the database, the grader's imports): the row fails with
    that reason, in one sentence, instead of staying queued or running with none — which would hold its
    batch unfinished and show nothing to the staff. A row another grader holds or finished is left alone."""
    from dlexam.engines.sandbox_text import quote

    lines = str(exc).strip().splitlines()
    detail = quote(lines[0]).rstrip(".").replace(". ", ": ") if lines else "no message"   # one sentence
    error = (f"Grading stopped with an error ({type(exc).__name__}: {detail}); "
             f"it scores 0 and should be looked at.")
    sub = rows.get(engine, key)
    if sub is None:
        return
    if sub.status == "running" and sub.worker == worker:
        rows.fail(engine, sub, error, time.time(), unreadable(sub.family, sub.filename, error, sub.seed))
    elif sub.status == "queued":      # never claimed (e.g. the claim met a locked database): no token to hold
        rows.give_up(engine, key, 0.0, 0, error, time.time())
