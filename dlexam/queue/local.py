"""Grading in the calling process when no broker is configured: a bounded pool of threads, each running
the sandboxed grader (which forks its own isolated processes), so a web page never waits on a grade.

The pool's size is the host's cores capped by memory (`jobs_for_memory`); its sandboxes are started
on first use and kept warm. Rows still queued when the process ends stay queued: `dlexam worker` (or
the next process that submits) picks them up — see `resend_orphans`.
"""

from __future__ import annotations

import atexit
import os
import socket
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from sqlalchemy import Engine

from dlexam.queue.grading import jobs_for_memory
from dlexam.queue.settings import Settings, settings

_lock = threading.Lock()
_executor: ThreadPoolExecutor | None = None
_pool = None


def size() -> int:
    return jobs_for_memory(os.cpu_count() or 2)


def _sandboxes():
    global _pool
    with _lock:
        if _pool is None:
            from dlexam.engines.sandbox import SandboxPool

            _pool = SandboxPool(size=size())
        return _pool


def _start() -> ThreadPoolExecutor:
    global _executor
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=size(), thread_name_prefix="dlexam-grade")
            atexit.register(shutdown)
        return _executor


_resumed: set[int] = set()
ORPHAN_SECONDS = 60.0   # a row queued this long ago by another process may be an orphan of one that ended


def enqueue(database: Engine, key: str) -> Future:
    """Grade `key` (a row of `database`) on the pool; the future's value is what `jobs.process` returned.
    The first time in this process, rows that a process which ended left queued or running are taken too
    (a duplicate of a live process's job is harmless: the claim lets one of them grade)."""
    if id(database) not in _resumed:
        _resumed.add(id(database))
        for orphan in resend_orphans(database):
            _start().submit(_run, database, orphan, settings())
    return _start().submit(_run, database, key, settings())


def resend_orphans(database: Engine) -> list[str]:
    import time

    from dlexam.store.submissions import to_resend

    now = time.time()
    return to_resend(database, now, now - ORPHAN_SECONDS, now - settings().stale_seconds)


def _run(database: Engine, key: str, config: Settings) -> str:
    from dlexam.queue.jobs import process

    worker = f"{socket.gethostname()}/{os.getpid()}/{threading.get_ident()}"
    try:
        return process(database, key, worker, config, LazyPool(_sandboxes))
    except Exception as exc:  # noqa: BLE001 - nobody reads this future: the row must say what happened
        return _broke(database, key, worker, exc)


def _broke(database: Engine, key: str, worker: str, exc: Exception) -> str:
    import logging

    from dlexam.queue.jobs import broke

    log = logging.getLogger("dlexam.queue")
    log.warning("grading %s stopped with an error", key, exc_info=exc)
    try:
        broke(database, key, worker, exc)
    except Exception as again:  # noqa: BLE001 - the database is down: the row stays; a later process resends it
        log.warning("could not mark %s failed: %s", key, again)
    return "failed"


class LazyPool:
    """A sandbox pool started only when a job first runs code (a no-op or unreadable file needs none)."""

    def __init__(self, make):
        self._make = make

    def run(self, *args, **kwargs):
        return self._make().run(*args, **kwargs)


def shutdown() -> None:
    """Finish the jobs started, drop the rest (they stay queued), close the sandboxes."""
    global _executor, _pool
    with _lock:
        executor, pool, _executor, _pool = _executor, _pool, None, None
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)
    if pool is not None:
        pool.close()
