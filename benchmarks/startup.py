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
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 7
BIN = os.path.join(os.path.dirname(sys.executable), "dlexam")


def median_seconds(cmd: list[str], stdin: str | None = None) -> float:
    subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True)   # warm-up
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


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
    print(f"median wall time over {RUNS} runs")
    for label, cmd, stdin in rows:
        print(f"{label:<52} {median_seconds(cmd, stdin):6.3f} s", flush=True)
    per_family = {}
    for name in families():
        per_family[name] = median_seconds([BIN, "question", name, "--seed", "1", "--json"])
        print(f"{'dlexam question ' + name + ' --seed 1 --json':<52} {per_family[name]:6.3f} s", flush=True)
    slowest = max(per_family, key=per_family.get)
    print(f"{'question: slowest family (' + slowest + ')':<52} {per_family[slowest]:6.3f} s")
    print(f"{'question: median over families':<52} {statistics.median(per_family.values()):6.3f} s")


if __name__ == "__main__":
    main()
