"""The exam in the terminal: the screen's loop with a pipe for a keyboard (navigation, multi-line
code, the clock handing in at a prompt), and the real `dlexam exam` killed with SIGKILL at random
moments while answers are typed into a pseudo-terminal — every answer whose "Saved" was printed
is there after `--resume`."""

import io
import json
import os
import random
import re
import select
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from rich.console import Console

from dlexam.exam.keyboard import Keyboard
from dlexam.exam.session import ExamSession
from dlexam.exam.terminal_exam import ExamScreen, clock_text
from dlexam.store import Store

DLEXAM = Path(sys.executable).parent / "dlexam"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
SMALL = {"seed": 98, "minutes": 30, "points": 3.0, "tasks": [
    {"task": 1, "label": "1.1", "family": "concepts", "seed": 3, "points": 1.5, "title": "Concepts"},
    {"task": 1, "label": "1.2", "family": "concepts", "seed": 4, "points": 1.5, "title": "Concepts"}]}


def _keyboard(text: str | None) -> Keyboard:
    """A keyboard that types `text` and then ends (None: types nothing and stays open)."""
    read, write = os.pipe()
    if text is not None:
        os.write(write, text.encode())
        os.close(write)
    return Keyboard(read)


def _screen(store, text, **kwargs):
    out = io.StringIO()
    session = ExamSession.resume(store) or ExamSession(store, store.start_exam(SMALL, **kwargs))
    return ExamScreen(session, Console(file=out, width=100, highlight=False), _keyboard(text)), out


def test_moving_freely_answering_and_quitting_keeps_the_answers(tmp_path):
    with Store(tmp_path / "s.sqlite3") as store:
        screen, out = _screen(store, "1.2\nb\n\na,c\nx9\no\nq\n")   # 1.2, Enter goes on to 1.1 (wraps)
        assert screen.run() is None
        assert store.open_exam().answers == {"1.2": "b", "1.1": "a,c"}
    text = out.getvalue()
    assert "Saved 1.2." in text and "Saved 1.1." in text
    assert "There is no task 'x9'" in text
    assert "min left]" in text and "2 of 2 answered" in text and "--resume" in text


def test_a_code_answer_is_typed_over_several_lines_ended_by_a_dot(tmp_path):
    plan = {**SMALL, "tasks": [{"task": 5, "label": "5", "family": "adversarial", "seed": 1, "points": 14,
                                "title": "Attack"}]}
    code = "import torch\n\ndef adversarial(x, t, model):\n    return x.clone()\n"
    with Store(tmp_path / "s.sqlite3") as store:
        session = ExamSession(store, store.start_exam(plan))
        out = io.StringIO()
        screen = ExamScreen(session, Console(file=out, width=100), _keyboard(f"5\n{code}.\nq\n"))
        assert screen.run() is None
        assert store.open_exam().answers == {"5": code}        # indentation and blank lines kept
        until = time.monotonic() + 300     # let the background grade finish: no thread left inside torch at exit
        while session.code_state("5") != "done" and time.monotonic() < until:
            time.sleep(0.2)
    assert "It runs in the sandbox now" in out.getvalue()


def test_the_clock_hands_in_at_a_prompt_when_time_is_up(tmp_path, monkeypatch):
    monkeypatch.setattr("dlexam.exam.terminal_exam.WARNINGS", (0.8,))    # announced 0.8 s before the end
    shift = [timedelta(0)]
    clock = lambda: datetime.now(timezone.utc) + shift[0]  # noqa: E731
    with Store(tmp_path / "s.sqlite3", clock=clock) as store:
        session = ExamSession(store, store.start_exam(SMALL, minutes=1))
        session.answer("1.1", "a")
        shift[0] = timedelta(minutes=1) - timedelta(seconds=1.5)    # 1.5 s of the exam's minute are left
        out = io.StringIO()
        screen = ExamScreen(session, Console(file=out, width=100), _keyboard(None))   # nobody types
        started = time.monotonic()
        result = screen.run()
        assert time.monotonic() - started < 30
        assert result is not None and store.open_exam() is None
        assert store.exam(session.exam.id).german_grade == result.german_grade
    assert "every answer entered so far is saved" in out.getvalue()
    assert "Time is up" in out.getvalue() and "German grade" in out.getvalue()


