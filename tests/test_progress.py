"""`dlexam progress`: the contract's keys per family, topics, score over time, and --plot."""

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest

from dlexam.store import Attempt, Store


def _progress(*args, store):
    env = {**os.environ, "DLEXAM_STORE": str(store)}
    proc = subprocess.run([sys.executable, "-m", "dlexam.cli", "progress", *args], capture_output=True, text=True,
                          env=env)
    return proc.returncode, proc.stdout, proc.stderr


@pytest.fixture
def store_file(tmp_path):
    """Three families answered over a week, the clock ending a little before now."""
    path = tmp_path / "practice.sqlite3"
    now = [datetime.now(timezone.utc) - timedelta(days=7)]
    with Store(path, clock=lambda: now[0]) as store:
        for day, (family, share) in enumerate([("pieces", 0.25), ("pieces", 0.5), ("rnn", 1.0), ("pieces", 1.0),
                                               ("concepts", 0.0), ("concepts", 1.0)]):
            max_points = 1.0 if family == "concepts" else 6.0
            store.record(Attempt(family, day, {}, {}, {"points": share * max_points, "max_points": max_points}))
            now[0] += timedelta(days=1)
    return path


def test_progress_json_has_the_contracts_keys_per_family_and_topics(store_file):
    rc, out, _ = _progress("--json", store=store_file)
    result = json.loads(out)
    assert rc == 0
    families = {f["family"]: f for f in result["families"]}
    assert list(families) == ["concepts", "pieces", "rnn"]           # in the exam's order of tasks
    pieces = families["pieces"]
    assert (pieces["attempts"], pieces["points"], pieces["max_points"]) == (3, 10.5, 18.0)
    assert isinstance(pieces["attempts"], int)
    assert datetime.fromisoformat(pieces["due"]).tzinfo is not None and pieces["due"].endswith("+00:00")
    assert 0 < pieces["retrievability"] <= 1 and (pieces["task"], pieces["topic"]) == (2, "decision boundary")
    assert [h["score"] for h in pieces["history"]] == [0.25, 0.5, 1.0]
    topics = {t["task"]: t for t in result["topics"]}
    assert topics[1]["families"] == ["concepts"] and topics[2]["attempts"] == 3


def test_progress_of_an_empty_store(tmp_path):
    rc, out, _ = _progress("--json", store=tmp_path / "new.sqlite3")
    assert rc == 0 and json.loads(out)["families"] == []
    rc, out, _ = _progress(store=tmp_path / "new.sqlite3")
    assert rc == 0 and "No attempts yet" in out


def test_progress_text_shows_scores_over_time_due_and_remembered(store_file):
    rc, out, _ = _progress(store=store_file)
    assert rc == 0
    assert "task 2: decision boundary" in out and "remembered" in out
    pieces = next(line for line in out.splitlines() if line.strip().startswith("pieces"))
    assert "▃▅█" in pieces and "%" in pieces


def test_progress_plot_draws_a_png(store_file, tmp_path):
    target = tmp_path / "plot.png"
    rc, out, _ = _progress("--plot", str(target), "--json", store=store_file)
    assert rc == 0 and json.loads(out)["plot"] == str(target)
    data = target.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20000


@pytest.mark.parametrize(("name", "message"), [("missing/plot.png", "does not exist"), ("plot.txt", ".png")])
def test_progress_plot_refuses_a_bad_file_name(store_file, tmp_path, name, message):
    rc, out, err = _progress("--plot", str(tmp_path / name), "--json", store=store_file)
    assert rc == 2 and message in json.loads(out)["error"] and "Traceback" not in err
    assert not (tmp_path / "missing").exists()
