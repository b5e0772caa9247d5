"""Code submissions in the store: queued, claimed by one grader, finished or failed — each step one
conditional UPDATE, so a job delivered twice (a redelivery, a re-sent message) never grades or writes twice.

A row moves queued -> running -> done | failed. `claim` takes a row that is queued, or running on a
grader that is gone (its `started` older than `stale_before`: past the hard time limit, so its worker
died); `tries` counts claims, and `worker` + `tries` together are the claim's token: `finish` and `fail`
write only while the row still carries that token, so a grader that lost its row (it was re-claimed
after looking dead) writes nothing. Functions take an Engine and run one transaction each.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, func, insert, or_, select, update

from dlexam.store.database import write_options
from dlexam.store.models import submissions as table

STATUSES = ("queued", "running", "done", "failed")


@dataclass(frozen=True)
class Submission:
    key: str
    family: str
    filename: str
    source: str
    status: str
    tries: int
    student: str = ""
    batch: str | None = None
    seed: int | None = None
    result: dict | None = None
    error: str | None = None
    worker: str | None = None
    queued: float = 0.0
    started: float | None = None
    finished: float | None = None
    enqueued: float | None = None


_FIELDS = [c for c in Submission.__dataclass_fields__]


def _row(row: Any) -> Submission:
    return Submission(**{name: getattr(row, name) for name in _FIELDS})


def _write(engine: Engine):
    return engine.connect().execution_options(**write_options(engine))


def insert_all(engine: Engine, subs: list[Submission]) -> None:
    """New rows (their keys must be new), in one transaction: all or none."""
    if not subs:
        return
    with _write(engine) as conn, conn.begin():
        conn.execute(insert(table), [{name: getattr(sub, name) for name in _FIELDS} for sub in subs])


def get(engine: Engine, key: str) -> Submission | None:
    with engine.connect() as conn:
        row = conn.execute(select(table).where(table.c.key == key)).first()
    return _row(row) if row is not None else None


def many(engine: Engine, keys: list[str]) -> dict[str, Submission]:
    """The rows of these keys (in chunks, for a long batch)."""
    out: dict[str, Submission] = {}
    with engine.connect() as conn:
        for i in range(0, len(keys), 500):
            rows = conn.execute(select(table).where(table.c.key.in_(keys[i:i + 500])))
            out.update((r.key, _row(r)) for r in rows)
    return out


def _claimable(stale_before: float):
    return or_(table.c.status == "queued", and_(table.c.status == "running", table.c.started < stale_before))


def give_up(engine: Engine, key: str, stale_before: float, max_tries: int, error: str, at: float) -> bool:
    """Mark failed a claimable row that has used up its tries (its graders kept dying); True if it was."""
    stmt = (update(table).where(table.c.key == key, _claimable(stale_before), table.c.tries >= max_tries)
            .values(status="failed", error=error, finished=at))
    with _write(engine) as conn, conn.begin():
        return conn.execute(stmt).rowcount == 1


def claim(engine: Engine, key: str, worker: str, at: float, stale_before: float,
          max_tries: int) -> Submission | None:
    """Take the row for `worker` (running, tries + 1) if it is claimable; None if someone has it or had it."""
    stmt = (update(table).where(table.c.key == key, _claimable(stale_before), table.c.tries < max_tries)
            .values(status="running", worker=worker, started=at, tries=table.c.tries + 1))
    with _write(engine) as conn, conn.begin():
        if conn.execute(stmt).rowcount != 1:
            return None
        return _row(conn.execute(select(table).where(table.c.key == key)).one())


def _mine(sub: Submission):
    return and_(table.c.key == sub.key, table.c.status == "running", table.c.worker == sub.worker,
                table.c.tries == sub.tries)


def finish(engine: Engine, sub: Submission, result: dict, at: float) -> bool:
    """Write the result of the claim `sub`; False (nothing written) if the row is no longer this claim's."""
    stmt = update(table).where(_mine(sub)).values(status="done", result=result, finished=at, error=None)
    with _write(engine) as conn, conn.begin():
        return conn.execute(stmt).rowcount == 1


def fail(engine: Engine, sub: Submission, error: str, at: float, result: dict | None = None) -> bool:
    """Mark the claim `sub` failed with a reason (one sentence); False if the row is no longer its."""
    stmt = update(table).where(_mine(sub)).values(status="failed", error=error, result=result, finished=at)
    with _write(engine) as conn, conn.begin():
        return conn.execute(stmt).rowcount == 1


def release(engine: Engine, key: str, worker: str) -> bool:
    """Back to queued a row whose grader (`worker`) died mid-job, so its redelivery may claim it at once."""
    stmt = (update(table).where(table.c.key == key, table.c.status == "running", table.c.worker == worker)
            .values(status="queued", started=None))
    with _write(engine) as conn, conn.begin():
        return conn.execute(stmt).rowcount == 1


def to_resend(engine: Engine, at: float, queued_before: float, stale_before: float) -> list[str]:
    """Keys to send to the broker again: queued and last sent before `queued_before`, or running on a grader
    that is gone. Their `enqueued` is set to `at` in the same statement, so of several workers sweeping at
    once only one re-sends a row."""
    lost = or_(and_(table.c.status == "queued", or_(table.c.enqueued.is_(None), table.c.enqueued < queued_before)),
               and_(table.c.status == "running", table.c.started < stale_before,
                    or_(table.c.enqueued.is_(None), table.c.enqueued < stale_before)))
    stmt = update(table).where(lost).values(enqueued=at).returning(table.c.key)
    with _write(engine) as conn, conn.begin():
        return [row.key for row in conn.execute(stmt)]


def progress(engine: Engine, batch: str) -> dict[str, int]:
    """{"done": n, "queued": n, "running": n, "failed": n} for the batch (zeros for an unknown one)."""
    stmt = select(table.c.status, func.count()).where(table.c.batch == batch).group_by(table.c.status)
    counts = dict.fromkeys(("done", "queued", "running", "failed"), 0)
    with engine.connect() as conn:
        for status, n in conn.execute(stmt):
            counts[status] = counts.get(status, 0) + n
    return counts


def batch_keys(engine: Engine, batch: str) -> list[str]:
    """The batch's keys in the order they were queued."""
    stmt = select(table.c.key).where(table.c.batch == batch).order_by(table.c.queued, table.c.id)
    with engine.connect() as conn:
        return [row.key for row in conn.execute(stmt)]


def failures(engine: Engine, batch: str, limit: int = 200) -> list[dict[str, Any]]:
    """The batch's failed submissions: {"file", "student", "error", "key"}, oldest first."""
    stmt = (select(table.c.key, table.c.filename, table.c.student, table.c.error)
            .where(table.c.batch == batch, table.c.status == "failed").order_by(table.c.queued, table.c.id)
            .limit(limit))
    with engine.connect() as conn:
        return [{"file": r.filename, "student": r.student, "error": r.error, "key": r.key} for r in conn.execute(stmt)]