def test_resuming_after_the_deadline_hands_in_at_once(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store(path) as store:
        ExamSession(store, store.start_exam(SMALL, minutes=1)).answer("1.2", "b")
    later = lambda: datetime.now(timezone.utc) + timedelta(minutes=5)  # noqa: E731
    with Store(path, clock=later) as store:
        screen, out = _screen(store, None)
        result = screen.run()
        assert result.tasks[1].answer == "b" and store.open_exam() is None
    assert "has run out" in out.getvalue()


def test_clock_text():
    assert clock_text(7200) == "120 min left" and clock_text(599) == "9:59 left" and clock_text(0) == "time is up"


# --- the real command in a pseudo-terminal, killed -------------------------------------------

class Terminal:
    """`dlexam exam ARGS` on a pseudo-terminal; what it printed, without colours."""

    def __init__(self, *args):
        master, slave = os.openpty()
        env = {**os.environ, "COLUMNS": "120", "LINES": "40", "TERM": "xterm"}
        self.process = subprocess.Popen([str(DLEXAM), "exam", *args], stdin=slave, stdout=slave, stderr=slave,
                                        env=env, start_new_session=True)
        os.close(slave)
        self.master, self.seen, self.position = master, "", 0

    def expect(self, pattern: str, timeout: float = 120) -> None:
        """Wait until `pattern` (a plain string) appears after what was matched last; EOFError when the
        process is gone."""
        until = time.monotonic() + timeout
        while (found := self.seen.find(pattern, self.position)) < 0:
            ready, _, _ = select.select([self.master], [], [], max(0.0, until - time.monotonic()))
            if not ready:
                raise TimeoutError(f"no {pattern!r} in {self.seen[-800:]!r}")
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                raise EOFError
            self.seen += ANSI.sub("", chunk.decode(errors="replace"))
        self.position = found + len(pattern)

    def type(self, line: str) -> None:
        os.write(self.master, (line + "\n").encode())

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(timeout=30)
        os.close(self.master)


def _answers(rng: random.Random, round_: int) -> list[tuple[str, str]]:
    letters = ["a", "b", "c", "d", "a,c", "b,d", "a,b,c"]
    answers = [(f"1.{k}", rng.choice(letters)) for k in range(1, 9)]
    answers.append(("2", f"x2 > {round_}: y = x1 + {rng.randrange(1000)}; " + "; ".join(["x1 = 1 for 0 < x2 < 5"] * 20)))
    rng.shuffle(answers)
    return answers * 3


def test_kill_9_at_random_moments_loses_no_saved_answer():
    rng = random.Random(20250210)
    confirmed: dict[str, str] = {}      # label -> the last answer whose "Saved" was printed
    kills, saves = 0, 0
    for round_ in range(8):
        with Store() as store:
            resuming = store.open_exam() is not None
        terminal = Terminal(*(["--resume"] if resuming else ["--seed", "5", "--minutes", "60"]))
        # the first kill may land during start-up; later ones while answers are being typed
        delay = rng.uniform(0.2, 4.0) if round_ == 0 else None
        killer = threading.Timer(delay or 3600, lambda p=terminal.process: p.send_signal(signal.SIGKILL))
        killer.start()
        in_flight: tuple[str, str] | None = None
        try:
            terminal.expect("exam› ")
            for label, text in _answers(rng, round_):
                terminal.type(label)
                terminal.expect(f"answer {label}› ")
                in_flight = (label, text)
                terminal.type(text)
                terminal.expect(f"Saved {label}.")
                confirmed[label], in_flight, saves = text, None, saves + 1
                if delay is None:   # the tasks are posed: kill it a random moment into the typing
                    killer.cancel()
                    killer = threading.Timer(rng.uniform(0.0, 2.0), terminal.process.send_signal, [signal.SIGKILL])
                    killer.start()
                    delay = 0
                terminal.expect("exam")
        except EOFError:
            pass
        finally:
            killer.cancel()
            terminal.close()
        kills += terminal.process.returncode == -signal.SIGKILL
        with Store() as store:
            exam = store.open_exam()
            stored = exam.answers if exam else {}
        for label, text in confirmed.items():
            allowed = {text} | ({in_flight[1]} if in_flight and in_flight[0] == label else set())
            assert stored.get(label) in allowed, (round_, label, stored.get(label), text)
        if in_flight and in_flight[0] in stored:          # a save under way lands whole or not at all
            confirmed[in_flight[0]] = stored[in_flight[0]]
        if kills >= 4 and saves >= 20:
            break
    assert kills >= 4 and saves >= 20, (kills, saves)
    print(f"kill -9: {kills} kills, {saves} saves confirmed, {len(confirmed)} tasks checked after each")
    # resumed once more: the answers are all there, and `q` reports them (--json on stdout)
    done = subprocess.run([str(DLEXAM), "exam", "--resume", "--json"], input="q\n", capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    assert report["handed_in"] is False and set(report["answered"]) == set(confirmed)


def test_the_command_refuses_a_second_exam_and_a_resume_of_nothing():
    nothing = subprocess.run([str(DLEXAM), "exam", "--resume", "--json"], input="", capture_output=True,
                             text=True, timeout=300)
    assert nothing.returncode == 2 and "no exam in progress" in json.loads(nothing.stdout)["error"]
    with Store() as store:
        store.start_exam(SMALL)
    second = subprocess.run([str(DLEXAM), "exam", "--seed", "3", "--json"], input="", capture_output=True,
                            text=True, timeout=300)
    assert second.returncode == 2 and "--resume" in json.loads(second.stdout)["error"]
    mixed = subprocess.run([str(DLEXAM), "exam", "--resume", "--seed", "3"], input="", capture_output=True,
                           text=True, timeout=300)
    assert mixed.returncode == 2 and "Traceback" not in mixed.stderr


@pytest.mark.parametrize("answer", ["a"])
def test_hand_in_through_the_command_prints_one_json_object(answer):
    with Store() as store:
        store.start_exam(SMALL)
    done = subprocess.run([str(DLEXAM), "exam", "--resume", "--json"], input=f"1.1\n{answer}\nh\ny\n",
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout)
    assert result["handed_in"] is True and result["points"] == 3.0
    assert [t["label"] for t in result["tasks"]] == ["1.1", "1.2"]
    assert result["tasks"][1]["points"] == 0 and "No answer" in result["tasks"][1]["feedback"]
    assert result["total"] == result["tasks"][0]["points"] and result["german_grade"] in (1.0, 5.0)
    assert "German grade" in done.stderr and all(t["steps"] for t in result["tasks"])
