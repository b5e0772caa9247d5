"""Load on loopback: simulated students against `dlexam serve`, then a burst of code submissions.

    .venv/bin/python benchmarks/web_load.py [--students 50] [--seconds 30] [--burst 50]
                                            [--code adversarial/clean_sgd.py] [--burst-seconds 400]

`dlexam serve` runs in a subprocess over a temporary SQLite store (in-process grading pool, no broker).
Each student is an httpx.AsyncClient with its own session: signs in, starts the class's mock exam, then
for --seconds repeats, with 0.5-1.5 s of thinking between clicks: the practice page, a multiple-choice
question (a random family of exam task 1, a random seed), its answer (graded, not code), the result
page, an exam task page, an exam answer saved as entered (the autosave fetch), results and progress.
Baseline in the same run: GET /healthz, idle before the load and polled every 0.1 s during it.

Then the burst: every student sends one code answer at once (POST /code/submit, --code from
tests/submissions, default the small correct attack clean_sgd.py: a full grade, not a shortcut) and
polls GET /code/{key} every 0.5 s; the students keep clicking pages meanwhile. Reported: the time
until all are graded, the wait per submission (p50, p95), and the page latencies during the burst.

Sign-in (argon2, about 0.1 s of CPU each on purpose) and starting the exam are timed apart, and 5 s of
clicking warm the server up before the measured --seconds. Bounded: --seconds of page load, at most --burst-seconds for the burst; the server is stopped at the end.
Latencies are measured by the clients (which share the machine's cores with the server).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

PASSWORD = "correct horse battery"
CHOICE = ["concepts", "loss-properties", "parameters", "output-shape", "unused-inputs", "receptive-field"]
EXAM_SEED = 11
WARM_UP = 5.0          # seconds of clicking before the measured load (first renders, imports, caches)
CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)">')
HTML = {"accept": "text/html"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, int(round(q / 100 * len(ordered) + 0.5)) - 1))   # nearest rank
    return ordered[index]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` (from /proc; its own threads, not its children)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def make_users(store_path: Path, count: int) -> list[str]:
    """Accounts written straight into the store (one argon2 hash, reused: the benchmark is not sign-up)."""
    from dlexam.store import Store, users
    from dlexam.web.auth import hash_password

    hashed = hash_password(PASSWORD)
    names = [f"student{i:02d}" for i in range(count)]
    with Store(store_path) as store:
        for name in names:
            users.add(store, name, hashed)
    return names


def start_server(folder: Path, port: int) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DLEXAM_")}
    env.update(DLEXAM_STORE=str(folder / "store.sqlite3"), DLEXAM_SECRET_KEY=secrets.token_urlsafe(32))
    log = open(folder / "server.log", "wb")
    return subprocess.Popen([str(Path(sys.executable).parent / "dlexam"), "serve", "--port", str(port)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def wait_healthy(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("dlexam serve exited; see its log")
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("dlexam serve did not answer /healthz")


class Student:
    def __init__(self, base: str, name: str, times: dict, rng: random.Random):
        self.client = httpx.AsyncClient(base_url=base, headers=HTML, timeout=60)
        self.name, self.times, self.rng = name, times, rng
        self.csrf, self.exam, self.labels = "", None, []

    async def timed(self, kind: str, method: str, url: str, **kwargs) -> httpx.Response:
        started = time.perf_counter()
        response = await self.client.request(method, url, **kwargs)
        self.times[kind].append(time.perf_counter() - started)
        if response.status_code >= 400:
            self.times["errors"].append(f"{kind} {response.status_code}")
        return response

    async def sign_in(self) -> None:
        page = await self.timed("GET /signin", "GET", "/signin")
        token = CSRF.search(page.text).group(1)
        await self.timed("POST /signin (argon2)", "POST", "/signin",
                         data={"csrf": token, "name": self.name, "password": PASSWORD})
        home = await self.timed("GET /", "GET", "/")
        self.csrf = CSRF.search(home.text).group(1)

    async def start_exam(self) -> None:
        response = await self.timed("POST /exam/start", "POST", "/exam/start",
                                    data={"csrf": self.csrf, "seed": str(EXAM_SEED)}, follow_redirects=False)
        self.exam = int(response.headers["location"].split("/")[2])
        from dlexam.exam.plan import plan

        self.labels = [t["label"] for t in plan(EXAM_SEED).to_json()["tasks"] if t["task"] == 1]

    async def click(self) -> None:
        """One thing a student does; each kind is a page (or fetch) that grades no code."""
        rng = self.rng
        choice = rng.random()
        if choice < 0.15:
            await self.timed("GET /practice", "GET", "/practice")
        elif choice < 0.55:
            family, seed = rng.choice(CHOICE), rng.randrange(2**32)
            await self.timed("GET question", "GET", f"/practice/{family}/{seed}")
            answer = rng.choice("abc")
            response = await self.timed("POST answer (graded)", "POST", f"/practice/{family}/{seed}",
                                        data={"csrf": self.csrf, "answer": answer}, follow_redirects=False)
            if response.status_code == 303:
                await self.timed("GET result", "GET", response.headers["location"])
        elif choice < 0.75:
            label = rng.choice(self.labels)
            await self.timed("GET exam task", "GET", f"/exam/{self.exam}/task/{label}")
            await self.timed("POST exam answer (save)", "POST", f"/exam/{self.exam}/answer",
                             json={"label": label, "text": rng.choice("abcd")},
                             headers={"X-CSRF-Token": self.csrf, "accept": "application/json"})
        elif choice < 0.9:
            await self.timed("GET /results", "GET", "/results")
        else:
            await self.timed("GET /progress", "GET", "/progress")

    async def browse(self, until: float) -> None:
        while time.monotonic() < until:
            await asyncio.sleep(self.rng.uniform(0.5, 1.5))
            if time.monotonic() >= until:
                break
            await self.click()

    async def submit_code(self, source: str) -> float | None:
        """Send one code answer; poll until graded; the wait in seconds (None if refused or not done)."""
        response = await self.timed("POST /code/submit", "POST", "/code/submit",
                                    json={"family": "adversarial", "seed": 0, "source": source},
                                    headers={"X-CSRF-Token": self.csrf, "accept": "application/json"})
        sent = time.perf_counter()
        key = response.json().get("key")
        if key is None:
            self.times["errors"].append(f"code refused: {response.json().get('error')}")
            return None
        while True:
            await asyncio.sleep(0.5)
            state = (await self.timed("GET /code/{key}", "GET", f"/code/{key}",
                                      headers={"accept": "application/json"})).json()
            if state.get("status") not in ("queued", "running"):
                self.times["scores"].append(state.get("score"))
                if not state.get("score"):
                    self.times["errors"].append(f"graded 0: {state.get('error') or state.get('checks', [{}])[0]}"[:300])
                return time.perf_counter() - sent


async def probe(base: str, until: float, times: list[float]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as client:
        while time.monotonic() < until:
            started = time.perf_counter()
            await client.get("/healthz")
            times.append(time.perf_counter() - started)
            await asyncio.sleep(0.1)


async def load(base: str, pid: int, names: list[str], seconds: float, burst: int, source: str,
               burst_seconds: float) -> dict:
    times: dict = defaultdict(list)
    idle = times["baseline /healthz idle"]
    async with httpx.AsyncClient(base_url=base) as client:
        for _ in range(50):
            started = time.perf_counter()
            await client.get("/healthz")
            idle.append(time.perf_counter() - started)
    students = [Student(base, name, times, random.Random(i)) for i, name in enumerate(names)]
    await asyncio.gather(*(s.sign_in() for s in students))
    await asyncio.gather(*(s.start_exam() for s in students))
    setup_times = {k: list(v) for k, v in times.items()}
    times.clear()
    await asyncio.gather(*(s.browse(time.monotonic() + WARM_UP) for s in students))   # first renders, caches
    times.clear()
    load_before, cpu_before = os.getloadavg()[0], cpu_seconds(pid)
    until = time.monotonic() + seconds
    await asyncio.gather(probe(base, until, times["baseline /healthz under load"]), *(s.browse(until) for s in students))
    server_cpu = cpu_seconds(pid) - cpu_before
    page_times = {k: list(v) for k, v in times.items()}
    times.clear()
    result = {"setup": setup_times, "load": (load_before, os.getloadavg()[0]), "server_cpu": server_cpu,
              "pages": page_times, "seconds": seconds}
    if burst == 0:
        for s in students:
            await s.client.aclose()
        return result
    burst_started = time.perf_counter()
    until = time.monotonic() + burst_seconds
    browsing = [asyncio.create_task(s.browse(until)) for s in students]
    probing = asyncio.create_task(probe(base, until, times["baseline /healthz under load"]))
    waits = await asyncio.wait_for(asyncio.gather(*(s.submit_code(source) for s in students[:burst])), burst_seconds)
    all_done = time.perf_counter() - burst_started
    for task in [*browsing, probing]:
        task.cancel()
    await asyncio.gather(*browsing, probing, return_exceptions=True)
    for s in students:
        await s.client.aclose()
    return {**result, "burst_pages": {k: list(v) for k, v in times.items()}, "waits": waits, "all_done": all_done}


PAGE_EXCLUDED = ("baseline", "errors", "scores", "POST /signin", "/code/")


def table(title: str, times: dict) -> list[float]:
    print(f"\n{title}")
    print(f"  {'request':34s} {'n':>5s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s}")
    pages: list[float] = []
    for kind in sorted(times):
        values = times[kind]
        if kind in ("errors", "scores") or not values:
            continue
        print(f"  {kind:34s} {len(values):5d} {1000 * statistics.median(values):8.1f} "
              f"{1000 * percentile(values, 95):8.1f} {1000 * max(values):8.1f}")
        if not any(word in kind for word in PAGE_EXCLUDED):
            pages += values
    if pages:
        print(f"  {'ALL pages that grade no code':34s} {len(pages):5d} {1000 * statistics.median(pages):8.1f} "
              f"{1000 * percentile(pages, 95):8.1f} {1000 * max(pages):8.1f}")
    if times.get("errors"):
        print(f"  errors: {len(times['errors'])}, e.g. {times['errors'][:3]}")
    return pages


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0, help="of page load before the burst")
    parser.add_argument("--burst", type=int, default=50, help="code submissions sent at once")
    parser.add_argument("--burst-seconds", type=float, default=400.0, help="the burst's time limit")
    parser.add_argument("--code", default="adversarial/clean_sgd.py", help="a file below tests/submissions")
    parser.add_argument("--wal", action="store_true", help="switch the SQLite store to WAL first (an experiment: "
                                                             "the store itself uses the rollback journal)")
    args = parser.parse_args()
    if not 0 <= args.burst <= args.students <= 200 or not 1 <= args.seconds <= 600:
        raise SystemExit("0 <= --burst <= --students <= 200 and 1 <= --seconds <= 600")
    source = (ROOT / "tests" / "submissions" / args.code).read_text()
    with tempfile.TemporaryDirectory(prefix="dlexam-web-load-") as tmp:
        folder = Path(tmp)
        names = make_users(folder / "store.sqlite3", args.students)
        if args.wal:
            import sqlite3

            with sqlite3.connect(folder / "store.sqlite3") as db:
                print("journal mode:", db.execute("PRAGMA journal_mode=WAL").fetchone()[0])
        port = free_port()
        server = start_server(folder, port)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(base, server)
            print(f"dlexam serve on {base}: {args.students} students, {args.seconds:g} s of pages, then a burst of "
                  f"{args.burst} code submissions ({args.code}); {os.cpu_count()} cores")
            result = asyncio.run(load(base, server.pid, names, args.seconds, args.burst, source, args.burst_seconds))
        finally:
            os.killpg(server.pid, signal.SIGINT)
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
            problems = [line for line in (folder / "server.log").read_text(errors="replace").splitlines()
                        if "Error" in line or "error" in line.split(":", 1)[0]]
            if problems:
                print(f"server log: {len(problems)} error lines, the last: " + " | ".join(problems[-5:]))
    table(f"Setup: {args.students} students sign in and start the mock exam at once (not in the target)",
          result["setup"])
    pages = table(f"Pages, {args.students} students clicking for {args.seconds:g} s after {WARM_UP:g} s of warm-up "
                  f"(host load average {result['load'][0]:.1f} before, {result['load'][1]:.1f} after)", result["pages"])
    rate = len(pages) / result["seconds"]
    p95 = 1000 * percentile(pages, 95)
    requests = sum(len(v) for k, v in result["pages"].items() if k not in ("errors", "scores"))
    print(f"  {rate:.0f} page requests/s; p95 {p95:.1f} ms (target < 100 ms): {'met' if p95 < 100 else 'NOT met'}")
    print(f"  the server's own CPU: {result['server_cpu']:.1f} s for {requests} requests (pages and /healthz) = "
          f"{1000 * result['server_cpu'] / max(1, requests):.1f} ms each, {100 * result['server_cpu'] / result['seconds']:.0f} % "
          f"of one core")
    if not args.burst:
        return
    table(f"Pages during the burst of {args.burst} code submissions", result["burst_pages"])
    waits = [w for w in result["waits"] if w is not None]
    scores = result["burst_pages"].get("scores", [])
    print(f"\nBurst: {len(waits)}/{args.burst} graded in {result['all_done']:.1f} s; wait p50 "
          f"{statistics.median(waits):.1f} s, p95 {percentile(waits, 95):.1f} s, max {max(waits):.1f} s; "
          f"scores {sorted(set(scores))}")


if __name__ == "__main__":
    main()
