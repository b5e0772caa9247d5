"""The queue for real: Debian's redis-server and PostgreSQL on this machine, two `dlexam worker` processes as
two hosts (their own --hostname, their own process groups), kill -9 mid-job, a broker restart. Every
submission is graded exactly once — counted by a trigger on the result column, not by looking at rows.

Jobs are mostly `noop` (sleeps; its cost is the queue's own) and files that do not parse (graded without a
sandbox); the test with real attacks runs torch sandboxes and is marked slow. Limits are shortened by the
environment: a job's time limit 4 s, so a dead host's rows look dead after 8 s; the sweep runs every second.
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import postgres_server
import pytest
import redis_server
from sqlalchemy import text

from dlexam.queue import submissions as queue
from dlexam.queue.rows import engine
from dlexam.store import submissions as rows

SUBMISSIONS = Path(__file__).parent / "submissions"
SYNTAX_ERROR = SUBMISSIONS / "colorize" / "syntax_error.py"
DLEXAM = [sys.executable, "-c", "import sys; from dlexam.cli import main; sys.exit(main())"]
COUNT_WRITES = """
CREATE TABLE result_writes (key text NOT NULL, worker text, status text);
CREATE FUNCTION count_write() RETURNS trigger AS $$
BEGIN INSERT INTO result_writes VALUES (NEW.key, NEW.worker, NEW.status); RETURN NEW; END $$ LANGUAGE plpgsql;
CREATE TRIGGER counted AFTER UPDATE OF result ON submissions FOR EACH ROW WHEN (NEW.result IS NOT NULL)
EXECUTE FUNCTION count_write();
"""


def _needs(found: bool, what: str) -> None:
    if not found and not os.environ.get("CI"):
        pytest.skip(f"{what} is not installed (scripts/install-system-deps.sh installs it; under CI it must be)")


@pytest.fixture(scope="module")
def services():
    _needs(redis_server.binary() is not None, "redis-server")
    _needs(postgres_server.binaries() is not None, "PostgreSQL")
    broker, database = redis_server.start(persistent=False), postgres_server.start()
    yield {"broker": broker, "database": database, "env": queue_env(broker, database, "queue", 0)}
    broker.stop()
    database.stop()


def queue_env(broker, database, name: str, index: int) -> dict:
    """A queue of its own: a new database (every result write counted) and broker database `index`.
    Workers sharing a store must share its broker: each re-sends the store's lost rows to its own."""
    url = database.create_database(name)
    with engine(url).connect() as conn, conn.begin():   # migrated by engine(); then count every result write
        conn.execute(text(COUNT_WRITES))
    return {"DLEXAM_BROKER_URL": broker.url.replace("/0", f"/{index}"), "DLEXAM_DATABASE_URL": url,
            "DLEXAM_JOB_SECONDS": "4", "DLEXAM_SWEEP_SECONDS": "1", "DLEXAM_WORKER_WARM": "0"}


