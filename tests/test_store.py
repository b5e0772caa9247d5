"""The practice store: attempts survive, whole or not at all, even when the process is killed."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

from dlexam.store import Attempt, Store, default_path

WRITER = """
import sys
from dlexam.store import Attempt, Store
store = Store(sys.argv[1])
grade = {"points": 1.0, "max_points": 2.0, "parts": [{"name": "x", "feedback": "y" * 20000}]}
for i in range(100000):
    attempt_id = store.record(Attempt("concepts", i, {"data": "v" * 20000}, {"parts": {"choice": ["a"]}}, grade))
    print(attempt_id, flush=True)
"""


def _attempt(points=1.0):
    return Attempt("concepts", 5, {"family": "concepts"}, {"parts": {"choice": ["a"]}},
                   {"points": points, "max_points": 1.0, "parts": []}, seconds=3.0)


def test_default_path_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DLEXAM_STORE", str(tmp_path / "mine.db"))
    assert default_path() == tmp_path / "mine.db"


def test_attempts_and_progress_read_back(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.record(_attempt(1.0))
        store.record(_attempt(0.0))
        attempts = store.attempts("concepts")
        assert [a.points for a in attempts] == [1.0, 0.0]
        assert attempts[0].answer == {"parts": {"choice": ["a"]}}
        (progress,) = store.progress()
        assert (progress.family, progress.attempts, progress.score) == ("concepts", 2, 0.5)


def test_killing_the_writer_never_leaves_half_an_attempt_nor_loses_a_finished_one(tmp_path):
    path = tmp_path / "killed.db"
    confirmed: set[int] = set()
    for delay in (0.3, 0.45, 0.6, 0.75, 0.9):
        proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True)
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        confirmed |= {int(line) for line in out.split() if line.isdigit()}
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    rows = db.execute("SELECT id, variant, answer, grade, points, max_points FROM attempts").fetchall()
    assert confirmed, "the writer committed attempts before it was killed"
    assert confirmed <= {r[0] for r in rows}, "an attempt reported as stored was lost"
    for _, variant, answer, grade, points, max_points in rows:
        assert json.loads(variant)["data"] == "v" * 20000
        assert json.loads(answer) == {"parts": {"choice": ["a"]}}
        assert len(json.loads(grade)["parts"][0]["feedback"]) == 20000
        assert (points, max_points) == (1.0, 2.0)


def test_unwritable_store_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DLEXAM_STORE", str(blocker / "store.db"))
    proc = subprocess.run([sys.executable, "-m", "dlexam.cli", "grade", "concepts", "--seed", "1", "--answer", "a",
                           "--json"], capture_output=True, text=True)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot be opened" in json.loads(proc.stdout)["error"]
