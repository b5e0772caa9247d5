"""The exam in progress (dlexam/exam/session.py) on a fixed clock: the deadline, saving, resuming
after a restart, hand-in grading scaled to the plan's points, unanswered tasks, the German scale,
and code answers graded in the background."""

import time
from datetime import datetime, timedelta, timezone

import pytest

from dlexam.errors import InputError
from dlexam.exam.german import german_grade, scale_rows
from dlexam.exam.session import ExamSession, TimeUp
from dlexam.grading.grade import Grade, PartGrade
from dlexam.store import Store
from dlexam.tasks.model import Answer
from dlexam.tasks.registry import family

T0 = datetime(2025, 2, 10, 9, 0, tzinfo=timezone.utc)


class Clock:
    def __init__(self, at=T0):
        self.at = at

    def __call__(self):
        return self.at

    def advance(self, **kwargs):
        self.at += timedelta(**kwargs)


def _plan(*tasks):
    """A small plan in the shape of plan(seed).to_json(): (label, family, seed, points, task number)."""
    rows = [{"task": n, "label": label, "family": name, "seed": seed, "points": points, "title": name}
            for label, name, seed, points, n in tasks]
    return {"seed": 99, "minutes": 30, "points": sum(r["points"] for r in rows), "tasks": rows}


CHOICES = _plan(("1.1", "concepts", 3, 1.5, 1), ("1.2", "parameters", 4, 1.5, 1), ("1.3", "concepts", 5, 1.5, 1))


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(tmp_path, clock):
    with Store(tmp_path / "exam.sqlite3", clock=clock) as s:
        yield s


def _solution(name, seed):
    fam = family(name)
    return fam.solve(fam.generate(seed)).answer_text


def test_the_deadline_is_fixed_at_start_and_ends_answering(store, clock):
    session = ExamSession(store, store.start_exam(CHOICES, minutes=30))
    assert session.exam.deadline == T0 + timedelta(minutes=30)
    clock.advance(minutes=29, seconds=30)
    assert session.remaining() == 30 and not session.expired
    session.answer("1.1", "a")
    clock.advance(seconds=30)
    assert session.expired
    with pytest.raises(TimeUp):
        session.answer("1.2", "b")
    assert store.open_exam().answers == {"1.1": "a"}


def test_resume_after_a_restart_keeps_answers_and_the_clock_runs_on(tmp_path, clock):
    path = tmp_path / "exam.sqlite3"
    with Store(path, clock=clock) as first:
        session = ExamSession(first, first.start_exam(CHOICES, minutes=30))
        session.answer("1.1", "a")
        session.answer("1.3", "b,c")
        session.answer("1.1", "d")          # replaced, not added
        exam_id = session.exam.id
    clock.advance(minutes=20)               # the program was closed for 20 minutes
    with Store(path, clock=clock) as second:
        resumed = ExamSession.resume(second)
        assert resumed.exam.id == exam_id
        assert resumed.answers == {"1.1": "d", "1.3": "b,c"}
        assert resumed.remaining() == 10 * 60
        assert [resumed.answered(label) for label in resumed.labels] == [True, False, True]
    clock.advance(minutes=11)
    with Store(path, clock=clock) as third:
        assert ExamSession.resume(third).expired


def test_hand_in_grades_every_task_scaled_unanswered_and_unreadable_earn_zero(store):
    session = ExamSession(store, store.start_exam(CHOICES))
    session.answer("1.1", _solution("concepts", 3))
    saved = session.answer("1.2", "zz")
    assert saved.problem and "zz" in saved.problem and session.problems["1.2"]
    result = session.hand_in()
    by_label = {t.label: t for t in result.tasks}
    assert (by_label["1.1"].points, by_label["1.1"].max_points) == (1.5, 1.5)
    assert by_label["1.2"].points == 0 and "could not be read" in by_label["1.2"].feedback
    assert by_label["1.3"].points == 0 and not by_label["1.3"].answered
    assert "No answer" in by_label["1.3"].feedback
    assert all(t.steps and t.solution for t in result.tasks)       # the worked solutions
    assert result.total == 1.5 and result.points == 4.5
    assert result.german_grade == 5.0 and not result.passed
    stored = store.exam(session.exam.id)
    assert stored.handed_in is not None and stored.total == 1.5 and stored.german_grade == 5.0
    assert stored.grades["1.1"]["points"] == 1.5 and stored.grades["1.3"]["points"] == 0
    assert store.open_exam() is None
    assert len(store.attempts()) == 3                                 # the schedule learns from the exam
    with pytest.raises(InputError):
        store.save_answer(session.exam.id, "1.3", "a")