class Host:
    """One `dlexam worker` process group standing for one machine."""

    def __init__(self, name: str, env: dict, concurrency: int, log: Path):
        self.name, self.log, self.env, self.concurrency = name, log, env, concurrency
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen([*DLEXAM, "worker", "--concurrency", str(self.concurrency),
                                         "--hostname", self.name], env={**os.environ, **self.env},
                                        stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 120
        while (f"{self.name} ready." not in (text := self.log.read_text())
               or text.count("ready to grade") < self.concurrency):
            assert self.process.poll() is None and time.monotonic() < deadline, text[-3000:]
            time.sleep(0.1)

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """The machine dies: kill -9 the worker and its pool processes at once."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        self.kill()


def _pair(services, logs: Path, concurrency: int, **env):
    started = [Host(f"{name}@test", {**services["env"], **env}, concurrency, logs / f"{name}.log")
               for name in ("a", "b")]
    yield started
    for host in started:
        host.stop()


def _use(hosts, monkeypatch):
    for name, value in hosts[0].env.items():
        monkeypatch.setenv(name, value)
    for host in hosts:
        if not host.alive():
            host.start()
    return hosts


@pytest.fixture(scope="module")
def noop_pair(services, tmp_path_factory):
    yield from _pair(services, tmp_path_factory.mktemp("noop"), 2)


@pytest.fixture(scope="module")
def grading_pair(services, tmp_path_factory):
    """One host (a third) with a queue of its own, so no-op hosts never take a real file."""
    env = {**queue_env(services["broker"], services["database"], "grading", 1), "DLEXAM_WORKER_WARM": "imports"}
    host = Host("g@test", env, 2, tmp_path_factory.mktemp("grading") / "g.log")
    yield [host]
    host.stop()


@pytest.fixture
def hosts(noop_pair, monkeypatch):
    """Two hosts of two job slots each, for no-op jobs (no grader imported); one killed is started again."""
    return _use(noop_pair, monkeypatch)


@pytest.fixture
def grading_hosts(grading_pair, monkeypatch):
    """A host of two slots whose graders are imported before the first job (no sandbox started)."""
    return _use(grading_pair, monkeypatch)


def writes(keys) -> dict[str, int]:
    with engine().connect() as conn:
        found = conn.execute(text("SELECT key, count(*) FROM result_writes WHERE key = ANY(:keys) GROUP BY key"),
                             {"keys": list(keys)}).all()
    return dict(found)


def wait_all(keys, seconds=60):
    deadline = time.monotonic() + seconds
    while True:
        subs = rows.many(engine(), list(keys))
        if all(sub.status in ("done", "failed") for sub in subs.values()):
            return subs
        assert time.monotonic() < deadline, {k: (s.status, s.tries, s.worker) for k, s in subs.items()}
        time.sleep(0.1)


def wait_running(key, tries=1, seconds=30):
    deadline = time.monotonic() + seconds
    while (sub := rows.get(engine(), key)).status != "running" or sub.tries != tries:
        assert time.monotonic() < deadline and sub.status not in ("done", "failed"), sub
        time.sleep(0.02)
    return sub


def running_on(host: str, keys, seconds=30):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for sub in rows.many(engine(), list(keys)).values():
            if sub.status == "running" and sub.worker.startswith(f"{host}/"):
                return sub
        time.sleep(0.02)
    raise AssertionError(f"no job of {keys} ran on {host}")


def test_two_hosts_grade_a_batch_each_submission_exactly_once(hosts):
    keys = queue.submit_many("noop", [(f"n{i}.py", "0.3") for i in range(24)], batch="two-hosts")
    subs = wait_all(keys)
    assert {sub.status for sub in subs.values()} == {"done"}
    assert writes(keys) == dict.fromkeys(keys, 1)
    assert {sub.worker.split("/")[0] for sub in subs.values()} == {"a@test", "b@test"}
    assert queue.progress("two-hosts") == {"done": 24, "queued": 0, "running": 0, "failed": 0}


def test_a_pool_process_killed_mid_job_is_graded_once_elsewhere(hosts):
    key = queue.submit("noop", "slow.py", "2", batch="kill-process")
    victim = wait_running(key)
    os.kill(int(victim.worker.split("/")[1]), signal.SIGKILL)
    done = wait_all([key])[key]
    assert (done.status, done.tries) == ("done", 2) and done.worker != victim.worker
    assert done.result["slept"] == 2.0
    assert writes([key]) == {key: 1}


def test_a_host_killed_mid_job_loses_nothing(hosts):
    keys = queue.submit_many("noop", [(f"h{i}.py", "3") for i in range(4)], batch="kill-host")
    running_on("a@test", keys)
    hosts[0].kill()
    cut = [sub.key for sub in rows.many(engine(), keys).values() if sub.status == "running" and
           sub.worker.startswith("a@test/")]          # read after the kill: these were cut mid-job
    assert cut
    subs = wait_all(keys, seconds=60)
    assert {sub.status for sub in subs.values()} == {"done"}
    assert all(subs[key].worker.startswith("b@test/") and subs[key].tries == 2 for key in cut)
    assert writes(keys) == dict.fromkeys(keys, 1)


def test_a_submission_whose_grader_dies_every_time_fails_after_three_tries(hosts):
    key = queue.submit("noop", "crasher.py", "3", batch="crasher")
    for attempt in (1, 2, 3):
        os.kill(int(wait_running(key, tries=attempt).worker.split("/")[1]), signal.SIGKILL)
    failed = wait_all([key])[key]
    assert failed.status == "failed" and failed.tries == 3
    assert "stopped 3 times" in failed.error
    assert queue.result(key)["status"] == "failed"
    assert queue.progress("crasher")["failed"] == 1 and writes([key]) == {}


def test_a_job_past_its_time_limit_fails_with_that_reason(hosts):
    key = queue.submit("noop", "endless.py", "30", batch="limit")
    failed = wait_all([key], seconds=30)[key]
    assert failed.status == "failed" and "time limit of 4 s" in failed.error
    assert failed.finished - failed.started < 10
    assert writes([key]) == {key: 1}      # the failure's 0 in grade-code's shape, written once


def test_grade_code_through_the_queue_prints_what_it_prints_in_process(grading_hosts, tmp_path):
    files = [str(SYNTAX_ERROR), str(SUBMISSIONS / "colorize" / "syntax_error.py"), "/dev/null"]
    queued = subprocess.run([*DLEXAM, "grade-code", "colorize", *files, "--json", "--batch", "cli"],
                            capture_output=True, text=True, timeout=120)
    env = {k: v for k, v in os.environ.items() if k not in ("DLEXAM_BROKER_URL", "DLEXAM_DATABASE_URL")}
    local = subprocess.run([*DLEXAM, "grade-code", "colorize", *files, "--json"], capture_output=True, text=True,
                           timeout=120, env=env)
    assert queued.returncode == local.returncode == 0, queued.stderr
    assert json.loads(queued.stdout) == json.loads(local.stdout)
    assert "batch cli" in queued.stderr
    shown = subprocess.run([*DLEXAM, "grade-code", "--progress", "cli"], capture_output=True, text=True, timeout=60)
    assert shown.stdout.strip() == "Batch cli: 2 of 2 graded, 0 running, 0 queued, 0 failed"
    keys = rows.batch_keys(engine(), "cli")
    assert len(keys) == 2 and writes(keys) == dict.fromkeys(keys, 1)


def test_a_broker_restarted_mid_run_without_persistence_loses_nothing(hosts, services):
    keys = queue.submit_many("noop", [(f"r{i}.py", "0.5") for i in range(24)], batch="restart")
    while queue.progress("restart")["done"] < 4:
        time.sleep(0.05)
    services["broker"].restart()            # kill -9 and start empty: every message in it is gone
    subs = wait_all(keys, seconds=90)
    assert {sub.status for sub in subs.values()} == {"done"}
    assert writes(keys) == dict.fromkeys(keys, 1)


@pytest.mark.slow
def test_real_attacks_are_graded_by_the_workers_as_in_process(services, monkeypatch, tmp_path):
    env = {**queue_env(services["broker"], services["database"], "attacks", 2), "DLEXAM_JOB_SECONDS": "120",
           "DLEXAM_WORKER_WARM": "1"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    host = Host("attack@test", env, 2, tmp_path / "attack.log")
    try:
        files = [str(SUBMISSIONS / "adversarial" / name) for name in ("clean_sgd.py", "wrong_sign.py")]
        queued = subprocess.run([*DLEXAM, "grade-code", "adversarial", *files, "--json", "--batch", "attacks"],
                                capture_output=True, text=True, timeout=300)
    finally:
        host.stop()
    keys = rows.batch_keys(engine(), "attacks")
    assert len(keys) == 2 and writes(keys) == dict.fromkeys(keys, 1)
    plain = {k: v for k, v in os.environ.items() if k not in ("DLEXAM_BROKER_URL", "DLEXAM_DATABASE_URL")}
    local = subprocess.run([*DLEXAM, "grade-code", "adversarial", *files, "--json"], capture_output=True,
                           text=True, timeout=300, env=plain)
    got, expected = json.loads(queued.stdout)["results"], json.loads(local.stdout)["results"]
    for r in got + expected:                 # the sandbox's own timings differ run to run
        for timing in ("seconds", "cpu_seconds"):
            r["sandbox"].pop(timing)
    assert [r["score"] for r in got] == [r["score"] for r in expected]
    assert got[0]["score"] == got[0]["max_score"] and got[1]["score"] < got[1]["max_score"]
    assert [[c["passed"] for c in r["checks"]] for r in got] == [[c["passed"] for c in r["checks"]] for r in expected]
