"""Running untrusted student Python (PyTorch answers) in isolation, with a warm pool.

    pool = SandboxPool(size=2)
    job = Job(function="adversarial", args=("x", "t", "model"),
              tensors={"x": x, "t": t}, model=ModelSpec(layers, model.state_dict()))
    result = pool.run(source, job, timeout=10.0)
    if result.status == "ok":
        z = result.returned                  # judge it OUTSIDE, with the grader's own model

One `Sandbox` is one process that has already imported torch and waits for one job; it
serves exactly one submission and is then killed (its private /tmp goes with it). The
pool keeps `size` of them warm and starts a fresh one after each use. How the process is
walled in (mounts, uid, namespaces, limits) is described in `sandbox_isolation`; the
child's side of the protocol in `sandbox_child`.

Protocol: the grader writes one frame (8-byte length + torch.save of plain data: the
source, the function's name, named tensors, the model's layer list and state_dict) to the
child's stdin; the child answers with one frame on a separate pipe. The answer is loaded
with torch.load(weights_only=True) and every field is type-checked here, so a hostile
child can at worst send wrong numbers — which the grader's own checks judge as such.
"""

from __future__ import annotations

import io
import math
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import warnings
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import torch

from dlexam.engines import sandbox_child as child
from dlexam.engines.sandbox_isolation import (
    Limits,
    environment,
    isolation_kind,
    random_uid,
    sandbox_command,
)

STATUSES = ("ok", "error", "timeout", "killed", "no_result", "memory")
__all__ = ["Job", "Limits", "ModelSpec", "Observations", "RunResult", "Sandbox", "SandboxError",
           "SandboxPool", "build_model", "isolation_kind", "run_fresh"]
build_model = child.build_model


class SandboxError(RuntimeError):
    """The sandbox machinery itself failed (not the student's code)."""


@dataclass
class ModelSpec:
    """A model the grader hands to the student: `build_model(layers)` + this state_dict.

    `layers` is `[[name, args, kwargs], ...]` with names from `sandbox_child.LAYERS`,
    e.g. `[["Linear", [4, 8]], ["ReLU"], ["Linear", [8, 1]]]`.
    """

    layers: list
    state_dict: dict[str, torch.Tensor]

    def build(self) -> torch.nn.Module:
        """A clean copy of the model, as the grader judges with it."""
        model = build_model(self.layers)
        model.load_state_dict(self.state_dict)
        return model


@dataclass
class Job:
    """What to call: `function(*[tensors[name] or the model for name in args])`."""

    function: str
    args: tuple[str, ...]
    tensors: dict[str, torch.Tensor | int | float] = field(default_factory=dict)  # tensors (or numbers)
    model: ModelSpec | None = None
    return_state: bool = False     # send back model.state_dict() after the call (train in place)
    seed: int = 0                  # torch.manual_seed inside, before the call
    sheet_aliases: bool = True     # make the exam skeleton's torch.nn.SGD mean torch.optim.SGD


@dataclass
class Observations:
    """What the hooks inside saw during the call (a hostile submission can fake these)."""

    zero_grad: int = 0             # optimizer.zero_grad() calls
    module_zero_grad: int = 0      # model.zero_grad() calls
    steps: int = 0                 # optimizer.step() calls
    backward: int = 0              # loss.backward() / torch.autograd.backward() calls
    forward: int = 0               # calls of the job's model
    optimizers_created: int = 0
    optimizers: list[str] = field(default_factory=list)     # class names, e.g. ["SGD"]
    lrs: list[float] = field(default_factory=list)          # lr of param group 0 at each step
    losses: list[float] = field(default_factory=list)       # value of each scalar backward()
    events: str = ""               # Z zero_grad, z model.zero_grad, F forward, B backward, S step
    forward_input_shapes: list[list[int]] = field(default_factory=list)
    used_sheet_alias: bool = False
    tampered: list[str] = field(default_factory=list)  # torch functions the submission replaced


