"""Time to typeset exam sheets with their keys (`dlexam paper`); the goals: one exam with its key
in under 3 s and 30 in under 60 s from a cold command line.

Rows, each the median of RUNS fresh processes (wall time, and CPU time of the process and its
children, which a busy machine changes least):
- baselines in the same run: a bare Python start, and `dlexam exam --seed 7 --plan --json` (the
  plan alone, cold: what every exam's paper starts from);
- one exam + key from the command line (imports, plan, pictures, Typst);
- in one warm process: the key's pictures drawn one by one against side by side (`paper_pictures`),
  and one whole exam + key (what typesetting costs once everything is imported);
- K exams + keys (default 30) from the command line, on all cores (one run).

    .venv/bin/python benchmarks/paper.py [K] [RUNS]
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

K = int(sys.argv[1]) if len(sys.argv) > 1 else 30
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
BIN = os.path.join(os.path.dirname(sys.executable), "dlexam")


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of `cmd` (CPU: user + system of it and its children)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, capture_output=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime


def median(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs)


def paper(seed: int, variants: int, out: str) -> list[str]:
    return [BIN, "paper", "--seed", str(seed), "--variants", str(variants), "--out", out, "--json"]


def warm(out: Path) -> dict[str, float]:
    """Pictures of exam 7 one by one and side by side, and exam 101 whole, in this process."""
    from dlexam.exam import paper_pictures
    from dlexam.exam.paper import write_papers
    from dlexam.exam.paper_parts import paper_task
    from dlexam.exam.plan import plan

    write_papers(100, 1, out / "warm-up")       # imports, fonts, caches
    tasks = [paper_task(t) for t in plan(7).tasks]
    seconds = {}
    for workers in (1, os.cpu_count() or 1):
        root = out / f"pictures-{workers}"
        root.mkdir()
        start = time.perf_counter()
        paper_pictures.start(tasks, root, workers).wait()
        seconds[f"pictures of exam 7, {workers} process(es)"] = time.perf_counter() - start
    start = time.perf_counter()
    write_papers(101, 1, out / "warm")
    seconds["one exam + key (exam 101)"] = time.perf_counter() - start
    return seconds


def show(label: str, seconds: tuple[float, float] | float) -> None:
    wall, cpu = seconds if isinstance(seconds, tuple) else (seconds, None)
    print(f"{label:<58} {wall:6.2f} s" + (f"  {cpu:6.2f} s CPU" if cpu is not None else ""), flush=True)


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        print(f"cold command lines: median of {RUNS} runs ({os.cpu_count()} cores)")
        show("python -c pass (baseline)", median([timed([sys.executable, "-c", "pass"]) for _ in range(RUNS)]))
        show("dlexam exam --seed 7 --plan --json (baseline)",
             median([timed([BIN, "exam", "--seed", "7", "--plan", "--json"]) for _ in range(RUNS)]))
        show("dlexam paper --seed 7 (one exam + key)",
             median([timed(paper(7, 1, f"{out}/one-{run}")) for run in range(RUNS)]))
        print("in a warm process")
        for label, seconds in warm(Path(out)).items():
            show(f"  {label}", seconds)
        show(f"dlexam paper --seed 1000 --variants {K} (command line, one run)", timed(paper(1000, K, f"{out}/many")))


if __name__ == "__main__":
    main()
