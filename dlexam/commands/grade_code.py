"""`dlexam grade-code TASK FILE...`: run students' PyTorch answers in the sandbox and grade them.

TASK is a programming family of the registry (exam task 5); the family grades each file
(`grade_file`, its code checks) and this command only turns its Grade into the contract's
object. One file gives one object; several files (or a folder's top-level *.py files) are
graded in parallel on a warm sandbox pool, and the output is {"results": [...]} in
argument order. `--csv` also writes a table for staff. A file that cannot be read (not a
regular file, too large) scores 0 with an `error`; so does a file whose judging fails in any
way (an exotic dtype the grader trips over): one file never loses the batch; the exit status
stays 0. Each object has a `sandbox` entry: the attempts the sandbox blocked (they cost all
points, `grading.code.BLOCKED_POLICY`) and the protections this machine lacks. Everything a
student wrote is cleaned before it is shown: no escape sequences, one line per message, no
spreadsheet formulas in the CSV. `--jobs` is capped by the memory available (a sandbox with
torch holds ~260 MB; `JOB_MEMORY` is reserved per job).
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from dlexam.commands.common import seed
from dlexam.tasks.registry import FAMILIES

HELP = "Grade students' PyTorch code for the programming tasks (isolated, by behaviour)."
PROGRAMMING_TASK = 5
TASKS = [name for name, (task, _) in FAMILIES.items() if task == PROGRAMMING_TASK]
JOB_MEMORY = 768 << 20   # reserved per parallel job: a sandbox (~260 MB) and the grader's judging


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", choices=TASKS, help="which programming task")
    parser.add_argument("files", nargs="+", metavar="FILE", help="Python files, or folders of them")
    parser.add_argument("--seed", type=seed, help="a variant's settings (default: the exam's own)")
    parser.add_argument("--csv", metavar="OUT", help="also write the scores as CSV (for a batch)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="sandboxes in parallel")


def expand(paths: list[str]) -> list[str]:
    """Files as given; a folder stands for its top-level *.py files, sorted."""
    out: list[str] = []
    for path in paths:
        p = Path(path)
        out.extend(sorted(str(f) for f in p.glob("*.py")) if p.is_dir() else [path])
    return out


def run(args: argparse.Namespace) -> dict:
    from dlexam.errors import InputError

    files = expand(args.files)
    if not files:
        raise InputError("No Python files were found in the given folders.")
    if args.jobs < 1:
        raise InputError("--jobs must be at least 1.")
    if args.csv and not Path(args.csv).resolve().parent.is_dir():
        raise InputError(f"The folder for the CSV file {args.csv} does not exist.")
    from dlexam.tasks.registry import family

    grader = family(args.task)
    single = len(args.files) == 1 and not Path(args.files[0]).is_dir()   # the contract's one-object case
    if single and not args.csv:
        return _grade_one(grader, args.task, files[0], args.seed, None)
    results = _grade_batch(grader, args.task, files, args.seed, min(jobs_for_memory(args.jobs), len(files)))
    if args.csv:
        write_csv(args.csv, results)
    return results[0] if single else {"results": results}


def jobs_for_memory(requested: int) -> int:
    """`requested`, capped so that every job's sandbox fits in the memory available now."""
    try:
        with open("/proc/meminfo") as meminfo:
            fields = dict(line.split(":", 1) for line in meminfo)
        available = int(fields["MemAvailable"].split()[0]) * 1024
    except (OSError, KeyError, ValueError):
        return requested
    return max(1, min(requested, available // JOB_MEMORY))


def _grade_one(grader, task: str, path: str, variant_seed: int | None, pool) -> dict:
    from dlexam.engines.sandbox import SandboxError
    from dlexam.engines.sandbox_text import quote
    from dlexam.grading.code import read_submission, report_for_file

    source, problem = read_submission(path)
    if source is None:
        return code_grade(task, path, grader.unreadable(path, problem, variant_seed))
    with report_for_file() as report:
        try:
            grade = grader.grade_file(source, path, variant_seed, pool)
        except SandboxError as exc:  # the machinery failed, not the student: say so, keep the batch
            grade = grader.unreadable(path, f"The grader could not run this file: {quote(exc)}.", variant_seed)
        except Exception as exc:  # noqa: BLE001 - judging one file may fail only for that file
            grade = grader.unreadable(path, f"The grader could not judge this file ({type(exc).__name__}: "
                                            f"{quote(exc)}); it scores 0 and should be looked at.", variant_seed)
    return code_grade(task, path, grade, report.evidence())


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


def _grade_batch(grader, task: str, files: list[str], variant_seed: int | None, jobs: int) -> list[dict]:
    from concurrent.futures import ThreadPoolExecutor

    from rich.progress import Progress

    from dlexam.engines.sandbox import SandboxPool

    with SandboxPool(size=jobs) as pool, ThreadPoolExecutor(max_workers=jobs) as executor, \
            Progress(transient=True) as progress:
        bar = progress.add_task(f"Grading {len(files)} files", total=len(files))
        futures = [executor.submit(_grade_one, grader, task, f, variant_seed, pool) for f in files]
        for future in futures:
            future.add_done_callback(lambda _: progress.advance(bar))
        return [f.result() for f in futures]


def write_csv(path: str, results: list[dict]) -> None:
    """One row per file, one column per check; written whole or not at all."""
    import csv
    import tempfile

    from dlexam.engines.sandbox_text import csv_cell
    from dlexam.errors import InputError

    names = list(dict.fromkeys(c["name"] for r in results for c in r["checks"]))
    target = Path(path)
    try:
        with tempfile.NamedTemporaryFile("w", newline="", dir=target.parent or ".", delete=False,
                                         suffix=".part") as handle:
            writer = csv.writer(handle)
            writer.writerow([csv_cell(v) for v in ["file", "score", "max_score", "error", "blocked", *names]])
            for r in results:
                points = {c["name"]: c["points"] for c in r["checks"]}
                blocked = "; ".join(r.get("sandbox", {}).get("blocked", []))
                row = [r["file"], r["score"], r["max_score"], r.get("error", ""), blocked,
                       *(points.get(n, "") for n in names)]
                writer.writerow([csv_cell(v) for v in row])
        os.replace(handle.name, target)
    except OSError as exc:
        raise InputError(f"The CSV file {path} cannot be written: {exc.strerror or exc}.") from None


def show(result: dict) -> str:
    """Staff's text: one line per file, check, blocked attempt and missing protection, all clean."""
    from dlexam.engines.sandbox_text import clean_line as line

    results = result.get("results", [result])
    lines = []
    for r in results:
        lines.append(f"{line(r['file'], 300)}: {r['score']:g} of {r['max_score']:g} points"
                     + (f"  (error: {line(r['error'], 1500)})" if r.get("error") else ""))
        for c in r["checks"]:
            mark = "✓" if c["passed"] else "✗"
            lines.append(f"  {mark} {line(c['name'], 200)} ({c['points']:g}/{c['max_points']:g}): "
                         f"{line(c['message'], 1500)}")
        sandbox = r.get("sandbox", {})
        lines += [f"  ⚠ blocked: {line(b, 300)}" for b in sandbox.get("blocked", [])]
        lines += [f"  ⚠ sandbox: {line(d, 300)}" for d in sandbox.get("degraded", [])]
    return "\n".join(lines)
