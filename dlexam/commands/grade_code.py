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

Every path grades a file with `dlexam.queue.grading.grade_file` / `grade_source`. With DLEXAM_BROKER_URL
set, the files are queued instead (`grade_queue`): `dlexam worker`s on any host grade them, and this
command prints the same JSON once all are graded; `--progress BATCH` shows a batch's state.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from dlexam.commands.common import seed
from dlexam.queue.grading import grade_file, jobs_for_memory
from dlexam.tasks.registry import FAMILIES

HELP = "Grade students' PyTorch code for the programming tasks (isolated, by behaviour)."
PROGRAMMING_TASK = 5
TASKS = [name for name, (task, _) in FAMILIES.items() if task == PROGRAMMING_TASK]


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("task", nargs="?", choices=TASKS, help="which programming task")
    parser.add_argument("files", nargs="*", metavar="FILE", help="Python files, or folders of them")
    parser.add_argument("--seed", type=seed, help="a variant's settings (default: the exam's own)")
    parser.add_argument("--csv", metavar="OUT", help="also write the scores as CSV (for a batch)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="sandboxes in parallel")
    parser.add_argument("--batch", metavar="NAME", help="with DLEXAM_BROKER_URL: the batch's name (for --progress)")
    parser.add_argument("--progress", metavar="BATCH", help="show how far the queue's workers are with BATCH, "
                                                             "then exit (no TASK or FILE)")


def expand(paths: list[str]) -> list[str]:
    """Files as given; a folder stands for its top-level *.py files, sorted."""
    out: list[str] = []
    for path in paths:
        p = Path(path)
        out.extend(sorted(str(f) for f in p.glob("*.py")) if p.is_dir() else [path])
    return out


def run(args: argparse.Namespace) -> dict:
    from dlexam.errors import InputError

    if args.progress is not None:
        if args.task or args.files:
            raise InputError("--progress shows a batch's progress; give it without TASK and FILE.")
        from dlexam.commands.grade_queue import progress

        return progress(args.progress)
    if not args.task or not args.files:
        raise InputError("Give the TASK and at least one FILE (or folder) to grade.")
    files = expand(args.files)
    if not files:
        raise InputError("No Python files were found in the given folders.")
    if args.jobs < 1:
        raise InputError("--jobs must be at least 1.")
    if args.csv and not Path(args.csv).resolve().parent.is_dir():
        raise InputError(f"The folder for the CSV file {args.csv} does not exist.")
    single = len(args.files) == 1 and not Path(args.files[0]).is_dir()   # the contract's one-object case
    from dlexam.queue.settings import settings

    if settings().broker is not None:
        from dlexam.commands.grade_queue import grade_queued

        results = grade_queued(args.task, files, args.seed, args.batch)
    elif single and not args.csv:
        return grade_file(args.task, files[0], args.seed, None)
    else:
        results = _grade_batch(args.task, files, args.seed, min(jobs_for_memory(args.jobs), len(files)))
    if args.csv:
        write_csv(args.csv, results)
    return results[0] if single else {"results": results}


def _grade_batch(task: str, files: list[str], variant_seed: int | None, jobs: int) -> list[dict]:
    from concurrent.futures import ThreadPoolExecutor

    from rich.progress import Progress

    from dlexam.engines.sandbox import SandboxPool

    with SandboxPool(size=jobs) as pool, ThreadPoolExecutor(max_workers=jobs) as executor, \
            Progress(transient=True) as progress:
        bar = progress.add_task(f"Grading {len(files)} files", total=len(files))
        futures = [executor.submit(grade_file, task, f, variant_seed, pool) for f in files]
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

    if "batch" in result and "done" in result:
        from dlexam.commands.grade_queue import show_progress

        return show_progress(result)
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
