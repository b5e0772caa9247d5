"""The store's API on both backends: SQLite and a real PostgreSQL server (Debian's package) that
these tests start as an unprivileged user (tests/postgres_server.py). Without PostgreSQL
installed the PostgreSQL cases are skipped, saying so; under CI=true they must run."""

import itertools
import json
import os
import socket
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import postgres_server
import pytest
from sqlalchemy import create_engine, text

from dlexam.errors import InputError
from dlexam.store import Attempt, Store, TaskGrade, models

PLAN = {"seed": 7, "minutes": 120, "points": 25.0, "tasks": [
    {"task": 1, "label": "1.1", "family": "concepts", "seed": 11, "points": 1.5, "title": "t"},
    {"task": 1, "label": "1.2", "family": "parameters", "seed": 12, "points": 1.5, "title": "t"},
    {"task": 2, "label": "2", "family": "pieces", "seed": 13, "points": 10.0, "title": "t"},
    {"task": 4, "label": "4", "family": "rnn", "seed": 14, "points": 12.0, "title": "t"}]}
_names = (f"store_{i}" for i in itertools.count())


@pytest.fixture(scope="session")
def postgres():
    if postgres_server.binaries() is None and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not installed (scripts/install-system-deps.sh installs it; under CI it must be)")
    server = postgres_server.start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """A new, empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'practice.sqlite3'}"
    return request.getfixturevalue("postgres").create_database(next(_names))


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += timedelta(**kwargs)


def _attempt(family, points, max_points=4.0):
    return Attempt(family, 2**32 - 1, {"family": family, "x": [1, 2]}, {"text": "ä ∂ 😀"},
                   {"points": points, "max_points": max_points, "parts": []}, seconds=2.5)


def test_attempts_progress_and_reviews_round_trip(url):
    clock = Clock()
    with Store(url, clock=clock) as store:
        assert store.progress() == [] and store.reviews() == {}
        first = store.record(_attempt("pieces", 1.0))
        clock.advance(minutes=3)
        store.record(_attempt("pieces", 4.0))
        store.record(_attempt("rnn", 4.0))
        attempts = store.attempts("pieces")
        assert [a.id for a in attempts] == [first, first + 1]
        assert attempts[0].seed == 2**32 - 1 and attempts[0].answer == {"text": "ä ∂ 😀"}
        assert attempts[0].variant == {"family": "pieces", "x": [1, 2]} and attempts[0].seconds == 2.5
        progress = {p.family: p for p in store.progress()}
        assert (progress["pieces"].attempts, progress["pieces"].points, progress["pieces"].max_points) == (2, 5, 8)
        assert [share for _, share in progress["pieces"].history] == [0.25, 1.0]
        assert progress["rnn"].due_iso.endswith("+00:00") and 0 <= progress["rnn"].retrievability <= 1
        assert store.reviews()["pieces"].reviews == 2
    with Store(url, student="ada") as other:      # rows are per student
        assert other.attempts() == [] and other.progress() == []


def test_an_exam_is_started_answered_resumed_and_handed_in(url):
    clock = Clock()
    with Store(url, clock=clock) as store:
        assert store.open_exam() is None
        exam = store.start_exam(PLAN)
        assert (exam.seed, exam.minutes, exam.points, exam.answers) == (7, 120, 25.0, {})
        assert exam.started == clock.now and exam.deadline == clock.now + timedelta(minutes=120)
        clock.advance(minutes=5)
        store.save_answer(exam.id, "1.1", "b, c")
        store.save_answer(exam.id, "2", "Piece 2: x1 < 0\n  y = x2")
        clock.advance(minutes=1)
        store.save_answer(exam.id, "1.1", "(c)")              # entered again: the newer one counts
    with Store(url, clock=clock) as store:                     # a new process resumes it
        resumed = store.open_exam()
        assert resumed.id == exam.id and resumed.started == exam.started
        assert resumed.answers == {"1.1": "(c)", "2": "Piece 2: x1 < 0\n  y = x2"}
        assert resumed.saved["1.1"] == clock.now
        with pytest.raises(InputError, match="no task '3'"):
            store.save_answer(exam.id, "3", "x")
        grades = {"1.1": TaskGrade(1.5, 1.5, {"points": 1, "max_points": 1, "parts": []}),
                  "2": TaskGrade(5.0, 10.0, {"points": 3, "max_points": 6, "parts": []}, answer={"pieces": []}),
                  "4": TaskGrade(0.0, 12.0, {"points": 0, "max_points": 12, "parts": []})}
        done = store.hand_in(exam.id, grades, total=6.5, german_grade=5.0)
        assert done.handed_in == clock.now and (done.total, done.german_grade) == (6.5, 5.0)
        assert done.grades["2"] == {"points": 5.0, "max_points": 10.0,
                                    "grade": {"points": 3, "max_points": 6, "parts": []}}
        assert done.grades["4"]["points"] == 0.0 and "4" not in done.answers
        assert store.open_exam() is None
        with pytest.raises(InputError, match="handed in already"):
            store.save_answer(exam.id, "1.1", "late")
        with pytest.raises(InputError, match="handed in already"):
            store.hand_in(exam.id, grades, total=6.5, german_grade=5.0)
        recorded = [(a.family, a.seed, a.exam_id, a.answer) for a in store.attempts()]
        assert recorded == [("concepts", 11, exam.id, {"text": "(c)"}), ("pieces", 13, exam.id, {"pieces": []}),
                            ("rnn", 14, exam.id, {"text": ""})]
        assert store.reviews()["rnn"].lapses == 1
        second = store.start_exam({**PLAN, "seed": 8}, minutes=30)
        assert [e.id for e in store.exams()] == [exam.id, second.id] and store.open_exam().minutes == 30
        with pytest.raises(InputError, match="no exam"):
            store.exam(10**6)


def test_a_plan_without_labels_is_refused(url):
    with Store(url) as store, pytest.raises(InputError, match="plan"):
        store.start_exam({"seed": 1, "tasks": [{"family": "x"}]})
        assert store.exams() == []


def test_migrating_from_the_first_revision_keeps_every_attempt(url):
    """The migration chain on both backends: a database at dlexam_0001 (the first store's one table;
    on SQLite test_store.py also migrates a file written by that store's own code) with attempts
    in it, upgraded on open."""
    from alembic import command
    from alembic.config import Config

    from dlexam.store.database import MIGRATIONS
    engine = create_engine(url)
    rows = [{"id": i, "created": 1.7e9 + i + 0.25, "family": ("concepts", "rnn")[i % 2], "seed": 2**32 - 1 - i,
             "variant": {"v": i}, "answer": {"a": "ä"}, "grade": {"points": i % 3, "max_points": 2, "parts": []},
             "points": i % 3, "max_points": 2.0, "seconds": None} for i in range(1, 21)]
    with engine.begin() as conn:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.upgrade(config, models.REVISIONS[0])
        from sqlalchemy import JSON, BigInteger, Column, Float, Integer, MetaData, Table, Text
        first = Table("attempts", MetaData(), Column("id", Integer, primary_key=True), Column("created", Float),
                      Column("family", Text), Column("seed", BigInteger), Column("variant", JSON),
                      Column("answer", JSON), Column("grade", JSON), Column("points", Float),
                      Column("max_points", Float), Column("seconds", Float))
        conn.execute(first.insert(), rows)
        if conn.dialect.name == "postgresql":      # ids were given: move the sequence past them, as inserts would
            conn.execute(text("SELECT setval('attempts_id_seq', 20)"))
    engine.dispose()
    with Store(url) as store:
        migrated = store.attempts()
        assert [(a.id, a.created, a.family, a.seed, a.variant, a.answer, a.grade, a.student) for a in migrated] == [
            (r["id"], r["created"], r["family"], r["seed"], r["variant"], r["answer"], r["grade"], "") for r in rows]
        assert {f: s.reviews for f, s in store.reviews().items()} == {"concepts": 10, "rnn": 10}
        assert store.record(_attempt("rnn", 1.0)) == 21


def test_a_foreign_database_is_refused_and_left_unchanged(url):
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)"))
        conn.execute(text("INSERT INTO invoices VALUES (1, 9.5)"))
    with pytest.raises(InputError, match="not a dlexam practice store .*invoices.*left unchanged"):
        Store(url)
    with engine.connect() as conn:
        from sqlalchemy import inspect
        assert inspect(conn).get_table_names() == ["invoices"]
        assert conn.execute(text("SELECT * FROM invoices")).all() == [(1, 9.5)]
    engine.dispose()


def test_the_head_revision_is_recorded(url):
    Store(url).close()
    engine = create_engine(url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == models.HEAD
    engine.dispose()


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("bad", [
    f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/dlexam",
    "postgresql+psycopg://nobody@/nowhere?host=/nonexistent-socket-dir",
    "mysql+nosuchdriver://u@h/db",
    "this is not a url",
], ids=["closed port", "missing socket", "unknown driver", "not a url"])
def test_a_database_url_that_cannot_be_used_is_one_sentence_and_exit_2(bad, tmp_path):
    env = {**os.environ, "DLEXAM_DATABASE_URL": bad, "DLEXAM_STORE": str(tmp_path / "unused.sqlite3")}
    for args in (["grade", "concepts", "--seed", "1", "--answer", "a", "--json"], ["progress", "--json"]):
        proc = subprocess.run([sys.executable, "-m", "dlexam.cli", *args], capture_output=True, text=True, env=env,
                              timeout=60)
        assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr
        error = json.loads(proc.stdout)["error"]
        assert error.count(". ") == 0 and error.endswith("."), error
        assert "DLEXAM_DATABASE_URL" in error or "cannot be used" in error
    assert list(tmp_path.iterdir()) == [], "nothing written anywhere else"


def test_a_password_in_the_url_is_not_shown():
    port = _closed_port()
    with pytest.raises(InputError) as caught:
        Store(f"postgresql+psycopg://nobody:s3cret@127.0.0.1:{port}/dlexam")
    assert "s3cret" not in str(caught.value) and "***" in str(caught.value)
