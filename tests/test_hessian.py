"""The Hessian family (exam task 3, optimization) on a hand-computed instance."""

import re

import pytest

from dlexam.errors import InputError
from dlexam.tasks.hessian import STATEMENTS, Hessian
from dlexam.tasks.model import Answer, Variant

FAM = Hessian()
OPTIONS = [STATEMENTS[0][0], STATEMENTS[5][0], STATEMENTS[1][0], STATEMENTS[6][0], STATEMENTS[2][0]]  # T F T F T
# X = [[1, 0], [0, 1], [1, 1]]: XᵀX = [[2, 1], [1, 2]], H = 2/3·XᵀX with eigenvalues 2/3 and 2, κ = 3;
# noise σ² = 1/2 adds 2σ² = 1: κ' = 3/(5/3) = 1.8; largest stable rate 2/λmax = 1.
VARIANT = Variant("hessian", 0, {"kind": "data", "X": [[1, 0], [0, 1], [1, 1]], "t": [1, -1, 2], "change": 0.5,
                                 "options": OPTIONS})
RIGHT = "a) [[4/3, 2/3], [2/3, 4/3]] ; b) 2, 2/3 ; c) 3 ; d) 1.8 ; e) 1 ; f) a, c, e"


def _parts(grade):
    return {p.name: p for p in grade.parts}


def test_hand_computed_instance():
    solution = FAM.solve(VARIANT)
    FAM.verify(VARIANT, solution)
    parts = solution.answer.parts
    assert parts["a"][0] + parts["a"][1] == pytest.approx([4 / 3, 2 / 3, 2 / 3, 4 / 3])
    assert parts["b"] == pytest.approx([2 / 3, 2]) and parts["c"] == pytest.approx(3)
    assert parts["d"] == pytest.approx(1.8) and parts["e"] == pytest.approx(1) and parts["f"] == ["a", "c", "e"]
    assert FAM.grade(VARIANT, solution.answer).full_marks
    assert FAM.grade(VARIANT, FAM.parse_answer(VARIANT, RIGHT)).full_marks


def test_error_carried_forward_costs_once():
    # forgot the factor 2: H = 1/3·XᵀX, eigenvalues 1/3 and 1; then κ = 3, κ' = 2/(4/3) = 1.5, η = 2
    text = "a) [[2/3, 1/3], [1/3, 2/3]] ; b) 1/3, 1 ; c) 3 ; d) 1.5 ; e) 2 ; f) a, c, e"
    grade = FAM.grade(VARIANT, FAM.parse_answer(VARIANT, text))
    parts = _parts(grade)
    assert parts["a"].points == 0
    assert all("carried forward" in parts[x].feedback for x in "bde")
    assert grade.points == grade.max_points - parts["a"].max_points


def test_tolerances_and_sets():
    assert _parts(FAM.grade(VARIANT, FAM.parse_answer(VARIANT, "c) 3.0")))["c"].points == 1
    assert _parts(FAM.grade(VARIANT, FAM.parse_answer(VARIANT, "c) 3.05")))["c"].points == 0   # 3.00 to 3 digits
    assert _parts(FAM.grade(VARIANT, FAM.parse_answer(VARIANT, "c) 3.2")))["c"].points == 0
    assert _parts(FAM.grade(VARIANT, FAM.parse_answer(VARIANT, "b) 0.667, 2.0")))["b"].points == 1
    assert _parts(FAM.grade(VARIANT, FAM.parse_answer(VARIANT, "e) 0.5")))["e"].points == 0   # 1/λmax


def test_statement_scoring():
    one_wrong = _parts(FAM.grade(VARIANT, FAM.parse_answer(VARIANT, "f) a, b, c, e")))["f"]
    assert one_wrong.points == pytest.approx(2 * 3 / 5) and "b) chosen, but it is false" in one_wrong.feedback


def test_generated_variants_verify_against_torch():
    kinds = set()
    for seed in range(12):
        v = FAM.generate(seed)
        FAM.verify(v, FAM.solve(v))
        kinds.add(v.data["kind"])
    assert kinds == {"data", "scaled", "gaussian", "logistic", "quadratic"}


