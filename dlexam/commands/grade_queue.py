"""`grade-code` through the queue (DLEXAM_BROKER_URL set): the files are read here, queued as one batch,
graded by `dlexam worker`s on any host, and printed — the same objects as in-process — once all are
graded (waiting on their rows in the store's database). `--progress BATCH` shows how far a batch is.

A file that cannot be read is not queued: it scores 0 with its reason here, as in-process. A row that
failed (its graders kept dying, or it ran past the time limit) scores 0 with the row's reason.
Interrupting the wait leaves the batch queued; the workers grade it and `--progress` shows it.
"""

from __future__ import annotations

import sys
import time
import uuid
from typing import Any

POLL_SECONDS = 0.5
IDLE_WARNING = 30.0   # seconds without any file started: say that perhaps no worker is running


def grade_queued(task: str, files: list[str], seed: int | None, batch: str | None) -> list[dict[str, Any]]:
    """The contract's object per file, in order, graded by the queue's workers."""
    from dlexam.grading.code import read_submission
    from dlexam.queue.grading import unreadable
    from dlexam.queue.submissions import submit_many

    batch = batch or f"grade-code-{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    texts = [read_submission(path) for path in files]
    readable = [(path, source) for path, (source, _) in zip(files, texts) if source is not None]
    keys = iter(submit_many(task, readable, batch=batch, seed=seed))
    slots: list[Any] = [next(keys) if source is not None else unreadable(task, path, problem, seed)
                        for path, (source, problem) in zip(files, texts)]
    print(f"Queued {len(readable)} files as batch {batch} (`dlexam grade-code --progress {batch}`).",
          file=sys.stderr)
    graded = _wait([slot for slot in slots if isinstance(slot, str)], task, seed)
    return [graded[slot] if isinstance(slot, str) else slot for slot in slots]


def _wait(keys: list[str], task: str, seed: int | None) -> dict[str, dict]:
    from rich.progress import Progress

    from dlexam.queue.rows import engine
    from dlexam.store.submissions import many

    db, out, started, warned = engine(), {}, time.monotonic(), False
    with Progress(transient=True, console=_stderr()) as bar:
        shown = bar.add_task(f"Graded by the workers: {len(keys)} files", total=len(keys))
        while len(out) < len(keys):
            rows = many(db, [k for k in keys if k not in out])
            for key, sub in rows.items():
                if sub.status in ("done", "failed"):
                    out[key] = sub.result if sub.status == "done" else _failed(task, sub, seed)
            bar.update(shown, completed=len(out))
            if not warned and time.monotonic() - started > IDLE_WARNING and \
                    all(sub.status == "queued" and sub.tries == 0 for sub in rows.values()):
                warned = True
                bar.console.print("No worker has started a file for 30 s: is `dlexam worker` running with the same "
                                  "DLEXAM_BROKER_URL and DLEXAM_DATABASE_URL?")
            if len(out) < len(keys):
                time.sleep(POLL_SECONDS)
    return out


def _failed(task: str, sub, seed: int | None) -> dict:
    from dlexam.queue.grading import unreadable

    return sub.result or unreadable(task, sub.filename, sub.error or "It could not be graded.", seed)


def _stderr():
    from rich.console import Console

    return Console(stderr=True)


def progress(batch: str) -> dict[str, Any]:
    """{"batch", "done", "queued", "running", "failed", "total", "failures": [{"file", "student", "error"}]}."""
    from dlexam.queue.rows import engine
    from dlexam.queue.submissions import progress as counts
    from dlexam.store.submissions import failures

    out: dict[str, Any] = {"batch": batch, **counts(batch)}
    out["total"] = sum(out[s] for s in ("done", "queued", "running", "failed"))
    out["failures"] = failures(engine(), batch)
    return out


def show_progress(result: dict) -> str:
    from dlexam.engines.sandbox_text import clean_line as line

    if not result["total"]:
        return f"There is no batch {line(result['batch'], 80)} in the store (DLEXAM_DATABASE_URL)."
    head = (f"Batch {line(result['batch'], 80)}: {result['done']} of {result['total']} graded, "
            f"{result['running']} running, {result['queued']} queued, {result['failed']} failed")
    rows = [f"  ✗ {line(f['file'], 200)}" + (f" ({line(f['student'], 64)})" if f["student"] else "")
            + f": {line(f['error'] or '', 300)}" for f in result["failures"]]
    return "\n".join([head, *rows])
