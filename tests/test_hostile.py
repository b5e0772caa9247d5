"""The hostile corpus (tests/submissions/hostile/): each file scores 0 with a named reason, in time,
and a correct file graded right after still gets full marks.

Each file's second line says `# expect: <words>` that its grade's error must contain. Files are
graded as `dlexam grade-code adversarial` grades them (`_grade_one`: read, run, judge, evidence),
with small limits so the whole corpus stays quick: 1 GiB of memory per sandbox, 4 s of CPU.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from dlexam.commands.grade_code import show, write_csv
from dlexam.engines.sandbox import Limits, SandboxPool
from dlexam.grading.code import read_submission, report_for_file
from dlexam.queue.grading import code_grade
from dlexam.tasks.registry import family

HOSTILE = Path(__file__).parent / "submissions" / "hostile"
CORRECT = Path(__file__).parent / "submissions" / "adversarial" / "clean_sgd.py"
TIMEOUT = 4.0
LIMIT_SECONDS = TIMEOUT * 2 + 2 + 8   # the sandbox's wall limit, plus killing and reading on a busy machine
pytestmark = pytest.mark.slow


def expected(path: Path) -> str:
    line = path.read_text().splitlines()[1]
    assert line.startswith("# expect: "), path
    return line.removeprefix("# expect: ")


def grade_file(path: Path, pool: SandboxPool) -> tuple[dict, float]:
    """One file as grade-code grades it (with the short time limit), and the seconds it took."""
    started = time.monotonic()
    source, problem = read_submission(str(path))
    assert source is not None, problem
    with report_for_file() as report:
        grade = family("adversarial").grade_file(source, path.name, None, pool, TIMEOUT)
    return code_grade("adversarial", path.name, grade, report.evidence()), time.monotonic() - started


@pytest.fixture(scope="module")
def pool():
    with SandboxPool(size=2, limits=Limits(memory_bytes=1 << 30, output_bytes=16 << 10)) as p:
        yield p


@pytest.fixture(scope="module")
def graded(pool):
    files = sorted(HOSTILE.glob("*.py"))
    with ThreadPoolExecutor(2) as workers:
        return dict(zip((f.stem for f in files), workers.map(lambda f: grade_file(f, pool), files)))


def test_the_corpus_covers_every_class():
    classes = {path.read_text().split("(", 1)[1].split(",")[0] for path in HOSTILE.glob("*.py")}
    assert {"1", "2", "3", "4", "5", "6", "7", "12"} <= classes
    assert len(list(HOSTILE.glob("*.py"))) >= 30


@pytest.mark.parametrize("name", sorted(p.stem for p in HOSTILE.glob("*.py")))
def test_hostile_file_scores_zero_with_its_reason_in_time(graded, name):
    result, seconds = graded[name]
    assert result["score"] == 0, result
    assert expected(HOSTILE / f"{name}.py") in result.get("error", ""), result.get("error")
    assert result["sandbox"]["seconds"] < LIMIT_SECONDS
    assert result["sandbox"]["cpu_seconds"] < TIMEOUT + 2
    text = json.dumps(result, ensure_ascii=False) + show(result)
    assert "\x1b" not in text and "\x9b" not in text and "\u202e" not in text
    assert len(result["error"]) < 1600 and "\n" not in result["error"]


def test_blocked_attempts_are_named_in_evidence_and_staff_output(graded):
    result, _ = graded["attempts_then_attacks"]
    sandbox = result["sandbox"]
    assert sandbox["flagged"] and sandbox["runs"] == 1
    joined = " | ".join(sandbox["blocked"])
    assert "network" in joined and "writing outside /tmp: /opt/python/planted.py" in joined
    assert "signalling a process that is not its own" in joined
    assert "⚠ blocked: writing outside /tmp" in show(result)


def test_a_kill_by_a_signal_is_not_retried(graded):
    assert graded["kills_itself"][0]["sandbox"]["runs"] == 1


def test_escape_sequences_become_one_plain_line(graded):
    error = graded["escape_sequences"][0]["error"]
    assert "pwned" not in error and "cm0gLXJmIH4K" not in error and "⏎" in error


def test_a_megabyte_message_is_quoted_short(graded):
    assert len(graded["long_message"][0]["error"]) < 700


def test_a_correct_file_after_the_corpus_gets_full_marks(graded, pool):
    result, _ = grade_file(CORRECT, pool)
    assert result["score"] == 10, result
    assert result["sandbox"]["blocked"] == []


def test_processes_are_refused_at_once_and_named(graded):
    for name in ("busy_sessions", "fork_memory"):
        result, seconds = graded[name]
        assert result["sandbox"]["blocked"] == ["starting a process: os.fork"] and result["sandbox"]["seconds"] < 2


def test_signalling_through_a_pidfd_is_named(graded):
    blocked = graded["pidfd_then_attacks"][0]["sandbox"]["blocked"]
    assert "signalling a process that is not its own: os.pidfd_open(1)" in blocked   # (/proc/1 does not exist)


def test_no_host_path_is_visible_inside(graded):
    error = graded["reads_mountinfo"][0]["error"]
    assert "(/proc/self/mountinfo: FileNotFoundError)" in error
    for host in (str(Path(__file__).resolve().parents[1]), sys.base_prefix, "/work", "/root", ".venv"):
        assert host not in error


def test_a_correct_file_beside_two_dozen_busy_threads_still_gets_full_marks(pool):
    with ThreadPoolExecutor(2) as workers:
        busy = workers.submit(grade_file, HOSTILE / "thread_storm.py", pool)
        correct = workers.submit(grade_file, CORRECT, pool)
        assert correct.result()[0]["score"] == 10, correct.result()
        assert busy.result()[0]["score"] == 0


def test_csv_cells_cannot_start_formulas(tmp_path, graded):
    results = [dict(graded["long_message"][0], file="=HYPERLINK(\"http://x\")"),
               dict(graded["escape_sequences"][0], file="+cmd|' /C calc'!A0")]
    out = tmp_path / "scores.csv"
    write_csv(str(out), results)
    rows = list(csv.reader(out.open()))
    for row in rows[1:]:
        assert all(not cell.startswith(("=", "+", "-", "@")) for cell in row), row
    assert rows[1][0].startswith("'=")


def test_a_fifo_and_an_escaping_name_in_a_folder_batch(tmp_path):
    os.mkfifo(tmp_path / "a_waits.py")
    (tmp_path / "b_\x1b]0;pwned\x07.py").write_text("def adversarial(x, t, model)\n")   # does not parse
    command = [sys.executable, "-m", "dlexam.cli", "grade-code", "adversarial", str(tmp_path), "--jobs", "1"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "\x1b" not in done.stdout and "\x07" not in done.stdout
    assert "not a regular file" in done.stdout and "does not parse" in done.stdout
    results = json.loads(subprocess.run(command + ["--json"], capture_output=True, text=True, timeout=120).stdout)
    assert [r["score"] for r in results["results"]] == [0, 0]


def test_grade_code_on_a_fifo_answers_at_once(tmp_path):
    fifo = tmp_path / "waits.py"
    os.mkfifo(fifo)
    command = [sys.executable, "-m", "dlexam.cli", "grade-code", "adversarial", str(fifo), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "not a regular file" in json.loads(done.stdout)["error"]
