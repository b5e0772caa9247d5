"""A worker's pool process: its own warm sandbox (it grades one job at a time) and no database
connection inherited from the parent it was forked from."""

from __future__ import annotations

import os
import threading

_pool = None
_lock = threading.Lock()


def sandboxes():
    global _pool
    with _lock:
        if _pool is None:
            from dlexam.engines.sandbox import SandboxPool

            _pool = SandboxPool(size=1)
        return _pool


def child_pool():
    """The pool a job grades in, started on first use."""
    from dlexam.queue.local import LazyPool

    return LazyPool(sandboxes)


def warm() -> None:
    """The graders' imports (torch) and a ready sandbox, before the first job arrives."""
    import dlexam.tasks.adversarial.family  # noqa: F401
    import dlexam.tasks.autoencoder.family  # noqa: F401

    sandboxes().wait_ready()


def fresh_child(**_) -> None:
    """Celery's worker_process_init: forget the parent's connections, warm a sandbox in the background."""
    from dlexam.queue.rows import forget

    forget()
    if os.environ.get("DLEXAM_WORKER_WARM", "1") != "0":
        threading.Thread(target=_warm_quietly, daemon=True).start()


def _warm_quietly() -> None:
    try:
        warm()
    except Exception:  # noqa: BLE001 - the first job starts its sandbox itself and reports what fails
        pass