@dataclass
class RunResult:
    status: str                    # one of STATUSES
    message: str                   # one sentence for the student / the grade's feedback
    stdout: str = ""
    stderr: str = ""
    returned: Any = None           # plain tensors / numbers / lists / dicts, or None
    state_dict: dict[str, torch.Tensor] | None = None
    observations: Observations = field(default_factory=Observations)
    traceback: str = ""            # the student's frames only
    seconds: float = 0.0           # wall time from sending the job to the answer
    call_seconds: float = 0.0      # time inside the student's function, as measured inside

    @property
    def ok(self) -> bool:
        return self.status == "ok"


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

    def __init__(self, limits: Limits = Limits(), kind: str | None = None):
        self.limits = limits
        self.kind = kind or isolation_kind()
        self.uid = random_uid()
        self.used = self._closed = False
        self._home = None  # fallback mode: a host temp dir as the child's cwd and HOME
        if self.kind != "bwrap":
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
        payload = {
            "source": source, "function": job.function, "args": list(job.args),
            "tensors": dict(job.tensors), "return_state": job.return_state, "seed": job.seed,
            "sheet_aliases": job.sheet_aliases, "threads": self.limits.threads,
            "model": None if job.model is None else {"layers": job.model.layers,
                                                     "state_dict": dict(job.model.state_dict)},
            "cpu_seconds": math.ceil(timeout) + 1, "memory_bytes": self.limits.memory_bytes,
            "processes": self.limits.processes, "file_bytes": self.limits.file_bytes,
            "open_files": self.limits.open_files,
        }
        buffer = io.BytesIO()
        torch.save(payload, buffer)
        data = buffer.getvalue()
        self.process.stdin.write(child.HEADER.pack(len(data)) + data)
        self.process.stdin.flush()

    # -- reading the answer ----------------------------------------------------------
    def _judge_frame(self, frame, timed_out: bool, timeout: float) -> RunResult:
        if timed_out:
            return RunResult("timeout", f"the submission did not finish within {timeout:g} s")
        if isinstance(frame, bytes):
            return _parse_result(frame)
        code = self.process.returncode
        if isinstance(frame, ValueError):
            return RunResult("no_result", f"the submission's answer was unreadable: {frame}")
        signal_number = code - 128 if code is not None and code > 128 else (-code if code and code < 0 else 0)
        if signal_number == signal.SIGXCPU:
            return RunResult("timeout", f"the submission used more than its {math.ceil(timeout) + 1} s of CPU time")
        if signal_number:
            name = signal.Signals(signal_number).name if signal_number in signal.valid_signals() else str(signal_number)
            return RunResult("killed", f"the submission's process was killed by {name} before giving a result")
        return RunResult("no_result", f"the submission's process exited (status {code}) without giving a result")


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


def _parse_result(frame: bytes) -> RunResult:
    """The child's answer, read safely: only plain tensors and data, every field checked."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = torch.load(io.BytesIO(frame), weights_only=True, map_location="cpu")
    except Exception as exc:  # noqa: BLE001 - anything a hostile child may have sent
        return RunResult("no_result", f"the submission's answer could not be read ({type(exc).__name__})")
    if not isinstance(data, dict) or data.get("status") not in STATUSES:
        return RunResult("no_result", "the submission's answer was not in the expected form")
    state = data.get("state_dict")
    if state is not None and not (isinstance(state, dict) and all(
            isinstance(k, str) and _plain_tensor(v) for k, v in state.items())):
        return RunResult("no_result", "the model's state sent back was not a set of tensors")
    returned = data.get("returned")
    if not _plain_data(returned):
        return RunResult("no_result", "the returned value sent back was not plain tensors or numbers")
    return RunResult(
        status=data["status"], message=_text(data.get("message"), 500) or "the function returned normally",
        returned=returned, state_dict=state, traceback=_text(data.get("traceback"), 8000),
        observations=_observations(data.get("observations")),
        call_seconds=float(data["call_seconds"]) if isinstance(data.get("call_seconds"), float) else 0.0)


def _plain_tensor(value) -> bool:
    """A dense CPU tensor: sparse, quantized or other layouts make judging code raise."""
    return (type(value) is torch.Tensor and value.layout is torch.strided and not value.is_quantized
            and value.device.type == "cpu")


def _plain_data(value, depth: int = 0) -> bool:
    if _plain_tensor(value) or isinstance(value, (bool, int, float, str, type(None))):
        return True
    if depth < 4 and isinstance(value, list):
        return all(_plain_data(v, depth + 1) for v in value)
    if depth < 4 and isinstance(value, dict):
        return all(isinstance(k, str) and _plain_data(v, depth + 1) for k, v in value.items())
    return False


def _text(value, limit: int) -> str:
    return value[:limit] if isinstance(value, str) else ""


def _observations(data) -> Observations:
    """Observations from the child's dict, keeping only fields of the right type."""
    seen = Observations()
    if not isinstance(data, dict):
        return seen
    for name in ("zero_grad", "module_zero_grad", "steps", "backward", "forward", "optimizers_created"):
        if type(data.get(name)) is int:
            setattr(seen, name, data[name])
    for name in ("lrs", "losses"):
        values = data.get(name)
        if isinstance(values, list) and all(type(v) is float for v in values):
            setattr(seen, name, values[: child.SERIES_CAP])
    if isinstance(data.get("optimizers"), list):
        seen.optimizers = [v[:100] for v in data["optimizers"][:100] if isinstance(v, str)]
    seen.events = _text(data.get("events"), child.EVENT_CAP)
    shapes = data.get("forward_input_shapes")
    if isinstance(shapes, list):
        seen.forward_input_shapes = [s for s in shapes[:4] if isinstance(s, list) and all(type(d) is int for d in s)]
    seen.used_sheet_alias = data.get("used_sheet_alias") is True
    if isinstance(data.get("tampered"), list):
        seen.tampered = [v[:100] for v in data["tampered"][:50] if isinstance(v, str)]
    return seen


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
