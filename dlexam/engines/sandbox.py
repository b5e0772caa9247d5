"""Running untrusted student Python (PyTorch answers) in isolation, with a warm pool.

    pool = SandboxPool(size=2)
    job = Job(function="adversarial", args=("x", "t", "model"),
              tensors={"x": x, "t": t}, model=ModelSpec(layers, model.state_dict()))
    result = pool.run(source, job, timeout=10.0)
    if result.status == "ok":
        z = result.returned                  # judge it OUTSIDE, with the grader's own model

One `Sandbox` (`sandbox_process`) is one process that has already imported torch and waits
for one job; it serves exactly one submission and is then killed (its private /tmp goes
with it). The pool keeps `size` of them warm and starts a fresh one after each use. How the
process is walled in (mounts, uid, namespaces, limits) is described in `sandbox_isolation`;
the child's side of the protocol in `sandbox_child`.

Protocol: the grader writes one frame (8-byte length + torch.save of plain data: the
source, the function's name, named tensors, the model's layer list and state_dict) to the
child's stdin; the child answers with one frame on a separate pipe. The answer is loaded
with torch.load(weights_only=True) and every field is type-checked (`sandbox_protocol`),
so a hostile child can at worst send wrong numbers — which the grader's own checks judge
as such.
"""

from __future__ import annotations

import threading
from collections import deque
from concurrent.futures import ThreadPoolExecutor

from dlexam.engines.sandbox_isolation import Isolation, Limits, isolation_kind
from dlexam.engines.sandbox_process import Sandbox, SandboxError
from dlexam.engines.sandbox_protocol import (
    STATUSES,
    Job,
    ModelSpec,
    Observations,
    RunResult,
    Status,
    build_model,
)

# The front door: the pool is here, one process in `sandbox_process`, the frames' contents in
# `sandbox_protocol`; their names are re-exported so callers import everything from here.
__all__ = ["STATUSES", "Isolation", "Job", "Limits", "ModelSpec", "Observations", "RunResult", "Sandbox",
           "SandboxError", "SandboxPool", "Status", "build_model", "isolation_kind", "run_fresh",
           "shared_pool"]


def run_fresh(source: str, job: Job, timeout: float = 10.0, limits: Limits = Limits()) -> RunResult:
    """The baseline: a new sandbox for this one submission, start-up included."""
    return Sandbox(limits).run(source, job, timeout)


class SandboxPool:
    """Keeps `size` sandboxes warm; each `run` uses one and starts a replacement.

    Thread-safe: several threads may call `run` at once (grading files in parallel).
    """

    def __init__(self, size: int = 2, limits: Limits = Limits()):
        self.size, self.limits = size, limits
        self._idle: deque[Sandbox] = deque()
        self._lock = threading.Lock()
        self._closed = False
        # bwrap's --die-with-parent follows the *thread* that started it: a sandbox started
        # by a short-lived worker thread would be killed when that thread ends. So every
        # sandbox is started by this one thread, which lives as long as the pool.
        self._spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sandbox-spawner")
        for _ in range(size):
            self._idle.append(self._spawn())

    def _spawn(self) -> Sandbox:
        return self._spawner.submit(Sandbox, self.limits).result()

    def _take(self) -> Sandbox:
        with self._lock:
            if self._closed:
                raise SandboxError("the sandbox pool is closed")
            return self._idle.popleft() if self._idle else self._spawn()

    def _refill(self) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.size:
                self._idle.append(self._spawn())

    def run(self, source: str, job: Job, timeout: float = 10.0) -> RunResult:
        """Grade-ready result of one submission; a sandbox that broke before the job is replaced."""
        for attempt in range(2):
            sandbox = self._take()
            try:
                sandbox.wait_ready()
            except SandboxError:
                self._refill()
                if attempt:
                    raise
                continue
            try:
                return sandbox.run(source, job, timeout)
            finally:
                sandbox.close()
                self._refill()
        raise SandboxError("unreachable")

    def wait_ready(self) -> None:
        """Block until every idle sandbox has imported torch (for benchmarks and tests)."""
        for sandbox in list(self._idle):
            sandbox.wait_ready()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = list(self._idle), deque()
        for sandbox in idle:
            sandbox.close()
        self._spawner.shutdown(wait=True)

    def __enter__(self) -> "SandboxPool":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


_shared: SandboxPool | None = None
_shared_lock = threading.Lock()


def shared_pool() -> SandboxPool:
    """One warm pool for the whole process (task families grade through it), closed at exit."""
    global _shared
    with _shared_lock:
        if _shared is None:
            import atexit

            _shared = SandboxPool(size=2)
            atexit.register(_shared.close)
        return _shared
