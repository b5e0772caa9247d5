"""`dlexam worker`: a Celery worker (prefork: one pool process per job slot, each with a warm sandbox)
that grades from DLEXAM_BROKER_URL and re-sends lost rows (`sweep`) at start and periodically."""

from __future__ import annotations

import os
import socket

from celery import signals

from dlexam.queue.grading import jobs_for_memory


def default_concurrency() -> int:
    """The host's cores, capped so every job's sandbox fits in the memory available."""
    return jobs_for_memory(os.cpu_count() or 2)


def _on_ready(**_) -> None:
    from dlexam.queue.sweep import start

    start()


def run(concurrency: int, hostname: str | None = None, loglevel: str = "INFO") -> None:
    """Run the worker until it is stopped (SIGTERM: warm shutdown, jobs finish)."""
    from dlexam.queue.app import QUEUE, app
    from dlexam.queue.child import fresh_child

    signals.worker_process_init.connect(fresh_child, weak=False)
    signals.worker_ready.connect(_on_ready, weak=False)
    name = hostname or f"dlexam@{socket.gethostname()}"
    app().worker_main(["worker", "--pool", "prefork", "--concurrency", str(concurrency), "--hostname", name,
                       "--queues", QUEUE, "--loglevel", loglevel, "--without-gossip", "--without-mingle",
                       "--without-heartbeat"])
