"""Wall time of `dlexam --help` and of `dlexam practice` up to its first question.

Baselines in the same run: a bare Python start, and Python importing torch (what
every command would cost if torch were imported at start-up).

    .venv/bin/python benchmarks/startup.py [RUNS]
"""

import os
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 10
BIN = os.path.join(os.path.dirname(sys.executable), "dlexam")


def median_seconds(cmd: list[str], stdin: str | None = None) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    os.environ["DLEXAM_STORE"] = os.path.join(tempfile.mkdtemp(), "bench.sqlite3")
    rows = [
        ("python -c pass (baseline)", [sys.executable, "-c", "pass"], None),
        ("python -c 'import torch' (baseline)", [sys.executable, "-c", "import torch"], None),
        ("dlexam --help", [BIN, "--help"], None),
        ("dlexam practice --family concepts (first question)", [BIN, "practice", "--family", "concepts"], "q\n"),
        # any family: the first question may need torch (2 s) or sympy (0.5 s) to be posed
        ("dlexam practice (any family, first question)", [BIN, "practice"], "q\n"),
    ]
    print(f"median wall time over {RUNS} runs")
    for label, cmd, stdin in rows:
        print(f"{label:<44} {median_seconds(cmd, stdin):6.3f} s")


if __name__ == "__main__":
    main()
