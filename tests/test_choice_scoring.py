"""Multiple-choice scoring (grading/choice.py) and how the choice families use it."""

import pytest

from dlexam.errors import InputError, VerificationError
from dlexam.grading.choice import select_all_points, single_points
from dlexam.tasks.choice import option_index, read_letters
from dlexam.tasks.concepts import Concepts
from dlexam.tasks.model import Answer, Solution

KEY = [True, False, True, False]


@pytest.mark.parametrize("chosen, points", [
    ({0, 2}, 4.0),            # all four judged right
    ({0}, 2.0),               # three right, one wrong: (3 - 1)/4
    ({0, 1, 2}, 2.0),
    ({0, 1}, 0.0),            # two right, two wrong
    ({1, 3}, 0.0),            # all wrong: never below 0
    (set(), 0.0),
    ({0, 1, 2, 3}, 0.0),
])
def test_select_all_earns_and_loses_a_quarter_per_option(chosen, points):
    assert select_all_points(KEY, chosen, 4.0) == points


def test_one_correct_option_is_all_or_nothing():
    key = [False, True, False]
    assert single_points(key, {1}, 1.0) == 1.0
    assert single_points(key, {0}, 1.0) == 0.0
    assert single_points(key, {0, 1}, 1.0) == 0.0


@pytest.mark.parametrize("text, letters", [("a,c", ["a", "c"]), ("c a", ["a", "c"]), ("AC", ["a", "c"]),
                                           ("b; d", ["b", "d"])])
def test_letters_are_read_in_the_ways_students_type_them(text, letters):
    assert read_letters(text, 4) == letters
    assert [option_index(c) for c in letters] == [ord(c) - ord("a") for c in letters]


@pytest.mark.parametrize("text", ["", "e", "a,a", "a,1"])
def test_bad_letters_are_refused(text):
    with pytest.raises(InputError):
        read_letters(text, 4)


def test_concepts_verify_holds_the_choice_to_the_banks_key():
    fam = Concepts()
    variant = fam.generate(0)
    solution = fam.solve(variant)
    fam.verify(variant, solution)
    assert fam.grade(variant, fam.parse_answer(variant, solution.answer_text)).full_marks
    other = [c for c in "abcde"[: len(variant.data["options"])] if c not in solution.answer.parts["choice"]][:1]
    with pytest.raises(VerificationError):
        fam.verify(variant, Solution(Answer({"choice": other}), solution.steps))


def test_the_grade_carries_the_chosen_and_the_correct_options():
    fam = Concepts()
    variant = fam.generate(3)
    key = fam.solve(variant).answer.parts["choice"]
    evidence = fam.grade(variant, Answer({"choice": key})).parts[0].evidence
    assert evidence["chosen"] == evidence["correct"] == key
