"""Wall latency of grading one exam task 5(b) submission: warm pool vs. a fresh sandbox each time.

    .venv/bin/python benchmarks/autoencoder_grading.py [--n 5]

Each grading is the real one (the family's `grade_file`, as `grade-code` runs it; exam settings: 1000 SGD steps at
lr 0.004 inside the sandbox, then the checks outside). Rows per task:
  fresh sandbox   a new sandbox (import torch) per submission, as `run_fresh` does
  warm pool       the pool is warm when the submission arrives (what a student waits)
  replay          the grader's own replay of the asked training (once per settings, then cached;
                  the first grading of a process pays it, the rows above do not)
  in-process      the family's own reference code graded without the sandbox (conformance, verify)
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from dlexam.engines.sandbox import SandboxPool, isolation_kind
from dlexam.solutions.autoencoder import reference_source
from dlexam.tasks.autoencoder.checks import grade_source, trusted_runner
from dlexam.tasks.autoencoder.replay import replay
from dlexam.tasks.autoencoder.grader_data import data
from dlexam.tasks.autoencoder.settings import Task, exam_settings
from dlexam.tasks.registry import family

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "submissions"


def _time(task: str, source: str, pool) -> float:
    started = time.perf_counter()
    result = family(task).grade_file(source, "bench.py", None, pool)
    seconds = time.perf_counter() - started
    if result.points != 10:
        raise SystemExit(f"{task}: the reference scored {result.points}: {result.error or result.feedback}")
    return seconds


def _row(label: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return f"{label:28s} {statistics.median(times):8.2f} {p95:8.2f} {len(times):4d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5, help="submissions per row")
    args = parser.parse_args()
    print(f"isolation: {isolation_kind()}; exam settings; {args.n} submissions per row; seconds")
    print(f"{'':28s} {'median':>8s} {'p95':>8s} {'n':>4s}")
    for task in Task:
        source = (CORPUS / task / "correct_seed.py").read_text()
        settings = exam_settings(task)
        data(settings)  # load the photos once, outside the timing
        started = time.perf_counter()
        replay(settings)
        replayed = [time.perf_counter() - started]
        own = []
        for _ in range(args.n):
            started = time.perf_counter()
            graded = grade_source(settings, reference_source(task), runner=trusted_runner)
            own.append(time.perf_counter() - started)
            if graded.points != 10:
                raise SystemExit(f"{task}: the reference scored {graded.points} in-process: {graded.feedback}")
        fresh = [_time(task, source, None) for _ in range(args.n)]
        with SandboxPool(size=1) as pool:
            warm = []
            for _ in range(args.n):
                pool.wait_ready()  # the student arrives at a warm pool
                warm.append(_time(task, source, pool))
        print(_row(f"{task}: fresh sandbox", fresh))
        print(_row(f"{task}: warm pool", warm))
        print(_row(f"{task}: replay", replayed))
        print(_row(f"{task}: in-process (own code)", own))


if __name__ == "__main__":
    main()
