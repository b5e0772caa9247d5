"""One sandbox: a walled-in process that has imported torch and serves one submission.

`Sandbox(limits)` starts the process at once (the command line and the walls are
`sandbox_isolation`'s); `run` sends one job frame on stdin, waits for one answer frame on a
separate pipe, then kills the process and everything its uid still runs. What the missing
answer means (timeout, signal, exit) becomes a `RunResult` here; a present one is read by
`sandbox_protocol.decode_result`.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from collections import deque

from dlexam.engines import sandbox_child as child
from dlexam.engines.sandbox_isolation import (
    Isolation,
    Limits,
    environment,
    isolation_kind,
    random_uid,
    sandbox_command,
)
from dlexam.engines.sandbox_protocol import Job, RunResult, Status, cpu_seconds, decode_result, encode_job


class SandboxError(RuntimeError):
    """The sandbox machinery itself failed (not the student's code)."""


class _Capped:
    """Reads a stream to its end, keeping the first `limit` bytes."""

    def __init__(self, stream, limit: int):
        self.data, self.total, self.limit = bytearray(), 0, limit
        self.thread = threading.Thread(target=self._drain, args=(stream,), daemon=True)
        self.thread.start()

    def _drain(self, stream) -> None:
        with stream:
            while chunk := stream.read1(1 << 16):
                self.total += len(chunk)
                if len(self.data) < self.limit:
                    self.data += chunk[: self.limit - len(self.data)]

    def text(self) -> str:
        self.thread.join(timeout=5)
        text = self.data.decode("utf-8", "replace")
        if self.total > len(self.data):
            text += f"\n[... output truncated: {self.total} bytes in all, {len(self.data)} kept]"
        return text


class Sandbox:
    """One isolated process, started (and importing torch) on construction; serves one job."""

    def __init__(self, limits: Limits = Limits(), kind: Isolation | str | None = None):
        self.limits = limits
        self.kind = kind or isolation_kind()
        self.uid = random_uid()
        self.used = self._closed = False
        self._home = None  # fallback mode: a host temp dir as the child's cwd and HOME
        if self.kind != Isolation.BWRAP:
            self._home = tempfile.mkdtemp(prefix="dlexam-sandbox-")
            if os.geteuid() == 0:
                os.chown(self._home, self.uid, self.uid)
        read_fd, write_fd = os.pipe()
        try:
            self.process = subprocess.Popen(
                sandbox_command(write_fd, limits, self.uid, self.kind), stdin=subprocess.PIPE,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=(write_fd,),
                start_new_session=True, cwd=self._home,
                env=environment(limits, self._home) if self._home else None)
        except OSError as exc:
            os.close(read_fd)
            raise SandboxError(f"cannot start the sandbox: {exc}") from exc
        finally:
            os.close(write_fd)
        self._result_fd = read_fd
        self._stdout = _Capped(self.process.stdout, limits.output_bytes)
        self._stderr = _Capped(self.process.stderr, limits.output_bytes)
        self._frames: deque = deque()
        self._frame_ready = threading.Condition()
        threading.Thread(target=self._read_frames, daemon=True).start()

    # -- the result pipe -------------------------------------------------------------
    def _read_frames(self) -> None:
        try:
            for limit in (len(child.READY), self.limits.result_bytes):
                self._push(child.read_frame(self._result_fd, limit))
        except (EOFError, ValueError, OSError) as exc:
            self._push(exc)
        finally:
            os.close(self._result_fd)

    def _push(self, item) -> None:
        with self._frame_ready:
            self._frames.append(item)
            self._frame_ready.notify_all()

    def _next_frame(self, timeout: float):
        """The next frame (bytes), an exception saying why none came, or None on timeout."""
        with self._frame_ready:
            self._frame_ready.wait_for(lambda: self._frames, timeout=timeout)
            return self._frames.popleft() if self._frames else None

    # -- life cycle ------------------------------------------------------------------
    def wait_ready(self, timeout: float | None = None) -> None:
        """Block until torch is imported inside; raise SandboxError if that fails."""
        if getattr(self, "_ready", False):
            return
        frame = self._next_frame(self.limits.startup_timeout if timeout is None else timeout)
        if frame != child.READY:
            self.close()
            why = "timed out" if frame is None else f"failed ({frame!r})"
            raise SandboxError(f"the sandbox did not start: it {why}; stderr: {self._stderr.text()[-2000:]}")
        self._ready = True

    def close(self) -> None:
        """Kill the sandbox and everything in it (bwrap's pid namespace dies with it)."""
        if self._closed:
            return
        self._closed = True
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        _kill_uid(self.uid)
        if self._home:
            shutil.rmtree(self._home, ignore_errors=True)
        if self.process.stdin:
            try:
                self.process.stdin.close()
            except OSError:
                pass

    def run(self, source: str, job: Job, timeout: float = 10.0) -> RunResult:
        """Run `job` on the student's `source`; never raises for anything the student does."""
        if self.used:
            raise SandboxError("a sandbox serves one submission only")
        unknown = [name for name in job.args if name != "model" and name not in job.tensors]
        if unknown or ("model" in job.args and job.model is None):
            raise ValueError(f"job arguments without a value: {unknown or ['model']}")
        self.used = True
        self.wait_ready()
        started = time.perf_counter()
        try:
            self._send(source, job, timeout)
        except (BrokenPipeError, OSError):
            pass  # the child died at once; the missing frame below tells why
        frame = self._next_frame(timeout)
        timed_out = frame is None
        if isinstance(frame, Exception):  # the pipe closed: let the process finish dying first
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        self.close()
        seconds = time.perf_counter() - started
        result = self._judge_frame(frame, timed_out, timeout)
        result.stdout, result.stderr, result.seconds = self._stdout.text(), self._stderr.text(), seconds
        return result

    def _send(self, source: str, job: Job, timeout: float) -> None:
        self.process.stdin.write(encode_job(source, job, self.limits, timeout))
        self.process.stdin.flush()

    # -- reading the answer ----------------------------------------------------------
    def _judge_frame(self, frame, timed_out: bool, timeout: float) -> RunResult:
        if timed_out:
            return RunResult(Status.TIMEOUT, f"the submission did not finish within {timeout:g} s")
        if isinstance(frame, bytes):
            return decode_result(frame)
        if isinstance(frame, ValueError):
            return RunResult(Status.NO_RESULT, f"the submission's answer was unreadable: {frame}")
        return _without_answer(self.process.returncode, timeout)


def _without_answer(code: int | None, timeout: float) -> RunResult:
    """Why the process ended without an answer, read from its exit code."""
    # death by signal N: -N from Popen itself, 128 + N where a wrapper (bwrap, unshare) passes it on
    signal_number = code - 128 if code is not None and code > 128 else (-code if code and code < 0 else 0)
    if signal_number == signal.SIGXCPU:
        return RunResult(Status.TIMEOUT, f"the submission used more than its {cpu_seconds(timeout)} s of CPU time")
    if signal_number:
        name = signal.Signals(signal_number).name if signal_number in signal.valid_signals() else str(signal_number)
        return RunResult(Status.KILLED, f"the submission's process was killed by {name} before giving a result")
    return RunResult(Status.NO_RESULT, f"the submission's process exited (status {code}) without giving a result")


def _processes_of(uid: int) -> list[int]:
    """Live (non-zombie) processes whose real uid is `uid`."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as f:
                fields = dict(line.split(":", 1) for line in f if ":" in line)
        except OSError:
            continue
        if fields.get("Uid", "").split()[:1] == [str(uid)] and not fields.get("State", "").strip().startswith("Z"):
            pids.append(int(entry))
    return pids


def _kill_uid(uid: int, seconds: float = 5.0) -> None:
    """Make sure nothing of the sandbox survives it: its uid is unique, so kill all of it."""
    deadline = time.monotonic() + seconds
    while (pids := _processes_of(uid)) and time.monotonic() < deadline:
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        time.sleep(0.01)
