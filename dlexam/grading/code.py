"""Judging students' code by its behaviour: the pieces every programming task shares.

A programming family (tasks/adversarial, tasks/autoencoder) builds a sandbox `Job`, runs the
submission with `run_submission`, and turns each of its checks into a `PartGrade` with `part`.
What may go wrong on the way has one answer here, the same for every task:

- the file cannot be read (not a regular file, too large, not UTF-8) or does not parse:
  `read_submission`, `parse_error` (errors quote at most ~200 characters of the input);
- the submission tried something the sandbox forbids (network, writing outside /tmp,
  signalling other processes, running programs, ctypes, the report channel): `run_submission`
  turns the run into a BLOCKED one naming every attempt, so it scores 0 in every family
  (`BLOCKED_POLICY`, stated in the README); a run is never retried (a kill by a signal is the
  submission's own doing or its memory limit, and retrying doubled the cost);
- what the sandbox did and could not do on this machine (cgroup, filter, attempts) is kept in
  the file's `SandboxReport` (`report_for_file`), which `grade-code` puts in the grade's evidence;
- the submission replaced torch's own functions: `tampering`, then nothing it computed counts;
- one check hangs or fails oddly (weights full of NaN): `timed`, the other checks keep their credit.

Only code the project wrote itself (a family's reference answer and its own perturbations,
compared byte for byte by the caller) may skip the sandbox with `run_trusted`.
"""

from __future__ import annotations

import ast
import concurrent.futures
import contextlib
import contextvars
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from dlexam.engines.sandbox import Job, RunResult, SandboxPool, Status, run_fresh
from dlexam.engines.sandbox_text import clean_line, quote
from dlexam.engines.threads import torch_threads
from dlexam.grading.grade import PartGrade

MAX_SOURCE_BYTES = 1 << 20
CHECK_SECONDS = 20.0
BLOCKED_POLICY = "a blocked attempt costs all points; the file is flagged for a human to look at"


@dataclass
class SandboxReport:
    """What the sandbox saw and lacked while one file was graded (the grade's `sandbox` evidence)."""

    blocked: list[str] = field(default_factory=list)
    degraded: list[str] = field(default_factory=list)
    runs: int = 0
    cpu_seconds: float = 0.0
    seconds: float = 0.0

    def add(self, result: RunResult) -> None:
        self.runs += 1
        self.cpu_seconds += result.cpu_seconds or 0.0
        self.seconds += result.seconds
        self.blocked = list(dict.fromkeys(self.blocked + result.blocked))
        self.degraded = list(dict.fromkeys(self.degraded + result.notes))

    def evidence(self) -> dict[str, Any]:
        out: dict[str, Any] = {"runs": self.runs, "cpu_seconds": round(self.cpu_seconds, 3),
                               "seconds": round(self.seconds, 3),
                               "blocked": self.blocked, "degraded": self.degraded}
        if self.blocked:
            out["flagged"] = True
            out["policy"] = BLOCKED_POLICY
        return out


_REPORT: contextvars.ContextVar[SandboxReport | None] = contextvars.ContextVar("sandbox_report", default=None)


@contextlib.contextmanager
def report_for_file() -> Iterator[SandboxReport]:
    """Collect what every sandbox run of this thread reports until the block ends."""
    report = SandboxReport()
    token = _REPORT.set(report)
    try:
        yield report
    finally:
        _REPORT.reset(token)

Runner = Callable[[str, Job, float], RunResult]
Judge = Callable[..., tuple[float, str, dict[str, Any]]]


