"""Item analysis and the class's results, on a class built here whose statistics numpy computes
independently (np.corrcoef of the item with the rest score; the 27 % groups by argsort)."""

from __future__ import annotations

import random

import numpy as np
import pytest

from dlexam.exam import class_results, item_analysis
from dlexam.exam.german import german_grade
from dlexam.exam.plan import plan
from dlexam.store import Attempt, Store, TaskGrade, classroom, users
from dlexam.tasks.registry import FAMILIES, family

EXAM_SEED = 3
STUDENTS = 11
CHOICE = {name for name, (task, _) in FAMILIES.items() if task == 1}


def variant_data(name: str, seed: int) -> dict:
    return family(name).generate(seed).data


def _part(points: float, max_points: float, evidence: dict | None = None) -> dict:
    return {"name": "answer", "points": points, "max_points": max_points, "feedback": "", "evidence": evidence or {}}


def _choice_grade(name: str, seed: int, right: bool, rng: random.Random) -> tuple[dict, str]:
    """The family's own grade of a right answer, or of one wrong option picked by `rng`."""
    fam = family(name)
    variant = fam.generate(seed)
    key = fam.solve(variant).answer_text
    letters = [chr(ord("a") + i) for i in range(len(variant.data["options"]))]
    letter = key if right else rng.choice([x for x in letters if x != key])
    return fam.grade(variant, fam.parse_answer(variant, letter)).to_json(), letter


def build_class(store: Store, students: int = STUDENTS, seed: int = EXAM_SEED) -> list[dict]:
    """`students` students each hand in the mock exam `seed`: a student of ability i/(n-1) is right on a
    choice question with that probability and earns a share of it elsewhere. Student 0's task 3 is a
    written part the rubric could not tell. Returns per student {label: (share, points, letter)}."""
    exam_plan = plan(seed).to_json()
    records = []
    for i in range(students):
        rng, ability = random.Random(i), i / (students - 1)
        users.add(store, f"s{i:02d}", "hash")
        view = users.as_student(store, f"s{i:02d}")
        exam = view.start_exam(exam_plan)
        grades, record = {}, {}
        for task in exam_plan["tasks"]:
            name, label, planned = task["family"], task["label"], task["points"]
            letter = None
            if name in CHOICE:
                grade, letter = _choice_grade(name, task["seed"], rng.random() < ability, rng)
                view.save_answer(exam.id, label, letter)
            else:
                worth = family(name).points
                got = round(worth * min(1.0, max(0.0, ability + rng.uniform(-0.3, 0.3))), 2)
                unclear = {"needs_human_look": True, "why": "both claimed and denied"} if (i, label) == (0, "3") else {}
                grade = {"points": got, "max_points": worth, "parts": [_part(got, worth, unclear)]}
            share = grade["points"] / grade["max_points"]
            grades[label] = TaskGrade(share * planned, planned, grade)
            record[label] = (share, share * planned, letter)
        total = sum(g.points for g in grades.values())
        view.hand_in(exam.id, grades, total, german_grade(total, exam_plan["points"]))
        records.append(record)
    return records


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("class") / "store.sqlite3")
    records = build_class(store)
    yield store, records
    store.close()


def expected_place(records: list[dict], label: str) -> tuple[float, float, float]:
    shares = np.array([r[label][0] for r in records])
    points = np.array([r[label][1] for r in records])
    totals = np.array([sum(v[1] for v in r.values()) for r in records])
    r = np.corrcoef(shares, totals - points)[0, 1]
    k = int(round(0.27 * len(records)))
    order = np.argsort(totals, kind="stable")
    d = shares[order[-k:]].mean() - shares[order[:k]].mean()
    return float(shares.mean()), float(r), float(d)


def test_each_place_s_share_and_discrimination_agree_with_numpy(built):
    store, records = built
    stats = {p.label: p for p in item_analysis.places(classroom.sittings(store), variant_data)}
    assert list(stats) == [t["label"] for t in plan(EXAM_SEED).to_json()["tasks"]]
    for label, place in stats.items():
        mean, r, d = expected_place(records, label)
        assert place.n == STUDENTS
        assert place.mean_share == pytest.approx(mean)
        assert place.item_rest == pytest.approx(r, abs=1e-9)
        assert place.upper_lower == pytest.approx(d, abs=1e-9)
    assert stats["1.1"].right == pytest.approx(np.mean([r["1.1"][0] == 1.0 for r in records]))


