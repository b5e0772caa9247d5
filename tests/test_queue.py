"""The queue without a broker (the default): submissions graded in this process, rows claimed and written
once, grade-code unchanged; and the errors a user meets when the broker is missing. No service needed."""

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dlexam.queue import submissions as queue
from dlexam.queue.grading import grade_file
from dlexam.queue.rows import engine
from dlexam.store import submissions as rows

SUBMISSIONS = Path(__file__).parent / "submissions"
SYNTAX_ERROR = SUBMISSIONS / "colorize" / "syntax_error.py"
DLEXAM = [sys.executable, "-c", "import sys; from dlexam.cli import main; sys.exit(main())"]


def wait(key, seconds=60):
    deadline = time.monotonic() + seconds
    while (out := queue.result(key))["status" if "status" in out else "task"] in ("queued", "running"):
        assert time.monotonic() < deadline, f"{key} still {out}"
        time.sleep(0.05)
    return out


def _sub(key="k1", family="noop", source="0"):
    return rows.Submission(key=key, family=family, filename=f"{key}.py", source=source, status="queued",
                           tries=0, batch="b", queued=time.time(), enqueued=time.time())


def test_a_row_is_claimed_by_one_grader_and_written_only_by_its_claim():
    db = engine()
    rows.insert_all(db, [_sub()])
    now = time.time()
    first = rows.claim(db, "k1", "host-a/1", now, stale_before=now - 60, max_tries=3)
    assert first is not None and first.tries == 1
    assert rows.claim(db, "k1", "host-b/2", now, stale_before=now - 60, max_tries=3) is None   # a redelivery
    # the row looks dead (started before stale_before): host-b takes it over; host-a's late result is refused
    second = rows.claim(db, "k1", "host-b/2", now + 100, stale_before=now + 1, max_tries=3)
    assert second is not None and second.tries == 2
    assert not rows.finish(db, first, {"score": 1}, now + 101)
    assert rows.finish(db, second, {"score": 2}, now + 102)
    assert not rows.finish(db, second, {"score": 3}, now + 103)          # twice: no second write
    done = rows.get(db, "k1")
    assert (done.status, done.result, done.worker) == ("done", {"score": 2}, "host-b/2")
    assert rows.claim(db, "k1", "host-c/3", now + 500, stale_before=now + 499, max_tries=3) is None


def test_a_submission_whose_graders_keep_dying_fails_after_its_tries():
    db = engine()
    rows.insert_all(db, [_sub("k2")])
    now = time.time()
    for attempt in range(2):
        sub = rows.claim(db, "k2", f"h/{attempt}", now, stale_before=now - 60, max_tries=2)
        assert sub is not None and rows.release(db, "k2", f"h/{attempt}")      # its process was killed
    assert rows.claim(db, "k2", "h/9", now, stale_before=now - 60, max_tries=2) is None
    assert rows.give_up(db, "k2", now - 60, 2, "Its grader stopped 2 times.", now)
    failed = rows.get(db, "k2")
    assert (failed.status, failed.error, failed.tries) == ("failed", "Its grader stopped 2 times.", 2)
    assert queue.view(failed) == {"status": "failed", "error": "Its grader stopped 2 times."}


def test_rows_the_broker_lost_are_resent_once_each():
    db = engine()
    rows.insert_all(db, [_sub("old"), _sub("new")])
    now = time.time()
    with engine().connect() as conn, conn.begin():
        conn.execute(rows.table.update().where(rows.table.c.key == "old").values(enqueued=now - 100))
    assert rows.to_resend(db, now, queued_before=now - 10, stale_before=now - 60) == ["old"]
    assert rows.to_resend(db, now + 1, queued_before=now - 10, stale_before=now - 60) == []   # marked sent


def test_without_a_broker_submit_grades_in_process_as_grade_code_does():
    source = SYNTAX_ERROR.read_text()
    key = queue.submit("colorize", "alice.py", source, student="alice", batch="week3")
    assert queue.result(key)["status"] in ("queued", "running") or "score" in queue.result(key)
    graded = wait(key)
    expected = grade_file("colorize", str(SYNTAX_ERROR), None, None)
    assert graded == {**expected, "file": "alice.py"}
    assert graded["score"] == 0 and "does not parse" in graded["error"]
    assert queue.progress("week3") == {"done": 1, "queued": 0, "running": 0, "failed": 0}
    row = rows.get(engine(), key)
    assert (row.student, row.status, row.tries) == ("alice", "done", 1)


