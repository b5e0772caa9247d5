"""The practice store on SQLite: attempts and exam answers survive kill -9 whole or not at all; the
first store's file is migrated in place; foreign, corrupt and newer databases are refused unchanged.
(The API on both SQLite and PostgreSQL: tests/test_store_postgres.py.)"""

import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import legacy_store_v0
import pytest

from dlexam.errors import InputError
from dlexam.store import Attempt, Store, default_path, models

WRITER = """
import sys
from dlexam.store import Attempt, Store
store = Store(sys.argv[1])
grade = {"points": 1.0, "max_points": 2.0, "parts": [{"name": "x", "feedback": "y" * 20000}]}
for i in range(100000):
    attempt_id = store.record(Attempt("concepts", i, {"data": "v" * 20000}, {"parts": {"choice": ["a"]}}, grade))
    print(attempt_id, flush=True)
"""

EXAM_WRITER = """
import sys
from dlexam.store import Store
store = Store(sys.argv[1])
exam = store.open_exam() or store.start_exam({"seed": 7, "minutes": 120, "points": 3,
    "tasks": [{"label": l, "family": "concepts", "seed": 1, "points": 1} for l in ("1.1", "1.2", "2")]})
print("exam", exam.id, flush=True)
start = max((int(text.split()[0]) + 1 for text in exam.answers.values()), default=0)   # numbers only grow
for i in range(start, start + 100000):
    label = ("1.1", "1.2", "2")[i % 3]
    store.save_answer(exam.id, label, f"{i} " + "x" * 5000)
    print(label, i, flush=True)
"""


def _attempt(points=1.0, family="concepts"):
    return Attempt(family, 5, {"family": family}, {"parts": {"choice": ["a"]}},
                   {"points": points, "max_points": 1.0, "parts": []}, seconds=3.0)


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cli(*args, env=None):
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-m", "dlexam.cli", *args], capture_output=True, text=True, env=full)


def _kill_during(script: str, path, delays) -> list[str]:
    """Run `script` on `path`, kill -9 it `delay` seconds after its first line; all lines it printed."""
    lines: list[str] = []
    for delay in delays:
        proc = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE, text=True)
        lines.append(proc.stdout.readline().strip())     # the store is open and writing
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        lines += out.splitlines()
    return lines


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
    confirmed = {int(line) for line in _kill_during(WRITER, path, (0.0, 0.05, 0.15, 0.3, 0.5)) if line.isdigit()}
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
    reviews = db.execute("SELECT reviews FROM review_states WHERE family = 'concepts'").fetchone()
    assert reviews == (len(rows),), "every stored attempt reviewed its family's card in the same transaction"


def test_killing_the_exam_at_any_moment_loses_no_entered_answer(tmp_path):
    path = tmp_path / "exam.db"
    lines = _kill_during(EXAM_WRITER, path, (0.0, 0.02, 0.1, 0.25, 0.4))
    last: dict[str, int] = {}
    for line in lines:
        label, _, number = line.partition(" ")
        if label != "exam" and number:
            last[label] = max(last.get(label, -1), int(number))
    assert len({line for line in lines if line.startswith("exam ")}) == 1, "every run resumed the one open exam"
    assert last, "answers were saved before the kills"
    exam = Store(path).open_exam()
    for label, number in last.items():
        stored = int(exam.answers[label].split()[0])
        # the last confirmed answer, or a later one that was being saved when the kill came
        assert stored >= number and stored % 3 == ("1.1", "1.2", "2").index(label), (label, number, stored)
        assert exam.answers[label].endswith("x" * 5000)
    assert sqlite3.connect(path).execute("PRAGMA integrity_check").fetchone() == ("ok",)


