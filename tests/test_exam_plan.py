"""The plan of a mock exam: the seeds' shape, deterministic, the same from the command."""

import json
import subprocess
import sys

import pytest

from dlexam.errors import InputError
from dlexam.exam.plan import CHOICE_PLACES, plan
from dlexam.tasks.registry import FAMILIES, family


@pytest.mark.parametrize("seed", [0, 7, 2**32 - 1])
def test_a_plan_has_the_seeds_shape(seed):
    p = plan(seed)
    tasks = [t.task for t in p.tasks]
    assert tasks == sorted(tasks) and set(tasks) == {1, 2, 3, 4, 5}
    assert tasks.count(1) == len(CHOICE_PLACES) == 8
    for t in p.tasks:
        assert FAMILIES[t.family][0] == t.task, f"{t.family} is not a family of task {t.task}"
        family(t.family).generate(t.seed)          # every variant can be posed
    assert p.points == 60 and p.minutes == 120


def test_concept_questions_follow_their_places_and_never_repeat():
    for seed in range(12):
        p = plan(seed)
        ids = []
        for (names, topics), t in zip(CHOICE_PLACES, p.tasks[:8]):
            assert t.family in names.split("|")
            if t.family == "concepts":
                data = family("concepts").generate(t.seed).data
                assert not topics or data["subject"] in topics
                ids.append(data["id"])
        assert len(ids) == len(set(ids))


def test_seeds_give_different_exams_and_the_same_seed_the_same():
    assert plan(3) == plan(3)
    assert len({json.dumps(plan(s).to_json()) for s in range(10)}) == 10
    programming = {tuple(t.family for t in plan(s).tasks if t.task == 5) for s in range(30)}
    assert programming == {("adversarial",), ("colorize", "inpaint")}


def test_the_command_prints_the_same_plan():
    proc = subprocess.run([sys.executable, "-m", "dlexam.cli", "exam", "--seed", "7", "--plan", "--json"],
                          capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout) == json.loads(json.dumps(plan(7).to_json()))


def test_bad_seeds_are_refused():
    for seed in (-1, 2**32):
        with pytest.raises(InputError):
            plan(seed)
