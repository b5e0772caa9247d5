"""Grading through the queue: throughput with 1 and 2 worker processes, per-job CPU, the queue's own
overhead per job, a deadline burst of 200 submissions, and a projection for 10 hosts x 8 cores.

    .venv/bin/python benchmarks/queue_throughput.py [--files 8] [--burst 200]

Starts its own redis-server (Debian's) and PostgreSQL (tests/redis_server.py, tests/postgres_server.py)
and `dlexam worker` processes, each with --concurrency 1 and its own --hostname, as separate hosts would.

1. Overhead: 100 no-op jobs (the `noop` task: sleeps 0 s) through the whole path — submit, broker,
   worker, claim, result row, `result()` seen by the client — one worker process; against the same jobs
   graded by the in-process pool (no broker), the baseline.
2. Throughput: `--files` real adversarial submissions (tests/submissions/adversarial: clean_sgd, wrong_sign,
   adam, returns_x, no_zero_grad, clamped — run in the sandbox) with 1 worker process, then with 2.
   Per-job CPU: the CPU time the workers' process trees (judging in the pool processes, from /proc) and
   their sandboxes (each pool process's sandbox cgroup, which counts ended sandboxes too: the run and the
   start of the sandbox that replaces it) spent from the first submission to the last result, per file.
3. Burst: `--burst` files that do not parse (tests/submissions/colorize/syntax_error.py: graded without
   a sandbox, so the queue, not torch, is measured) submitted at once to 2 worker processes: time until
   all are graded, and the 95th percentile of the wait (queued -> started) and of queued -> finished.

The machine is shared: the load average at the start is printed, and the numbers are this run's.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import postgres_server  # noqa: E402
import redis_server  # noqa: E402

SUBMISSIONS = ROOT / "tests" / "submissions"
REAL = ["clean_sgd", "wrong_sign", "adam", "returns_x", "no_zero_grad", "clamped"]
DLEXAM = [sys.executable, "-c", "import sys; from dlexam.cli import main; sys.exit(main())"]


TICKS = os.sysconf("SC_CLK_TCK")


def sandboxes_cpu(pid: int) -> float:
    """CPU seconds of every sandbox the grader process `pid` started: its parent cgroup dlexam-<pid>
    (dlexam/engines/sandbox_cgroup.py) accounts them hierarchically, ended sandboxes included."""
    for line in Path(f"/proc/{pid}/cgroup").read_text().splitlines():
        _, controllers, own = line.split(":", 2)
        base = Path("/sys/fs/cgroup") / own.lstrip("/")
        if "cpuacct" in controllers.split(","):
            for mount in Path("/sys/fs/cgroup").iterdir():
                usage = mount / own.lstrip("/") / f"dlexam-{pid}" / "cpuacct.usage"
                if "cpuacct" in mount.name.split(",") and usage.exists():
                    return int(usage.read_text()) / 1e9
        if not controllers and (stat := base / f"dlexam-{pid}" / "cpu.stat").exists():
            return int(dict(line.split() for line in stat.read_text().splitlines())["usage_usec"]) / 1e6
    return 0.0


def pool_pids(worker_pid: int) -> list[int]:
    return [int(c) for task in Path(f"/proc/{worker_pid}/task").iterdir() for c in (task / "children").read_text().split()]


def job_cpu(worker_pid: int) -> float:
    """The worker's process tree (judging in its pool processes) and its pool processes' sandboxes."""
    return tree_cpu(worker_pid) + sum(sandboxes_cpu(pid) for pid in pool_pids(worker_pid))


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process tree: every live process's own time plus what it reaped of its children
    (utime + stime + cutime + cstime), so sandboxes that already ended are counted once, by their parent."""
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += sum(int(v) for v in fields[11:15]) / TICKS
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue          # it ended meanwhile; its parent reaped it (counted there) or will
    return total


