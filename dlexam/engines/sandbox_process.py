"""One sandbox: a walled-in process that has imported torch and serves one submission.

`Sandbox(limits)` starts the process at once, inside its own cgroup (the command line and
the walls are `sandbox_isolation`'s, the group `sandbox_cgroup`'s); `run` sends one job frame
on stdin, waits for one answer frame on a separate pipe, then kills the process and
everything its group and uid still run. The time limit is the sandbox's own CPU time where a
cgroup measures it (a neighbour's load cannot use it up), and wall time up to the limit + 2 s
for code that sleeps, not counting the time its processes waited for a CPU (the host's load);
wall time alone otherwise. A third pipe carries the runner's reports of
forbidden attempts (`sandbox_guard`), read live so they cannot be taken back. What a missing
answer means (timeout, memory, signal, exit) becomes a `RunResult` here; a present one is
read by `sandbox_protocol.decode_result`.
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
from dlexam.engines.sandbox_cgroup import SandboxCgroup, kill_all
from dlexam.engines.sandbox_isolation import (
    RUNNER_FILES,
    Isolation,
    Limits,
    bwrap_command,
    environment,
    fallback_command,
    isolation_kind,
    protection_notes,
    random_uid,
    site_dirs,
)
from dlexam.engines.sandbox_protocol import Job, RunResult, Status, cpu_seconds, decode_result, encode_job
from dlexam.engines.sandbox_text import clean_line

WALL_FACTOR, WALL_SLACK = 1.0, 2.0   # with a cgroup: the limit is CPU time; wall time up to the limit + 2 s
MAX_REPORTS = 40
BLOCKED_GRACE = 0.25   # seconds a run goes on after its first blocked attempt (it scores 0 already)


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
        self.notes = protection_notes(self.kind)
        self.cgroup = SandboxCgroup.create(f"sb-{self.uid}", limits.memory_bytes, limits.processes, limits.cpus)
        self._home = self._make_home() if self.kind != Isolation.BWRAP else None
        self._token = os.urandom(16).hex()
        result_r, result_w = os.pipe()
        report_r, report_w = os.pipe()
        keep = [result_w, report_w]
        try:
            argv = self._command((result_w, report_w), keep)
            self.process = subprocess.Popen(
                argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, pass_fds=tuple(keep),
                start_new_session=True, cwd=self._home,
                env=environment(limits, self._home) if self._home else None)
        except OSError as exc:
            for fd in (result_r, report_r):
                os.close(fd)
            self._release()
            raise SandboxError(f"cannot start the sandbox: {exc}") from exc
        finally:
            for fd in keep:
                os.close(fd)
        self._result_fd = result_r
        self._stdout = _Capped(self.process.stdout, limits.output_bytes)
        self._stderr = _Capped(self.process.stderr, limits.output_bytes)
        self._reports = _Reports(report_r)
        self._frames: deque = deque()
        self._frame_ready = threading.Condition()
        threading.Thread(target=self._read_frames, daemon=True).start()

    def _make_home(self) -> str:
        """Fallback mode: a host temp dir as cwd and HOME, owned by the uid, with the runner's files."""
        home = tempfile.mkdtemp(prefix="dlexam-sandbox-")
        for file in RUNNER_FILES:
            shutil.copyfile(file, os.path.join(home, file.name))
            os.chmod(os.path.join(home, file.name), 0o644)
        if os.geteuid() == 0:
            os.chown(home, self.uid, self.uid)
        return home

    def _command(self, fds: tuple[int, int], keep: list[int]) -> list[str]:
        if self.kind == Isolation.BWRAP:
            argv = bwrap_command(fds, self.limits, self.uid)
        else:  # the site-packages through descriptors: readable even in a private checkout
            site_fds = [os.open(d, os.O_RDONLY | os.O_DIRECTORY) for d in site_dirs()]
            keep.extend(site_fds)
            argv = fallback_command(fds, self.limits, self.uid, self._home, site_fds)
        return self.cgroup.enter_command(argv) if self.cgroup else argv

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
            self._frame_ready.wait_for(lambda: self._frames, timeout=max(0.0, timeout))
            return self._frames.popleft() if self._frames else None

    def _await_answer(self, timeout: float):
        """(frame or exception or None, why it ended without one: 'cpu' / 'wall' when the time ran
        out, 'memory' / 'processes' / 'blocked' when the run was stopped early, see `_stopped`)."""
        group = self.cgroup
        cpu_start, wait_start = (group.cpu_seconds(), group.waiting_seconds()) if group else (0.0, 0.0)
        wall = timeout * WALL_FACTOR + WALL_SLACK if group else timeout
        deadline = time.monotonic() + wall
        hard = deadline + wall  # waiting for a CPU extends the wall limit, at most to twice its length
        while True:
            left = deadline - time.monotonic()
            frame = self._next_frame(min(0.05, max(left, 0.0)))
            if frame is not None:
                return frame, None
            if stop := self._stopped():
                return None, stop
            if group and group.cpu_seconds() - cpu_start > timeout:
                return None, "cpu"
            if left <= 0:
                waited = group.waiting_seconds() - wait_start if group else 0.0
                if waited <= 0.5 or time.monotonic() >= hard:
                    return None, "wall"
                deadline += waited
                wait_start += waited

    def _stopped(self) -> str | None:
        """Why the run need not go on, its score being 0 already: the sandbox hit its memory or
        process limit (the kernel killed one of its processes, a fork or thread failed), or it made
        a blocked attempt BLOCKED_GRACE s ago (attempts made right after it are named too)."""
        if self.cgroup and self.cgroup.oom_killed():
            return "memory"
        if self.cgroup and self.cgroup.process_limit_hit():
            return "processes"
        first = self._reports.first_at
        if first is not None and time.monotonic() - first > BLOCKED_GRACE:
            return "blocked"
        return None

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
        """Kill the sandbox and everything in it (its cgroup, its pid namespace, its uid)."""
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
        self._release()
        if self.process.stdin:
            try:
                self.process.stdin.close()
            except OSError:
                pass

    def _release(self) -> None:
        if self.cgroup:
            self.cgroup.close()
        _kill_uid(self.uid)
        if self._home:
            shutil.rmtree(self._home, ignore_errors=True)

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
        cpu_start = self.cgroup.cpu_seconds() if self.cgroup else None
        try:
            self._send(source, job, timeout)
        except (BrokenPipeError, OSError):
            pass  # the child died at once; the missing frame below tells why
        frame, out_of_time = self._await_answer(timeout)
        if isinstance(frame, Exception):  # the pipe closed: let the process finish dying first
            try:
                self.process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
        oom = bool(self.cgroup and self.cgroup.oom_killed())
        used = self.cgroup.cpu_seconds() - cpu_start if self.cgroup else None
        self.close()
        result = self._judge_frame(frame, out_of_time, timeout, oom)
        result.stdout, result.stderr = self._stdout.text(), self._stderr.text()
        result.seconds, result.cpu_seconds, result.notes = time.perf_counter() - started, used, list(self.notes)
        result.blocked = self._reports.lines(self._token, answered=isinstance(frame, bytes))
        return result

    def _send(self, source: str, job: Job, timeout: float) -> None:
        self.process.stdin.write(encode_job(source, job, self.limits, timeout, self._token))
        self.process.stdin.flush()

    # -- reading the answer ----------------------------------------------------------
    def _judge_frame(self, frame, out_of_time: str | None, timeout: float, oom: bool) -> RunResult:
        if isinstance(frame, bytes):
            return decode_result(frame)
        if oom:
            return RunResult(Status.MEMORY, f"the sandbox went over its memory limit of {self.limits.memory_bytes >> 20} MiB "
                                            "(its processes, /tmp and memory files count together)")
        if out_of_time == "processes":
            return RunResult(Status.KILLED, f"the sandbox hit its limit of {self.limits.processes} processes and "
                                            "threads; the run was stopped there")
        if out_of_time == "blocked":
            return RunResult(Status.BLOCKED, f"the run was stopped {BLOCKED_GRACE:g} s after its first blocked attempt")
        if out_of_time == "cpu":
            return RunResult(Status.TIMEOUT, f"the submission did not finish within {timeout:g} s of CPU time")
        if out_of_time:
            wall = timeout * WALL_FACTOR + WALL_SLACK if self.cgroup else timeout
            return RunResult(Status.TIMEOUT, f"the submission did not finish within {wall:g} s")
        if isinstance(frame, ValueError):
            return RunResult(Status.NO_RESULT, f"the submission's answer was unreadable: {frame}")
        return _without_answer(self.process.returncode, timeout)