class Half:
    """A family whose grade is the typed number of points out of 4."""
    points = 4.0
    name = "half"

    def generate(self, seed):
        return family("concepts").generate(seed)

    def parse_answer(self, variant, text):
        return Answer({"points": float(text)})

    def grade(self, variant, answer):
        return Grade([PartGrade("a", answer.parts["points"], 4.0, "as typed")])

    def solve(self, variant):
        return family("concepts").solve(variant)

    def picture(self, variant, path):
        return None


def test_a_family_grade_is_scaled_to_the_planned_points(store, monkeypatch):
    plan = _plan(("2", "concepts", 1, 10.0, 2), ("3", "concepts", 2, 12.0, 3))
    session = ExamSession(store, store.start_exam(plan))
    monkeypatch.setattr(ExamSession, "family", lambda self, label: Half())
    session.answer("2", "3")        # 3 of 4 -> 7.5 of 10
    session.answer("3", "1")        # 1 of 4 -> 3 of 12
    result = session.hand_in()
    assert [(t.points, t.max_points) for t in result.tasks] == [(7.5, 10.0), (3.0, 12.0)]
    assert result.total == 10.5 and result.german_grade == 5.0      # 10.5 / 22 < 50 %


@pytest.mark.parametrize("points, grade", [
    (60, 1.0), (57, 1.0), (56.99, 1.3), (54, 1.3), (53.99, 1.7), (51, 1.7), (48, 2.0), (45, 2.3), (42, 2.7),
    (39, 3.0), (36, 3.3), (33, 3.7), (32.99, 4.0), (30, 4.0), (29.99, 5.0), (0, 5.0)])
def test_german_grade_boundaries_of_a_60_point_exam(points, grade):
    assert german_grade(points, 60) == grade


def test_german_scale_is_stated_from_1_0_to_5_0():
    rows = scale_rows()
    assert rows[0] == (">= 95 %", "1.0") and rows[-2] == (">= 50 %", "4.0") and rows[-1] == ("< 50 %", "5.0")
    assert german_grade(0.95, 1) == 1.0 and german_grade(0.5, 1) == 4.0


def test_a_code_answer_is_graded_in_the_background_as_soon_as_it_is_saved(store, tmp_path):
    source = tmp_path / "attack.py"
    source.write_text("import torch\n\ndef adversarial(x, t, model):\n    return x.clone()\n")
    plan = _plan(("1.1", "concepts", 3, 1.5, 1), ("5", "adversarial", 11, 14.0, 5))
    session = ExamSession(store, store.start_exam(plan))
    saved = session.answer("5", str(source))              # a path: saved as the file's code
    assert saved.problem is None and saved.text == source.read_text()
    assert store.open_exam().answers["5"] == source.read_text()
    assert session.code_state("5") in {"queued", "running", "done"}
    deadline = time.monotonic() + 300
    while session.code_state("5") != "done":              # the student works on meanwhile
        session.answer("1.1", "a")
        assert time.monotonic() < deadline, "the background grade never came"
        time.sleep(0.5)
    started = time.monotonic()
    result = session.hand_in()
    assert time.monotonic() - started < 30                # no second sandbox run at hand-in
    task5 = {t.label: t for t in result.tasks}["5"]
    assert task5.grade["max_points"] == family("adversarial").points
    assert task5.points == round(task5.grade["points"] / task5.grade["max_points"] * 14, 2)
    assert 0 < task5.points < 14                          # returns z of the right shape, flips nothing
