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


def import_graders() -> None:
    """Everything grading imports (torch, the families' checks), by grading a file that does not parse for
    every task: seconds, so before the first job — an import cut by a job's time limit would leave torch
    half-imported in this process."""
    from dlexam.queue.grading import families, grade_source

    for task in families():
        grade_source(task, "warm-up.py", "(", None, None)


def fresh_child(**_) -> None:
    """Celery's worker_process_init: forget the parent's connections, import the graders (the process takes
    jobs only after this), start a sandbox warming in the background. DLEXAM_WORKER_WARM=imports: no
    sandbox before the first job; =0: neither (tests of the queue alone, with no-op jobs)."""
    from dlexam.queue.rows import forget

    forget()
    warm = os.environ.get("DLEXAM_WORKER_WARM", "1")
    if warm != "0":
        import_graders()
    if warm not in ("0", "imports"):
        threading.Thread(target=_warm_quietly, daemon=True).start()
    import logging

    logging.getLogger("dlexam.queue").info("pool process %d ready to grade", os.getpid())


def _warm_quietly() -> None:
    try:
        sandboxes().wait_ready()
    except Exception:  # noqa: BLE001 - the first job starts its sandbox itself and reports what fails
        pass