class _Reports:
    """The runner's report pipe, read to its end: one forbidden attempt per line, then `end TOKEN`."""

    def __init__(self, fd: int):
        self.raw = bytearray()
        self.first_at: float | None = None   # when the first attempt was reported (monotonic)
        self.thread = threading.Thread(target=self._drain, args=(fd,), daemon=True)
        self.thread.start()

    def _drain(self, fd: int) -> None:
        try:
            while chunk := os.read(fd, 1 << 14):
                if len(self.raw) < 64 << 10:
                    self.raw += chunk
                if self.first_at is None and any(line and not line.startswith(b"end ")
                                                 for line in self.raw.split(b"\n")[:-1]):
                    self.first_at = time.monotonic()
        except OSError:
            pass
        finally:
            os.close(fd)

    def lines(self, token: str, answered: bool) -> list[str]:
        """The attempts reported, clean; an answer without the runner's closing word counts too."""
        self.thread.join(timeout=5)
        lines = self.raw.decode("utf-8", "replace").splitlines()
        ended = f"end {token}" in lines
        found = [clean_line(line, 200) for line in lines if line and not line.startswith("end ")][:MAX_REPORTS]
        if answered and not ended:
            found.append("an answer without the runner's closing word (forged, or its report pipe closed)")
        return list(dict.fromkeys(found))


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
    kill_all(lambda: _processes_of(uid), seconds)