@pytest.mark.parametrize("text", ["zzz", "a) [[1, 2], [3]]", "f) z", "c) abc", "g) 1", "a) [[1, x], [0, 1]]"])
def test_garbage_is_an_input_error(text):
    with pytest.raises(InputError):
        FAM.parse_answer(VARIANT, text)


@pytest.mark.parametrize("parts", [{"a": "x"}, {"f": [1]}, {"b": [1]}, {"z": 1}, {"c": True}])
def test_malformed_json_parts_are_input_errors(parts):
    with pytest.raises(InputError):
        FAM.grade(VARIANT, Answer(parts))


def test_many_variants_verify_with_finite_condition_numbers():
    import warnings

    fam = Hessian()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a singular H shows up as a division by zero
        for seed in range(400):
            variant = fam.generate(seed)
            fam.verify(variant, fam.solve(variant))


def test_scaling_inputs_keeps_kappa_for_a_common_factor_and_changes_it_otherwise():
    import numpy as np

    fam = Hessian()
    scaled = [v for v in map(fam.generate, range(300)) if v.data["kind"] == "scaled"]
    common = [v for v in scaled if v.data["change"][0] == v.data["change"][1]]
    differ = [v for v in scaled if v.data["change"][0] != v.data["change"][1]]
    assert common and differ
    for variant in common:   # x → s·x multiplies H by s²: κ stays (checked on H itself with numpy)
        answer = fam.solve(variant).answer.parts
        assert answer["d"] == pytest.approx(answer["c"])
    for variant in differ:
        h = np.asarray(fam.solve(variant).answer.parts["a"])
        d = np.diag(variant.data["change"])
        lam = np.linalg.eigvalsh(d @ h @ d)
        assert fam.solve(variant).answer.parts["d"] == pytest.approx(lam[1] / lam[0], rel=1e-6)


@pytest.mark.parametrize("b", ["(5 - sqrt(13))/2, (5 + sqrt(13))/2", "(5 − √13)/2, (5 + √13)/2", "0.70, 4.30",
                               "0.697, 4.303", "[2.5 - sqrt(3.25), 2.5 + sqrt(3.25)]", "λ1 = 0.6972, λ2 = 4.303"])
def test_eigenvalues_written_exactly_or_rounded_are_accepted(b):
    v = FAM.generate(0)   # E = 2·w1² − w1·w2 + 0.5·w2² − 3·w1 + 3·w2: H = [[4, −1], [−1, 1]], λ = (5 ∓ √13)/2
    assert _parts(FAM.grade(v, FAM.parse_answer(v, f"b) {b}")))["b"].points == 1


@pytest.mark.parametrize("text, points", [("c) (5 + sqrt(13))/(5 - sqrt(13))", 1), ("c) 6.17", 1), ("c) 6.2", 1),
                                          ("c) 6", 0), ("c) 6.1", 0), ("e) 4/(5 + √13)", 1), ("e) 0.46", 1),
                                          ("e) 0.47", 0), ("a) [[4, -1], [-1, 1]]", 2), ("a) [[4.0, −1], [−1, 1.0]]", 2)])
def test_every_numeric_part_reads_exact_numbers_and_rounding(text, points):
    v = FAM.generate(0)
    label = text[0]
    assert _parts(FAM.grade(v, FAM.parse_answer(v, text)))[label].points == points


def test_the_error_function_is_written_as_people_write_polynomials():
    for seed in range(60):
        v = FAM.generate(seed)
        text = FAM.render(v, "text")
        assert "+ -" not in text and "+ −" not in text
        assert not re.search(r"(?<![\w.])[01]·w", text)   # no 1·w1, no 0·w2
    assert "E(w1, w2) = 2·w1² − w1·w2 + 0.5·w2² − 3·w1 + 3·w2." in FAM.render(FAM.generate(0), "text")


def test_statements_are_read_and_scored_by_the_shared_choice_helpers():
    none = _parts(FAM.grade(VARIANT, Answer({"f": []})))["f"]
    assert none.points == pytest.approx(0.0) and none.evidence["chosen"] == []
    assert _parts(FAM.grade(VARIANT, FAM.parse_answer(VARIANT, "f) ace")))["f"].points == 2
    with pytest.raises(InputError):
        FAM.parse_answer(VARIANT, "f) a, a")