def test_progress_of_a_batch_counts_each_state():
    keys = [queue.submit("noop", f"{i}.py", "0.3", batch="burst") for i in range(3)]
    queue.submit("noop", "other.py", "0", batch="other")
    early = queue.progress("burst")
    assert sum(early.values()) == 3 and early["done"] < 3
    for key in keys:
        wait(key)
    assert queue.progress("burst") == {"done": 3, "queued": 0, "running": 0, "failed": 0}
    assert queue.progress("never") == {"done": 0, "queued": 0, "running": 0, "failed": 0}


def test_submit_refuses_a_task_that_is_not_code():
    with pytest.raises(Exception, match="not a programming task"):
        queue.submit("hessian", "a.py", "x = 1")


def test_grade_code_with_an_unreachable_broker_says_so_and_queues_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("DLEXAM_BROKER_URL", "redis://127.0.0.1:9/0")
    proc = subprocess.run([*DLEXAM, "grade-code", "colorize", str(SYNTAX_ERROR), "--json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2, proc.stderr
    error = json.loads(proc.stdout)["error"]
    assert "broker redis://127.0.0.1:9/0 cannot be reached" in error and "Traceback" not in proc.stderr
    assert error.count(". ") == 0
    monkeypatch.delenv("DLEXAM_BROKER_URL")
    assert queue.progress("any") == {"done": 0, "queued": 0, "running": 0, "failed": 0}
    from sqlalchemy import func, select
    with engine().connect() as conn:
        assert conn.execute(select(func.count()).select_from(rows.table)).scalar() == 0


def test_worker_needs_a_broker_url():
    proc = subprocess.run([*DLEXAM, "worker", "--json"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "DLEXAM_BROKER_URL is not set" in json.loads(proc.stdout)["error"]


def test_progress_without_a_batch_and_with_files_is_refused():
    proc = subprocess.run([*DLEXAM, "grade-code", "colorize", "x.py", "--progress", "b", "--json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "without TASK and FILE" in json.loads(proc.stdout)["error"]


def test_rows_left_queued_by_a_process_that_ended_are_graded_by_the_next_one():
    db = engine()
    orphan = _sub("orphan", source="0")
    rows.insert_all(db, [rows.Submission(**{**orphan.__dict__, "queued": time.time() - 3600,
                                            "enqueued": time.time() - 3600})])
    wait(queue.submit("noop", "new.py", "0"))
    assert wait("orphan")["slept"] == 0.0
    assert rows.get(db, "orphan").status == "done"


def test_a_workers_time_limit_is_not_graded_as_the_files_fault(monkeypatch):
    from celery.exceptions import SoftTimeLimitExceeded

    from dlexam.queue.grading import grade_source
    from dlexam.tasks.registry import family

    def hits_the_limit(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(type(family("adversarial")), "grade_file", hits_the_limit)
    with pytest.raises(SoftTimeLimitExceeded):
        grade_source("adversarial", "a.py", "def adversarial(x, t, model):\n    return x\n", None, None)


def test_a_batch_of_nothing_queues_nothing():
    assert queue.submit_many("colorize", [], batch="empty") == []
    assert queue.progress("empty") == {"done": 0, "queued": 0, "running": 0, "failed": 0}


@pytest.mark.parametrize("breaks", ["dlexam.store.submissions.claim", "dlexam.queue.jobs.grade_source"])
def test_a_job_that_raises_fails_its_row_with_a_one_sentence_reason(monkeypatch, breaks):
    """The claim (a locked database) or the grader outside its per-file catch raising in a pool thread: the
    row fails with the reason the staff pages show, instead of staying queued or running (its batch never
    finished, nothing said)."""
    def broken(*args, **kwargs):
        raise RuntimeError("database is locked.\nTraceback follows")

    monkeypatch.setattr(breaks, broken)
    key = queue.submit("noop", "a.py", "0", batch="broken")
    out = wait(key, seconds=20)
    error = out["error"]
    assert out["status"] == "failed" and queue.progress("broken")["failed"] == 1
    assert "RuntimeError: database is locked" in error and error.endswith("should be looked at.")
    assert "\n" not in error and error.count(". ") == 0, error
