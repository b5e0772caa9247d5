"""Grading while the student works on: code answers go to the sandbox the moment they are saved.

A few daemon threads take (key, job) pairs from a queue; the result (or the exception) lands in
a `concurrent.futures.Future` kept per key, so hand-in only waits for what is still running.
Daemon threads, not a ThreadPoolExecutor: quitting the exam (`q`) must not wait for a training
run to finish — the answers are in the store, and `--resume` submits them again.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from typing import Any


class BackgroundGrader:
    def __init__(self, workers: int = 1):
        self._jobs: queue.Queue = queue.Queue()
        self._futures: dict[Hashable, Future] = {}
        self._lock = threading.Lock()
        for index in range(workers):
            threading.Thread(target=self._work, name=f"exam-grader-{index}", daemon=True).start()

    def submit(self, key: Hashable, job: Callable[[], Any]) -> Future:
        """Run `job` in the background unless the same key is queued or done already."""
        with self._lock:
            future = self._futures.get(key)
            if future is None:
                future = self._futures[key] = Future()
                self._jobs.put((future, job))
            return future

    def get(self, key: Hashable) -> Future | None:
        with self._lock:
            return self._futures.get(key)

    def state(self, key: Hashable) -> str:
        """"queued", "running", "done" or "none" (never submitted)."""
        future = self.get(key)
        if future is None:
            return "none"
        if future.done():
            return "done"
        return "running" if future.running() else "queued"

    def _work(self) -> None:
        while True:
            future, job = self._jobs.get()
            if not future.set_running_or_notify_cancel():
                continue
            try:
                future.set_result(job())
            except BaseException as exc:  # handed to whoever waits for it
                future.set_exception(exc)