class Worker:
    def __init__(self, name: str, env: dict, log: Path):
        self.log = log
        self.process = subprocess.Popen([*DLEXAM, "worker", "--concurrency", "1", "--hostname", name,
                                         "--loglevel", "INFO"], env={**os.environ, **env},
                                        stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while "ready to grade" not in log.read_text():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(log.read_text()[-3000:])
            time.sleep(0.1)

    def stop(self) -> None:
        """Warm shutdown (SIGTERM): the worker waits for its pool process, which waited for its sandboxes."""
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def workers(n: int, env: dict, tmp: Path, tag: str) -> list[Worker]:
    return [Worker(f"{tag}{i}@bench", env, tmp / f"{tag}{i}.log") for i in range(n)]


def wait_done(keys: list[str], seconds: float = 3600) -> dict:
    from dlexam.queue.rows import engine
    from dlexam.store.submissions import many

    deadline = time.monotonic() + seconds
    while True:
        subs = many(engine(), keys)
        if all(s.status in ("done", "failed") for s in subs.values()):
            return subs
        if time.monotonic() > deadline:
            raise RuntimeError("the workers did not finish in time")
        time.sleep(0.05)


def real_files(n: int) -> list[tuple[str, str]]:
    return [(f"{i:03d}_{REAL[i % len(REAL)]}.py",
             (SUBMISSIONS / "adversarial" / f"{REAL[i % len(REAL)]}.py").read_text()) for i in range(n)]


def overhead(env: dict, tmp: Path, jobs: int = 100) -> dict:
    from dlexam.queue import local
    from dlexam.queue.submissions import submit_many

    os.environ.pop("DLEXAM_BROKER_URL")          # the baseline: the in-process pool, same rows
    started = time.perf_counter()
    keys = submit_many("noop", [(f"n{i}", "0") for i in range(jobs)], batch="noop-local")
    wait_done(keys)
    in_process = (time.perf_counter() - started) / jobs
    local.shutdown()
    os.environ["DLEXAM_BROKER_URL"] = env["DLEXAM_BROKER_URL"]
    (worker,) = workers(1, env, tmp, "noop")
    started = time.perf_counter()
    keys = submit_many("noop", [(f"n{i}", "0") for i in range(jobs)], batch="noop-broker")
    submitted = time.perf_counter() - started
    wait_done(keys)
    through_broker = (time.perf_counter() - started) / jobs
    worker.stop()
    return {"jobs": jobs, "seconds_per_job_in_process": in_process, "seconds_per_job_broker": through_broker,
            "submit_seconds_per_job": submitted / jobs}


def throughput(env: dict, tmp: Path, n_workers: int, n_files: int) -> dict:
    from dlexam.queue.submissions import submit_many

    started_workers = workers(n_workers, env, tmp, f"w{n_workers}-")
    time.sleep(15)                    # each pool process's first sandbox warm, as between deadlines
    before = sum(job_cpu(w.process.pid) for w in started_workers)
    started = time.perf_counter()
    keys = submit_many("adversarial", real_files(n_files), batch=f"real-{n_workers}")
    subs = wait_done(keys)
    wall = time.perf_counter() - started
    cpu = sum(job_cpu(w.process.pid) for w in started_workers) - before
    for worker in started_workers:
        worker.stop()
    scores = sorted({(s.filename.split("_", 1)[1], s.result["score"]) for s in subs.values() if s.result})
    return {"workers": n_workers, "files": n_files, "seconds": wall, "per_minute": n_files / wall * 60,
            "cpu_seconds_per_job": cpu / n_files, "failed": sum(s.status == "failed" for s in subs.values()),
            "scores": scores}


def burst(env: dict, tmp: Path, n: int) -> dict:
    from dlexam.queue.submissions import submit_many

    source = (SUBMISSIONS / "colorize" / "syntax_error.py").read_text()
    started_workers = workers(2, env, tmp, "burst")
    started = time.perf_counter()
    keys = submit_many("colorize", [(f"s{i:03d}.py", source) for i in range(n)], batch="burst")
    subs = list(wait_done(keys).values())
    wall = time.perf_counter() - started
    for worker in started_workers:
        worker.stop()
    waits = sorted(s.started - s.queued for s in subs)
    turnaround = sorted(s.finished - s.queued for s in subs)
    p95 = max(0, int(round(0.95 * n)) - 1)
    return {"files": n, "seconds_until_all_graded": wall, "wait_p95": waits[p95], "finished_p95": turnaround[p95],
            "per_minute": n / wall * 60, "hosts": sorted({s.worker.split("/")[0] for s in subs})}


def projection(one: dict, over: dict, hosts: int = 10, cores: int = 8, students: int = 500) -> dict:
    """hosts x cores slots, one job each at a time (a sandbox has one core of CPU quota): on dedicated
    cores a job costs its CPU time (measured here: judging, the sandbox, the replacement sandbox's start)
    plus the queue's overhead. The pessimistic bound uses this run's wall time per job with one worker
    on this shared machine instead of the CPU time."""
    slots = hosts * cores
    rate = slots * 60 / (one["cpu_seconds_per_job"] + over["seconds_per_job_broker"])
    pessimistic = slots * 60 / (one["seconds"] / one["files"] + over["seconds_per_job_broker"])
    return {"hosts": hosts, "cores_per_host": cores, "slots": slots, "per_minute": rate,
            "per_minute_pessimistic": pessimistic, "students": students,
            "minutes_for_students": students / rate, "minutes_for_students_pessimistic": students / pessimistic,
            "broker_jobs_per_second": rate / 60}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=8, help="real submissions per throughput run")
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    broker, database = redis_server.start(), postgres_server.start()
    tmp = Path(tempfile.mkdtemp(prefix="dlexam-queue-bench-"))
    env = {"DLEXAM_BROKER_URL": broker.url, "DLEXAM_DATABASE_URL": database.create_database("bench"),
           "DLEXAM_WORKER_WARM": "1"}
    os.environ.update(env)
    try:
        over = overhead(env, tmp)
        one = throughput(env, tmp, 1, args.files)
        two = throughput(env, tmp, 2, args.files)
        rush = burst(env, tmp, args.burst)
    finally:
        broker.stop()
        database.stop()
    out = {"cores": os.cpu_count(), "load_average_at_start": load, "overhead": over,
           "one_worker": one, "two_workers": two, "burst": rush, "projection": projection(one, over)}
    if args.json:
        print(json.dumps(out, indent=1))
        return
    p = out["projection"]
    print(f"machine: {out['cores']} cores, load average {load:.1f} at start (shared with other work)")
    print(f"queue overhead per no-op job: {over['seconds_per_job_broker'] * 1000:.1f} ms through redis + a worker "
          f"(in-process pool: {over['seconds_per_job_in_process'] * 1000:.1f} ms; submit alone "
          f"{over['submit_seconds_per_job'] * 1000:.2f} ms)")
    for r in (one, two):
        print(f"{r['workers']} worker process(es): {r['files']} real attack files in {r['seconds']:.1f} s = "
              f"{r['per_minute']:.1f} per minute; CPU per job {r['cpu_seconds_per_job']:.1f} s; failed {r['failed']}")
    print(f"  scores: {one['scores']}")
    print(f"burst of {rush['files']} files that do not parse, 2 worker processes: all graded after "
          f"{rush['seconds_until_all_graded']:.1f} s ({rush['per_minute']:.0f}/min); 95th percentile wait "
          f"{rush['wait_p95']:.1f} s, queued->graded {rush['finished_p95']:.1f} s")
    print(f"projection, {p['hosts']} hosts x {p['cores_per_host']} cores ({p['slots']} slots): "
          f"{p['per_minute']:.0f} submissions per minute, {p['students']} students in {p['minutes_for_students']:.1f} "
          f"min (with this machine's wall time per job: {p['per_minute_pessimistic']:.0f}/min, "
          f"{p['minutes_for_students_pessimistic']:.1f} min); the broker sees {p['broker_jobs_per_second']:.1f} jobs/s")


if __name__ == "__main__":
    main()