def read_submission(path: str) -> tuple[str | None, str | None]:
    """The file's text, or None and the reason it cannot be read (one sentence for the grade).

    Only regular files are read, and never more than MAX_SOURCE_BYTES + 1 bytes: a FIFO, a device
    (/dev/zero) or a folder is refused at once, without waiting for a writer."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        return None, f"The file cannot be read: {quote(exc.strerror or exc)}."
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None, "The path is not a regular file (a folder, pipe or device is not graded)."
        if info.st_size > MAX_SOURCE_BYTES:
            return None, f"The file is larger than {MAX_SOURCE_BYTES // 1024} KB."
        data = os.read(fd, MAX_SOURCE_BYTES + 1)
    except OSError as exc:
        return None, f"The file cannot be read: {quote(exc.strerror or exc)}."
    finally:
        os.close(fd)
    if len(data) > MAX_SOURCE_BYTES:
        return None, f"The file is larger than {MAX_SOURCE_BYTES // 1024} KB."
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        return None, "The file is not UTF-8 text."


def parse_error(source: str) -> str | None:
    """Why the source does not parse (the grade's error), or None when it does."""
    try:
        ast.parse(source)
    except SyntaxError as exc:
        return f"the file does not parse: {quote(exc.msg)} (line {exc.lineno})"
    except (ValueError, RecursionError, MemoryError) as exc:  # null bytes, absurd nesting
        return f"the file does not parse: {quote(exc) or type(exc).__name__}"
    return None


def run_submission(source: str, job: Job, timeout: float, pool: SandboxPool | None = None,
                   runner: Runner | None = None) -> RunResult:
    """Run in the pool (a fresh sandbox without one), once; apply the policy on blocked attempts."""
    if runner is None:
        runner = pool.run if pool is not None else run_fresh
    result = runner(source, job, timeout)
    if (report := _REPORT.get()) is not None:
        report.add(result)
    if result.blocked:
        named = "; ".join(result.blocked[:6]) + (f" (and {len(result.blocked) - 6} more)" if len(result.blocked) > 6 else "")
        after = "" if result.status == Status.OK else f"; then: {result.message}"
        result.message = clean_line(f"PermissionError: blocked (all points lost, flagged for review): {named}{after}", 1500)
        result.status = Status.BLOCKED
    return result


def run_trusted(source: str, job: Job, timeout: float = 0.0) -> RunResult:
    """Run code the project itself wrote in-process, the job's arguments as the sandbox gives them.

    Only for byte-identical sources of a family's own: it skips the sandbox's start-up (seconds)
    but also its hooks (no observations) and its time limit.
    """
    module: dict[str, Any] = {"__name__": "submission"}
    model = job.model.build() if job.model is not None else None
    args = [model if name == "model" else _copy(job.tensors[name]) for name in job.args]
    with torch_threads(1):
        exec(compile(source, "submission.py", "exec"), module)  # noqa: S102 - our own code only
        returned = module[job.function](*args)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()} if model is not None else None
    return RunResult("ok", "ran in-process (trusted reference code)", returned=_plain(returned), state_dict=state)


def _copy(value: Any) -> Any:
    import torch   # here, not at the top: a family's module (its title, its text) needs no torch

    return value.clone() if isinstance(value, torch.Tensor) else value


def _plain(value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def tampering(observed: list[str]) -> str | None:
    """The error for a submission that replaced torch's own functions, or None."""
    if not observed:
        return None
    names = ", ".join(clean_line(n, 80) for n in observed[:4]) + (", ..." if len(observed) > 4 else "")
    return f"the submission replaced torch's own functions ({names}), so nothing it computed can be trusted"


def part(name: str, max_points: float, share: float, message: str, evidence: dict[str, Any] | None = None) -> PartGrade:
    """One code check as a part: `share` of the points (clipped to 0..1, rounded to cents).

    The feedback names the check, as every family's parts do; `evidence` gets `passed` and keeps
    the numbers measured (plain floats, so JSON and tests read them without parsing prose).
    """
    share = min(1.0, max(0.0, share))
    numbers = {"passed": share >= 1.0, **{k: _number(v) for k, v in (evidence or {}).items()}}
    return PartGrade(name, round(max_points * share, 2), float(max_points), f"{name}: {message}", numbers)


def _number(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, (str, list)):
        return value
    return float(value) if isinstance(value, (int, float)) or hasattr(value, "item") else value


def message_of(p: PartGrade) -> str:
    """A part's feedback without the check's name in front (the code grade's `message`)."""
    return p.feedback.removeprefix(f"{p.name}: ")


def timed(name: str, max_points: float, judge: Judge, *args: Any, seconds: float = CHECK_SECONDS) -> PartGrade:
    """Run one judge with a time limit, so the other checks' credit survives a hang here.

    A judge returns (share of the points, message, numbers measured).
    """
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        share, message, evidence = pool.submit(judge, *args).result(timeout=seconds)
    except concurrent.futures.TimeoutError:
        share, message, evidence = 0.0, f"this check did not finish within {seconds:g} s", {}
    except Exception as exc:  # noqa: BLE001 - e.g. weights full of NaN making a check fail oddly
        share, message, evidence = 0.0, f"this check could not be judged ({type(exc).__name__}: {quote(exc)})", {}
    finally:
        pool.shutdown(wait=False)
    return part(name, max_points, share, message, evidence)
