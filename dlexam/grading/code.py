"""Judging students' code by its behaviour: the pieces every programming task shares.

A programming family (tasks/adversarial, tasks/autoencoder) builds a sandbox `Job`, runs the
submission with `run_submission`, and turns each of its checks into a `PartGrade` with `part`.
What may go wrong on the way has one answer here, the same for every task:

- the file cannot be read or does not parse: `read_submission`, `parse_error`;
- the host killed the sandbox (memory pressure on a busy machine): one retry, `run_submission`;
- the submission replaced torch's own functions: `tampering`, then nothing it computed counts;
- one check hangs or fails oddly (weights full of NaN): `timed`, the other checks keep their credit.

Only code the project wrote itself (a family's reference answer and its own perturbations,
compared byte for byte by the caller) may skip the sandbox with `run_trusted`.
"""

from __future__ import annotations

import ast
import concurrent.futures
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch

from dlexam.engines.sandbox import Job, RunResult, SandboxPool, run_fresh
from dlexam.engines.threads import torch_threads
from dlexam.grading.grade import PartGrade

MAX_SOURCE_BYTES = 1 << 20
CHECK_SECONDS = 20.0

Runner = Callable[[str, Job, float], RunResult]
Judge = Callable[..., tuple[float, str, dict[str, Any]]]


def read_submission(path: str) -> tuple[str | None, str | None]:
    """The file's text, or None and the reason it cannot be read (one sentence for the grade)."""
    try:
        if os.path.getsize(path) > MAX_SOURCE_BYTES:
            return None, f"The file is larger than {MAX_SOURCE_BYTES // 1024} KB."
        return Path(path).read_text(encoding="utf-8"), None
    except UnicodeDecodeError:
        return None, "The file is not UTF-8 text."
    except OSError as exc:
        return None, f"The file cannot be read: {exc.strerror or exc}."


def parse_error(source: str) -> str | None:
    """Why the source does not parse (the grade's error), or None when it does."""
    try:
        ast.parse(source)
    except SyntaxError as exc:
        return f"the file does not parse: {exc.msg} (line {exc.lineno})"
    except ValueError as exc:  # e.g. null bytes in the source
        return f"the file does not parse: {exc}"
    return None


def run_submission(source: str, job: Job, timeout: float, pool: SandboxPool | None = None,
                   runner: Runner | None = None) -> RunResult:
    """Run in the pool (a fresh sandbox without one), once more if the host killed the sandbox."""
    if runner is None:
        runner = pool.run if pool is not None else run_fresh
    result = runner(source, job, timeout)
    if result.status == "killed":  # under memory pressure the host may kill a sandbox
        result = runner(source, job, timeout)
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
    return value.clone() if isinstance(value, torch.Tensor) else value


def _plain(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def tampering(observed: list[str]) -> str | None:
    """The error for a submission that replaced torch's own functions, or None."""
    if not observed:
        return None
    names = ", ".join(observed[:4]) + (", ..." if len(observed) > 4 else "")
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
        share, message, evidence = 0.0, f"this check could not be judged ({type(exc).__name__}: {exc})", {}
    finally:
        pool.shutdown(wait=False)
    return part(name, max_points, share, message, evidence)
