"""A batch with hostile files costs little more than the benign files alone.

    .venv/bin/python benchmarks/sandbox_batch.py [--jobs 2] [--rounds 3]

Grades, as `dlexam grade-code adversarial FILES --jobs N` does, (a) 14 benign files, then
(b) the same 14 with 5 hostile files and one exotic-dtype file mixed in (20 files). Prints
both wall times and their ratio (the goal: at most 1.5), checks that every file got a
result in argument order, and the peak memory all sandboxes held at once, read from the
grader's cgroup (`sandbox_cgroup.grader_memory_peak`), against the per-sandbox limit × jobs.
On a shared machine the load drifts: `--rounds N` alternates the two batches N times and
prints each round's ratio and their median, and the ratio of CPU time (this grader and all its
sandboxes, from their parent cgroup), which others' load moves less.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dlexam.commands.grade_code import configure, run  # noqa: E402
from dlexam.engines.sandbox import Limits  # noqa: E402
from dlexam.engines.sandbox_cgroup import cgroup_support, grader_cpu_seconds, grader_memory_peak  # noqa: E402

CORPUS = ROOT / "tests" / "submissions"
BENIGN = ["clean_sgd", "clamped", "adam", "seed_student_corrected", "returns_x", "wrong_sign", "no_zero_grad"]
HOSTILE = ["busy_sessions", "memfd_hog", "fork_memory", "attempts_then_attacks", "forged_shared_lists"]
EXOTIC = "returns_float8"


def files(folder: Path, hostile: bool) -> list[str]:
    out = []
    for i in range(14):
        name = BENIGN[i % len(BENIGN)]
        target = folder / f"b{i:02d}_{name}.py"
        shutil.copyfile(CORPUS / "adversarial" / f"{name}.py", target)
        out.append(str(target))
    if hostile:
        for i, name in enumerate([*HOSTILE, EXOTIC]):
            target = folder / f"h{i}_{name}.py"
            shutil.copyfile(CORPUS / "hostile" / f"{name}.py", target)
            out.insert(3 * i + 1, str(target))
    return out


def cpu_seconds() -> float:
    """CPU time of this grader and of all its sandboxes, from their parent cgroup (others' load
    moves it less than wall time)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime + (grader_cpu_seconds() or 0.0)


def batch(paths: list[str], jobs: int) -> tuple[float, dict]:
    parser = argparse.ArgumentParser()
    configure(parser)   # the command's own options and defaults, as `dlexam grade-code` parses them
    args = parser.parse_args(["adversarial", *paths, "--jobs", str(jobs)])
    started = time.perf_counter()
    result = run(args)
    return time.perf_counter() - started, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=1, help="alternate the two batches this often")
    options = parser.parse_args()
    jobs, ratios, cpu_ratios = options.jobs, [], []
    with tempfile.TemporaryDirectory() as tmp:
        benign_dir, mixed_dir = Path(tmp, "benign"), Path(tmp, "mixed")
        benign_dir.mkdir(), mixed_dir.mkdir()
        benign = files(benign_dir, hostile=False)
        mixed = files(mixed_dir, hostile=True)
        batch(benign[:2], jobs)  # warm the grader's caches (reference attack, classifier)
        for round_ in range(options.rounds):
            cpu = cpu_seconds()
            alone, _ = batch(benign, jobs)
            cpu_alone, cpu = cpu_seconds() - cpu, cpu_seconds()
            together, result = batch(mixed, jobs)
            cpu_together = cpu_seconds() - cpu
            ratios.append(together / alone)
            cpu_ratios.append(cpu_together / cpu_alone)
            print(f"round {round_ + 1}: 14 benign files {alone:.1f} s ({cpu_alone:.0f} s CPU), 20 files "
                  f"{together:.1f} s ({cpu_together:.0f} s CPU), ratio {together / alone:.2f} "
                  f"(CPU {cpu_together / cpu_alone:.2f})", flush=True)
    order = [Path(r["file"]).name for r in result["results"]]
    assert order == [Path(p).name for p in mixed], "results out of order"
    scores = {Path(r["file"]).stem: r["score"] for r in result["results"]}
    hostile_scores = {k: v for k, v in scores.items() if k.startswith("h")}
    peak = grader_memory_peak()
    limit = Limits().memory_bytes * jobs
    print(f"cgroup: {cgroup_support()[0] or 'none (' + cgroup_support()[1] + ')'}; jobs {jobs}")
    print(f"last round: 14 benign files: {alone:.1f} s; 20 files (5 hostile, 1 float8): {together:.1f} s; "
          f"ratio {together / alone:.2f} (goal <= 1.5)")
    if len(ratios) > 1:
        print(f"ratios {', '.join(f'{r:.2f}' for r in ratios)}; median {statistics.median(ratios):.2f}; "
              f"CPU ratios {', '.join(f'{r:.2f}' for r in cpu_ratios)}; median {statistics.median(cpu_ratios):.2f}")
    print(f"hostile and exotic scores: {hostile_scores}")
    for r in result["results"]:
        box = r.get("sandbox", {})
        print(f"  {Path(r['file']).stem:32} score {r['score']:4g}  sandbox {box.get('seconds', 0):5.1f} s wall, "
              f"{box.get('cpu_seconds', 0):5.1f} s CPU")
    print(f"peak memory of all sandboxes: {peak / 2**20:.0f} MiB (limit per sandbox x jobs: {limit / 2**20:.0f} MiB)"
          if peak else "peak memory: not measurable without a cgroup")


if __name__ == "__main__":
    main()
