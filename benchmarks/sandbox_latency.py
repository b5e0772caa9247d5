"""Wall latency per submission: warm sandbox pool vs. a fresh sandbox per submission.

    .venv/bin/python benchmarks/sandbox_latency.py [--n 8] [--pool 2]

The submission is adversarial-style: x.clone() plus 1000 SGD steps on a tiny model.
Rows:
  fresh sandbox      start a sandbox (import torch) for each submission, run it, discard it
  warm pool          the pool is warm when each submission arrives (latency a student sees)
  warm pool, burst   submissions back to back: the pool must refill (sustained throughput)
  parallel batch     as `grade-code` grades a folder: one thread per sandbox, all submissions at
                     once; also prints how busy the machine's cores were (from /proc/stat)
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import torch

from dlexam.engines.sandbox import Job, ModelSpec, SandboxPool, build_model, isolation_kind, run_fresh

SOURCE = """
import torch
def adversarial(x, t, model):
    z = x.clone().requires_grad_()
    opt = torch.optim.SGD([z], lr=0.01)
    for _ in range(1000):
        opt.zero_grad()
        loss = ((x - z) ** 2).sum() + torch.relu(t * model(z)).sum()
        loss.backward()
        opt.step()
    return z.detach()
"""
LAYERS = [["Linear", [16, 8]], ["ReLU"], ["Linear", [8, 1]]]


def make_job() -> Job:
    torch.manual_seed(0)
    model = build_model(LAYERS)
    x, t = torch.rand(8, 16), torch.where(torch.rand(8, 1) < 0.5, -1.0, 1.0)
    return Job("adversarial", ("x", "t", "model"), {"x": x, "t": t}, ModelSpec(LAYERS, model.state_dict()))


def timed(run) -> float:
    started = time.perf_counter()
    result = run()
    if not result.ok:
        raise SystemExit(f"benchmark submission failed: {result.status}: {result.message}")
    return time.perf_counter() - started


def row(name: str, latencies: list[float], elapsed: float) -> str:
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    per_minute = 60 * len(latencies) / elapsed
    return f"{name:<20} {statistics.median(latencies):>9.2f} {p95:>9.2f} {per_minute:>12.1f}"


def busy_jiffies() -> tuple[int, int]:
    """(busy, total) CPU time of all cores since boot, in clock ticks."""
    with open("/proc/stat") as stat:
        fields = [int(v) for v in stat.readline().split()[1:]]
    idle = fields[3] + fields[4]   # idle + iowait
    return sum(fields) - idle, sum(fields)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=8, help="submissions per row")
    parser.add_argument("--pool", type=int, default=2, help="warm pool size")
    args = parser.parse_args()
    job = make_job()

    started = time.perf_counter()
    fresh = [timed(lambda: run_fresh(SOURCE, job, timeout=30)) for _ in range(args.n)]
    fresh_elapsed = time.perf_counter() - started

    with SandboxPool(args.pool) as pool:
        warm, busy = [], 0.0
        for _ in range(args.n):
            pool.wait_ready()  # idle time between submissions is not counted
            warm.append(timed(lambda: pool.run(SOURCE, job, timeout=30)))
            busy += warm[-1]
        pool.wait_ready()
        started = time.perf_counter()
        burst = [timed(lambda: pool.run(SOURCE, job, timeout=30)) for _ in range(args.n)]
        burst_elapsed = time.perf_counter() - started

        pool.wait_ready()
        cpu_before, started = busy_jiffies(), time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.pool) as executor:
            batch = list(executor.map(lambda _: timed(lambda: pool.run(SOURCE, job, timeout=60)), range(args.n)))
        batch_elapsed = time.perf_counter() - started
        cpu_after = busy_jiffies()

    print(f"isolation: {isolation_kind()}, {args.n} submissions per row, pool size {args.pool}")
    print(f"{'':<20} {'median s':>9} {'p95 s':>9} {'subm./min':>12}")
    print(row("fresh sandbox", fresh, fresh_elapsed))
    print(row("warm pool", warm, busy))
    print(row("warm pool, burst", burst, burst_elapsed))
    print(row("parallel batch", batch, batch_elapsed))
    cores = (cpu_after[0] - cpu_before[0]) / (cpu_after[1] - cpu_before[1]) * (os.cpu_count() or 1)
    print(f"parallel batch kept {cores:.2f} of {os.cpu_count()} cores busy on average")
    print("warm pool subm./min counts only the time spent grading (the pool was refilled in between).")


if __name__ == "__main__":
    main()
