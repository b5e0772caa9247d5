"""Time to typeset exam sheets with their keys (`dlexam paper`).

Three figures: one exam and its key from the command line (a fresh process: imports of torch,
SymPy and matplotlib included), one exam and its key in a warm process (what the typesetting
itself costs), and K variants (default 30) from the command line, on all cores.

    .venv/bin/python benchmarks/paper.py [K]
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

K = int(sys.argv[1]) if len(sys.argv) > 1 else 30
BIN = os.path.join(os.path.dirname(sys.executable), "dlexam")


def command_seconds(seed: int, variants: int, out: str) -> float:
    start = time.perf_counter()
    subprocess.run([BIN, "paper", "--seed", str(seed), "--variants", str(variants), "--out", out, "--json"],
                   capture_output=True, check=True)
    return time.perf_counter() - start


def warm_seconds(out: Path) -> float:
    from dlexam.exam.paper import write_papers
    write_papers(100, 1, out / "warm-up")
    start = time.perf_counter()
    write_papers(101, 1, out / "warm")
    return time.perf_counter() - start


def main() -> None:
    with tempfile.TemporaryDirectory() as out:
        print(f"one exam + key, command line: {command_seconds(7, 1, out + '/one'):.2f} s")
        print(f"one exam + key, warm process:  {warm_seconds(Path(out)):.2f} s")
        print(f"{K} exams + keys, command line ({os.cpu_count()} cores): {command_seconds(1000, K, out + '/many'):.2f} s")


if __name__ == "__main__":
    main()
