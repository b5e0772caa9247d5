"""The gradient-bound family (exam task 3) on seed 000's model f(x) = Σ_j w_j·exp(−½·Σ_i |x_i − c_ij|)."""

import math
import random

import pytest

from dlexam.errors import InputError
from dlexam.tasks.gradient_bound import GradientBound, exam_variant
from dlexam.tasks.model import Answer

FAM = GradientBound()
SEED_STUDENT_C = ("If we replace (penalize) || w|| to be keep it smell, then the Grandlent of is also small "
                  "which helps avoid overfitting")


def _f(p):
    """Seed 000's model with n = m = 2, written out by hand."""
    return sum(p[f"w{j}"] * math.exp(-0.5 * sum(abs(p[f"x{i}"] - p[f"c{i}{j}"]) for i in (1, 2))) for j in (1, 2))


def _df_dx(p, i, h=1e-7):
    """∂f/∂x_i by a one-sided difference in the direction that keeps the signs of x_i − c_ij."""
    q = dict(p)
    q[f"x{i}"] += h
    return (_f(q) - _f(p)) / h


def _parts(grade):
    return {p.name: p for p in grade.parts}


def test_model_answer_earns_full_marks_and_the_seed_student_explanation_counts():
    v = exam_variant()
    assert FAM.grade(v, FAM.solve(v).answer).full_marks
    text = f"a) -½·w1·a1·sign(x1 − c11) − ½·w2·a2·sign(x1 − c12) ; b) ½‖w‖₁ ; c) {SEED_STUDENT_C}"
    assert FAM.grade(v, FAM.parse_answer(v, text)).full_marks


def test_a_too_small_bound_is_rejected_with_a_point_where_it_is_exceeded():
    v = exam_variant()
    part = _parts(FAM.grade(v, FAM.parse_answer(v, "b) 1/4*||w||_1")))["b"]
    assert part.points == 0 and "exceeded" in part.feedback
    point = part.evidence["counterexample"]
    w1 = abs(point["w1"]) + abs(point["w2"])
    assert abs(_df_dx(point, 1)) > w1 / 4        # checked here by finite differences, not by the engine


def test_unindexed_norm_is_read_as_euclidean_and_fails_for_this_model():
    v = exam_variant()
    part = _parts(FAM.grade(v, FAM.parse_answer(v, "b) 1/2 ||w||")))["b"]
    assert part.points == 0 and "Euclidean" in part.feedback


@pytest.mark.parametrize("bound, points", [("1/2*||w||_1", 2), ("1/2*sqrt(m)*||w||_2", 2), ("m/2*||w||_inf", 2),
                                           ("||w||_1", 1), ("2*||w||_1", 1), ("1/3*||w||_1", 0), ("5", 0)])
def test_bound_rule_valid_and_attained(bound, points):
    v = exam_variant()
    assert _parts(FAM.grade(v, FAM.parse_answer(v, f"b) {bound}")))["b"].points == points


def test_the_model_bound_holds_by_independent_sampling():
    rng = random.Random(1)
    worst = 0.0
    for _ in range(2000):
        p = {name: rng.uniform(-1, 1) for name in ("x1", "x2", "c11", "c21", "c12", "c22", "w1", "w2")}
        if rng.random() < 0.5:   # centres close to x, where the gradient is largest
            for name in ("c11", "c21", "c12", "c22"):
                p[name] = p["x" + name[1]] + rng.uniform(-0.01, 0.01)
        ratio = abs(_df_dx(p, 1)) / (0.5 * (abs(p["w1"]) + abs(p["w2"])))
        assert ratio <= 1 + 1e-5
        worst = max(worst, ratio)
    assert worst > 0.95   # and it is nearly reached: the ½ cannot be improved


def test_wrong_gradient_gets_a_counterexample_that_really_differs():
    v = exam_variant()
    part = _parts(FAM.grade(v, FAM.parse_answer(v, "a) w1*a1*sign(x1 - c11) + w2*a2*sign(x1 - c12)")))["a"]
    assert part.points == 0
    point = {k: float(x) for k, x in part.evidence["counterexample"].items()}
    e = [math.exp(-0.5 * (abs(point["x1"] - point[f"c1{j}"]) + abs(point["x2"] - point[f"c2{j}"]))) for j in (1, 2)]
    claimed = sum(point[f"w{j}"] * e[j - 1] * math.copysign(1, point["x1"] - point[f"c1{j}"]) for j in (1, 2))
    assert abs(claimed - _df_dx(point, 1)) > 1e-3


def test_rubric_text_and_ticks():
    v = exam_variant()
    off = _parts(FAM.grade(v, FAM.parse_answer(v, "c) It makes training faster.")))["c"]
    assert off.points == 0 and "Model answer" in off.feedback
    ticked = _parts(FAM.grade(v, Answer({"c": [1, 2]})))["c"]
    assert ticked.points == pytest.approx(2 * 2 / 3) and "self-assessed" in ticked.feedback


def test_generated_variants_verify_against_torch():
    for seed in range(8):
        v = FAM.generate(seed)
        FAM.verify(v, FAM.solve(v))


@pytest.mark.parametrize("text", ["zzz", "b) ||v||_1", "a) 2(x", "d) 1", "b) x1"])
def test_garbage_is_an_input_error(text):
    with pytest.raises(InputError):
        FAM.parse_answer(exam_variant(), text)


@pytest.mark.parametrize("parts", [{"d": "1"}, {"c": [7]}, {"b": 3j}, {"a": ["w1"]}])
def test_malformed_json_parts_are_input_errors(parts):
    with pytest.raises(InputError):
        FAM.grade(exam_variant(), Answer(parts))


@pytest.mark.parametrize("text, points", [
    ("make ‖w‖ large … avoids overfitting", 2 / 3),
    ("penalise the weight norm, small gradient, less overfitting is not what happens", 0),
    ("Large weights are fine: a big ‖w‖ makes the gradient large, which causes overfitting.", 0),
    ("keep ‖w‖ small, so the gradient is bounded and the model overfits less", 2),
])
def test_explanations_that_contradict_a_key_point_earn_nothing_for_it(text, points):
    v = exam_variant()
    part = _parts(FAM.grade(v, FAM.parse_answer(v, f"c) {text}")))["c"]
    assert part.points == pytest.approx(points)
    assert ("contradicted" in part.feedback) == (points < 2)


def test_a_bound_with_a_rounded_constant_counts_as_the_exact_one():
    from dlexam.tasks.gradient_bound.data import ModelKind, Quantity, make_data
    from dlexam.tasks.model import Variant

    d = make_data(ModelKind.RBF, 2, 2, 1, Quantity.EUCLIDEAN, "1/2")   # tight bound √2/2·‖w‖₁ = 0.7071…·‖w‖₁
    v = Variant("gradient-bound", 0, dict(d))
    for bound, points in [("sqrt(2)/2*||w||_1", 2), ("0.707*||w||_1", 2), ("0.71*||w||_1", 2),
                          ("0.70*||w||_1", 0), ("0.7*||w||_1", 0)]:
        assert _parts(FAM.grade(v, FAM.parse_answer(v, f"b) {bound}")))["b"].points == points, bound