def test_option_counts_are_how_often_each_letter_was_chosen(built):
    store, records = built
    stats = {p.label: p for p in item_analysis.places(classroom.sittings(store), variant_data)}
    task = plan(EXAM_SEED).to_json()["tasks"][1]
    (question,) = stats[task["label"]].questions
    options = variant_data(task["family"], task["seed"])["options"]
    key = family(task["family"]).solve(family(task["family"]).generate(task["seed"])).answer_text
    for i, option in enumerate(question.options):
        letter = chr(ord("a") + i)
        assert option.text == options[i]
        assert option.count == sum(r[task["label"]][2] == letter for r in records)
        assert option.correct == (letter == key)
    assert question.answers == STUDENTS and question.blank == 0


def test_places_without_spread_have_no_discrimination():
    assert item_analysis.pearson([1, 1, 1, 1], [3, 5, 2, 8]) is None
    assert item_analysis.pearson([1, 0], [3, 5]) is None
    assert item_analysis.upper_lower([1.0], [3.0]) is None


def test_a_question_s_discrimination_is_r_with_the_student_s_other_answers(tmp_path):
    """Practice: the same question (the parameters family's seed 5) answered by four students, each with
    other answers of known shares; r is taken against each student's mean share on those others."""
    name, seed = "parameters", 5
    others = {"ann": [1.0, 1.0], "bob": [0.5], "cy": [0.0, 0.5, 0.25], "dee": [1.0, 0.0]}
    right = {"ann": True, "bob": True, "cy": False, "dee": False}
    attempts = []
    rng = random.Random(1)
    for student, shares in others.items():
        grade, _ = _choice_grade(name, seed, right[student], rng)
        attempts.append(Attempt(name, seed, {}, {"text": ""}, grade, student=student))
        for s in shares:
            attempts.append(Attempt("pieces", 1, {}, {"text": ""}, {"points": s, "max_points": 1.0, "parts": []},
                                    student=student))
    (question,) = item_analysis.questions(attempts, variant_data, CHOICE)
    x = [1.0 if right[s] else 0.0 for s in others]
    rest = [np.mean(v) for v in others.values()]
    assert question.n == 4 and question.students == 4 and question.right == 0.5
    assert question.item_rest == pytest.approx(np.corrcoef(x, rest)[0, 1])
    assert sum(o.count for o in question.options.options) == 4
    assert question.stem == variant_data(name, seed)["stem"]


def test_the_class_summary_per_task_and_family(built):
    store, records = built
    sittings = classroom.sittings(store)
    tasks = {row.name: row for row in class_results.by_task(sittings)}
    exam_plan = plan(EXAM_SEED).to_json()
    for number in range(1, 6):
        labels = [t["label"] for t in exam_plan["tasks"] if t["task"] == number]
        planned = sum(t["points"] for t in exam_plan["tasks"] if t["task"] == number)
        expected = np.mean([sum(r[label][1] for label in labels) / planned for r in records])
        assert tasks[str(number)].mean_share == pytest.approx(expected) and tasks[str(number)].count == STUDENTS
    families = {row.name: row for row in class_results.by_family(classroom.attempts(store))}
    concept_labels = [t["label"] for t in exam_plan["tasks"] if t["family"] == "concepts"]
    assert families["concepts"].count == STUDENTS * len(concept_labels) == families["concepts"].exam
    assert families["concepts"].mean_share == pytest.approx(
        np.mean([r[label][0] for r in records for label in concept_labels]))
    summary = class_results.exams_summary(sittings)
    assert summary.sittings == summary.students == STUDENTS


def test_the_unclear_written_answer_is_flagged_and_nothing_else(built):
    store, _ = built
    found = class_results.flags(classroom.attempts(store), classroom.flagged_submissions(store))
    assert [(f.student, f.family, f.source) for f in found] == [("s00", plan(EXAM_SEED).tasks[9].family, "exam")]
    assert "both claimed and denied" in found[0].reasons[0]


def test_code_results_flagged_by_the_sandbox_are_flagged():
    blocked = {"score": 0, "max_score": 14, "checks": [],
               "sandbox": {"blocked": ["socket.connect"], "flagged": True}}
    clean = {"score": 14, "max_score": 14, "checks": [], "sandbox": {"blocked": [], "degraded": []}}
    assert class_results.reasons(blocked) == ["the sandbox blocked: socket.connect"]
    assert class_results.reasons(clean) == []