def test_unwritable_store_is_a_clear_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("DLEXAM_STORE", str(blocker / "store.db"))
    proc = _cli("grade", "concepts", "--seed", "1", "--answer", "a", "--json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "cannot be opened" in json.loads(proc.stdout)["error"]


def test_a_path_in_a_missing_directory_is_refused_and_nothing_is_created(tmp_path, monkeypatch):
    typed = tmp_path / "typo" / "deeper" / "practice.sqlite3"
    monkeypatch.setenv("DLEXAM_STORE", str(typed))
    proc = _cli("grade", "concepts", "--seed", "1", "--answer", "a", "--json")
    error = json.loads(proc.stdout)["error"]
    assert proc.returncode == 2 and str(tmp_path / "typo" / "deeper") in error and "does not exist" in error
    assert not (tmp_path / "typo").exists()
    proc = _cli("progress", "--json", env={"DLEXAM_STORE": "", "DLEXAM_DATABASE_URL": f"sqlite:///{typed}"})
    assert proc.returncode == 2 and "does not exist" in json.loads(proc.stdout)["error"]


def test_the_default_store_directory_is_created(tmp_path, monkeypatch):
    monkeypatch.delenv("DLEXAM_STORE")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with Store() as store:
        store.record(_attempt())
    assert store.path == tmp_path / "data" / "dlexam" / "practice.sqlite3" and store.path.is_file()


def _foreign_file(path):
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);"
                     "INSERT INTO customers (name) VALUES ('Ada');")
    db.close()


@pytest.mark.parametrize("make", [
    _foreign_file,
    lambda p: sqlite3.connect(p).executescript("CREATE TABLE attempts (id INTEGER PRIMARY KEY, who TEXT);"
                                               "INSERT INTO attempts (who) VALUES ('x');"),
    lambda p: sqlite3.connect(p).executescript("CREATE TABLE alembic_version (version_num TEXT);"
                                               "INSERT INTO alembic_version VALUES ('a1b2c3');"),
    lambda p: p.write_text("name,score\nAda,3\n" * 100),
], ids=["other tables", "another attempts table", "another app's migrations", "not a database"])
def test_a_foreign_file_is_refused_and_left_unchanged(tmp_path, make):
    path = tmp_path / "theirs.sqlite3"
    make(path)
    before = _digest(path)
    proc = _cli("grade", "concepts", "--seed", "1", "--answer", "a", "--json", env={"DLEXAM_STORE": str(path)})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
    error = json.loads(proc.stdout)["error"]
    assert str(path) in error and "left unchanged" in error
    assert _digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.sqlite3"], "no journal or side file left"


def test_a_corrupt_store_is_refused_and_never_overwritten(tmp_path):
    path = tmp_path / "practice.sqlite3"
    with Store(path) as store:
        for _ in range(50):
            store.record(_attempt())
    data = bytearray(path.read_bytes())
    data[:16] = b"garbage garbage!"           # the header SQLite checks first
    path.write_bytes(bytes(data))
    before = _digest(path)
    with pytest.raises(InputError, match="cannot be opened as a SQLite database.*left unchanged"):
        Store(path)
    proc = _cli("progress", "--json", env={"DLEXAM_STORE": str(path)})
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert _digest(path) == before


def test_a_store_of_a_newer_dlexam_is_refused_unchanged(tmp_path):
    path = tmp_path / "practice.sqlite3"
    Store(path).close()
    sqlite3.connect(path).executescript("UPDATE alembic_version SET version_num = 'dlexam_0099';")
    before = _digest(path)
    with pytest.raises(InputError, match="newer dlexam"):
        Store(path)
    assert _digest(path) == before


def _legacy_file(path, count=30) -> list[tuple]:
    """A practice.sqlite3 written by the store before SQLAlchemy, with `count` attempts."""
    with legacy_store_v0.Store(path) as old:
        for i in range(count):
            family = ("concepts", "pieces", "rnn")[i % 3]
            grade = {"points": float(i % 4), "max_points": 3.0, "parts": [{"name": "a", "feedback": f"f{i}"}]}
            old.record(legacy_store_v0.Attempt(family, 2**32 - 1 - i, {"v": i}, {"text": f"ans {i}"}, grade,
                                               seconds=1.5 * i))
    return sqlite3.connect(path).execute("SELECT * FROM attempts ORDER BY id").fetchall()


