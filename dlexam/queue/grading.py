"""Grading one code submission into the contract's object — the one function behind `grade-code`, the
in-process pool and the queue's workers, so every path grades alike.

`grade_file` reads a file as grade-code always has (regular files only, at most 1 MB, UTF-8);
`grade_source` grades text already read (a browser's answer, a queued row). A file that cannot be
read, or whose judging fails in any way, scores 0 with an `error`; the machinery failing is said so.
`jobs_for_memory` caps parallel sandboxes by the memory available (a sandbox with torch ~260 MB;
`JOB_MEMORY` reserved per job). torch is imported only when something is graded.
"""

from __future__ import annotations

import time
from typing import Any

JOB_MEMORY = 768 << 20   # reserved per parallel job: a sandbox (~260 MB) and the grader's judging
NOOP = "noop"            # a job that only sleeps (its source: seconds, at most 60): the queue's own overhead
NOOP_MAX_SECONDS = 60.0
# Not the file's fault: a queue worker's job time limit (Celery's, named so this layer needs no Celery).
PASS_THROUGH = frozenset({"SoftTimeLimitExceeded"})


def families() -> list[str]:
    """The programming tasks (exam task 5), whose code is graded."""
    from dlexam.tasks.registry import FAMILIES

    return [name for name, (task, _) in FAMILIES.items() if task == 5]


def jobs_for_memory(requested: int) -> int:
    """`requested`, capped so that every job's sandbox fits in the memory available now."""
    try:
        with open("/proc/meminfo") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
        available = int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return requested
    return max(1, min(requested, available // JOB_MEMORY))


def grade_file(task: str, path: str, seed: int | None, pool) -> dict[str, Any]:
    """The contract's object for the file at `path` (graded in `pool`; a fresh sandbox when None)."""
    from dlexam.grading.code import read_submission
    from dlexam.tasks.registry import family

    source, problem = read_submission(path)
    if source is None:
        return code_grade(task, path, family(task).unreadable(path, problem, seed))
    return grade_source(task, path, source, seed, pool)


def grade_source(task: str, file: str, source: str, seed: int | None, pool) -> dict[str, Any]:
    """The contract's object for `source`, named `file` in it; `task` NOOP sleeps instead (benchmarks)."""
    if task == NOOP:
        return noop(file, source)
    from dlexam.engines.sandbox import SandboxError
    from dlexam.engines.sandbox_text import quote
    from dlexam.grading.code import MAX_SOURCE_BYTES, report_for_file
    from dlexam.tasks.registry import family

    grader = family(task)
    if len(source.encode("utf-8", "surrogatepass")) > MAX_SOURCE_BYTES:
        return code_grade(task, file, grader.unreadable(file, f"The file is larger than "
                                                              f"{MAX_SOURCE_BYTES // 1024} KB.", seed))
    with report_for_file() as report:
        try:
            grade = grader.grade_file(source, file, seed, pool)
        except SandboxError as exc:  # the machinery failed, not the student: say so, keep the batch
            grade = grader.unreadable(file, f"The grader could not run this file: {quote(exc)}.", seed)
        except Exception as exc:  # noqa: BLE001 - judging one file may fail only for that file
            if type(exc).__name__ in PASS_THROUGH:
                raise
            grade = grader.unreadable(file, f"The grader could not judge this file ({type(exc).__name__}: "
                                            f"{quote(exc)}); it scores 0 and should be looked at.", seed)
    return code_grade(task, file, grade, report.evidence())


def unreadable(task: str, file: str, error: str, seed: int | None) -> dict[str, Any]:
    """The contract's object for a file never graded (every check 0), with the reason."""
    if task == NOOP:
        return {"task": NOOP, "file": file, "score": 0.0, "max_score": 0.0, "checks": [], "error": error}
    from dlexam.tasks.registry import family

    return code_grade(task, file, family(task).unreadable(file, error, seed))


def code_grade(task: str, file: str, grade, sandbox: dict[str, Any] | None = None) -> dict[str, Any]:
    """The contract's object for one file: its checks are the grade's parts, `message` their feedback
    without the check's name in front, and `evidence` the numbers measured; `sandbox` what the
    sandbox blocked and lacked. Every text is one clean line."""
    from dlexam.engines.sandbox_text import clean_line
    from dlexam.grading.code import message_of

    checks = [{"name": clean_line(p.name, 200), "passed": bool(p.evidence.get("passed", p.passed)),
               "points": p.points, "max_points": p.max_points, "message": clean_line(message_of(p), 1500),
               "evidence": p.evidence} for p in grade.parts]
    out: dict[str, Any] = {"task": task, "file": file, "score": grade.points, "max_score": grade.max_points,
                           "checks": checks}
    if grade.error is not None:
        out["error"] = clean_line(grade.error, 1500)
    if sandbox is not None:
        out["sandbox"] = sandbox
    return out


def noop(file: str, source: str) -> dict[str, Any]:
    """Sleep `source` seconds (at most NOOP_MAX_SECONDS): a job whose cost is all the queue's."""
    try:
        seconds = min(max(float(source or 0), 0.0), NOOP_MAX_SECONDS)
    except ValueError:
        seconds = 0.0
    time.sleep(seconds)
    return {"task": NOOP, "file": file, "score": 0.0, "max_score": 0.0, "checks": [], "slept": seconds}
