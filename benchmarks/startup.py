"""Wall time from a cold command line to the first thing a user sees.

Rows: `dlexam --help`; `dlexam practice` up to its first question (a fixed family, and any
family); `dlexam question FAMILY --seed 1 --json` for every family (the slowest and the median
are summarised at the end); `dlexam exam --seed 3 --plan --json`. Each row is the median of
RUNS runs (hyperfine-like: one warm-up run first, so the file cache is warm).

Baselines in the same run: a bare Python start, and Python importing torch (what every command
would cost if torch were imported at start-up).

    .venv/bin/python benchmarks/startup.py [RUNS]
"""

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
BIN = os.path.join(os.path.dirname(sys.executable), "dlexam")


def median_seconds(cmd: list[str], stdin: str | None = None) -> tuple[float, float]:
    """Median (wall, CPU) seconds; CPU time (user + system of the child) is what a busy machine
    changes least."""
    subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True)   # warm-up
    walls, cpus = [], []
    for _ in range(RUNS):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def families() -> list[str]:
    from dlexam.tasks.registry import names
    return names()


def main() -> None:
    os.environ["DLEXAM_STORE"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    rows = [
        ("python -c pass (baseline)", [sys.executable, "-c", "pass"], None),
        ("python -c 'import torch' (baseline)", [sys.executable, "-c", "import torch"], None),
        ("dlexam --help", [BIN, "--help"], None),
        ("dlexam practice --family concepts (first question)", [BIN, "practice", "--family", "concepts"], "q\n"),
        ("dlexam practice (any family, first question)", [BIN, "practice"], "q\n"),
        ("dlexam exam --seed 3 --plan --json", [BIN, "exam", "--seed", "3", "--plan", "--json"], None),
    ]
    print(f"median over {RUNS} runs{'':<30} wall      CPU")
    for label, cmd, stdin in rows:
        show(label, median_seconds(cmd, stdin))
    per_family = {}
    for name in families():
        per_family[name] = median_seconds([BIN, "question", name, "--seed", "1", "--json"])
        show(f"dlexam question {name} --seed 1 --json", per_family[name])
    slowest = max(per_family, key=lambda name: per_family[name][0])
    show(f"question: slowest family ({slowest})", per_family[slowest])
    show("question: median over families", (statistics.median(w for w, _ in per_family.values()),
                                            statistics.median(c for _, c in per_family.values())))


def show(label: str, seconds: tuple[float, float]) -> None:
    print(f"{label:<52} {seconds[0]:6.3f} s  {seconds[1]:6.3f} s", flush=True)


if __name__ == "__main__":
    main()