def test_the_first_stores_file_is_migrated_in_place_without_losing_an_attempt(tmp_path):
    path = tmp_path / "practice.sqlite3"
    old_rows = _legacy_file(path)
    with Store(path) as store:
        migrated = store.attempts()
        reviews = store.reviews()
        progress = {p.family: p for p in store.progress()}
    assert [(a.id, a.created, a.family, a.seed, a.variant, a.answer, a.grade, a.seconds) for a in migrated] == [
        (r[0], r[1], r[2], r[3], json.loads(r[4]), json.loads(r[5]), json.loads(r[6]), r[9]) for r in old_rows]
    wrong = {f: sum(r[2] == f and r[7] / r[8] < 0.5 for r in old_rows) for f in ("concepts", "pieces", "rnn")}
    assert {f: (s.reviews, s.lapses) for f, s in reviews.items()} == {f: (10, n) for f, n in wrong.items()}
    assert wrong == {"concepts": 5, "pieces": 6, "rnn": 5}
    assert progress["rnn"].attempts == 10 and progress["rnn"].due is not None
    db = sqlite3.connect(path)
    assert db.execute("SELECT version_num FROM alembic_version").fetchall() == [(models.HEAD,)]
    assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with Store(path) as again:                # opening once more changes nothing
        again.record(_attempt())
        assert [a.id for a in again.attempts()] == [r[0] for r in old_rows] + [len(old_rows) + 1]


def test_a_migration_that_fails_half_way_leaves_the_old_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "practice.sqlite3"
    _legacy_file(path)
    before = _digest(path)

    def boom(*args):
        raise RuntimeError("killed half-way")
    monkeypatch.setattr(Store, "_after_upgrade", boom)      # after every DDL of the upgrade, before COMMIT
    with pytest.raises(RuntimeError):
        Store(path)
    assert _digest(path) == before
    assert [r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'table'")] \
        == ["attempts"]


def test_revisions_list_the_migration_scripts_in_order():
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from dlexam.store.database import MIGRATIONS
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    scripts = ScriptDirectory.from_config(config)
    chain = [s.revision for s in scripts.walk_revisions()][::-1]
    assert tuple(chain) == models.REVISIONS and scripts.get_current_head() == models.HEAD


QUICK = """
import sys
from dlexam.store.quick import due_dates
path, due = due_dates()
assert "sqlalchemy" not in sys.modules
print(sorted(due))
"""


def test_practice_reads_the_schedule_without_importing_sqlalchemy(tmp_path, monkeypatch):
    path = tmp_path / "practice.sqlite3"
    monkeypatch.setenv("DLEXAM_STORE", str(path))
    with Store() as store:
        store.record(_attempt(family="rnn"))
        store.record(_attempt(family="pieces"))
    proc = subprocess.run([sys.executable, "-c", QUICK], capture_output=True, text=True)
    assert proc.returncode == 0 and proc.stdout.strip() == "['pieces', 'rnn']", proc.stderr


def test_the_quick_read_vouches_only_for_dlexams_own_newest_file(tmp_path, monkeypatch):
    from dlexam.store.quick import due_dates
    cases = {"missing": None, "legacy": _legacy_file, "foreign": _foreign_file,
             "text": lambda p: p.write_text("hello")}
    for name, make in cases.items():
        path = tmp_path / f"{name}.sqlite3"
        if make:
            make(path)
        before = _digest(path) if path.exists() else None
        monkeypatch.setenv("DLEXAM_STORE", str(path))
        assert due_dates() is None, name
        assert (_digest(path) if path.exists() else None) == before, name
    monkeypatch.setenv("DLEXAM_DATABASE_URL", "postgresql+psycopg://nobody@/x")
    assert due_dates() is None


def test_practice_on_a_foreign_file_refuses_before_asking_anything(tmp_path):
    path = tmp_path / "theirs.sqlite3"
    _foreign_file(path)
    before = _digest(path)
    proc = subprocess.run([sys.executable, "-m", "dlexam.cli", "practice", "--family", "concepts"], input="a\nq\n",
                          capture_output=True, text=True, env={**os.environ, "DLEXAM_STORE": str(path)})
    assert proc.returncode == 2 and "not a dlexam practice store" in proc.stderr and "Your answer" not in proc.stdout
    assert _digest(path) == before
