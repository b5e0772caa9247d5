"""The RNN family (exam task 4) on the exam's own instances."""

import math

import pytest

from dlexam.errors import InputError
from dlexam.tasks.model import Answer
from dlexam.tasks.rnn import RNN, exam_variant

FAM = RNN()
SEED_STUDENT_C = "2(y−t)·tanh'(x2·w + h1)·(x2 + tanh'(x1·w + h0)·x1)"   # from seed 000


def _by_name(grade):
    return {p.name: p for p in grade.parts}


def _tanh_rnn_gradient(x1, x2, h0, w, t, scale=2.0):
    """dE/dw by central finite differences of E = scale/2·(y − t)² (scale 1 for the (y − t) slip)."""
    def err(w):
        y = math.tanh(x2 * w + math.tanh(x1 * w + h0))
        return scale / 2 * (y - t) ** 2
    return (err(w + 1e-6) - err(w - 1e-6)) / 2e-6


def test_exam_tanh_instance_model_answer_and_seed_student():
    v = exam_variant("tanh")
    solution = FAM.solve(v)
    assert FAM.grade(v, solution.answer).full_marks
    n = v.data["numbers"]
    assert solution.answer.parts["d"] == pytest.approx(_tanh_rnn_gradient(n["x1"], n["x2"], n["h0"], n["w"], n["t"]),
                                                       abs=1e-6)
    grade = _by_name(FAM.grade(v, FAM.parse_answer(v, f"b) 2(y - t) ; c) {SEED_STUDENT_C}")))
    assert grade["b"].points == grade["b"].max_points
    assert grade["c"].points == grade["c"].max_points
    assert grade["a"].points == 0 and grade["d"].points == 0    # missing parts score 0


def test_delta_notation_is_accepted():
    v = exam_variant("tanh")
    text = "c) delta1*x1*tanh'(x1*w + h0) + delta2*x2*tanh'(x2*w + h1)"
    assert _by_name(FAM.grade(v, FAM.parse_answer(v, text)))["c"].points == 3


def test_generic_g_exam_instance_with_loose_primes():
    v = exam_variant("g")
    assert FAM.grade(v, FAM.solve(v).answer).full_marks
    text = ("a) h0->h1->h2->h3->y->L, x1->h1, x2->h2, x3->h3, θ->h1, θ->h2, θ->h3, t->L ; "
            "b) -t*Heaviside(-y*t) ; "
            "c) δ1·g'(x1, h0, θ) + δ2·g'(x2, h1, θ) + δ3·g'(x3, h2, θ) ; d) -0.64")
    grade = FAM.grade(v, FAM.parse_answer(v, text))
    assert grade.full_marks, grade.feedback
    assert 0.2 * 0.3 - 0.5 * 0.6 - 1 * 0.4 == pytest.approx(-0.64)


def test_error_carried_forward_costs_once():
    v = exam_variant("tanh")
    n = v.data["numbers"]
    own = _tanh_rnn_gradient(n["x1"], n["x2"], n["h0"], n["w"], n["t"], scale=1.0)   # with their (y - t)
    right = FAM.solve(v).answer.parts
    text = (f"a) {right['a']} ; b) y - t ; c) (y−t)·tanh'(x2·w + h1)·(x2 + tanh'(x1·w + h0)·x1) ; d) {own:.4f}")
    grade = FAM.grade(v, FAM.parse_answer(v, text))
    parts = _by_name(grade)
    assert parts["b"].points == 0 and "differs at" in parts["b"].feedback
    assert parts["c"].points == parts["c"].max_points and "carried forward" in parts["c"].feedback
    assert parts["d"].points == parts["d"].max_points and "carried forward" in parts["d"].feedback
    assert grade.points == grade.max_points - parts["b"].max_points


def test_wrong_chain_rule_is_not_carried_forward_and_has_a_counterexample():
    v = exam_variant("tanh")
    parts = _by_name(FAM.grade(v, FAM.parse_answer(v, "b) y - t ; c) 2(y - t)*x2*tanh'(x2*w + h1)*x1")))
    assert parts["c"].points == 0
    assert parts["c"].evidence["counterexample"]


def test_missing_path_earns_half():
    v = exam_variant("tanh")
    parts = _by_name(FAM.grade(v, FAM.parse_answer(v, "c) 2(y - t)*x2*tanh'(x2*w + h1)")))
    assert parts["c"].points == parts["c"].max_points / 2
    assert "h1 is missing" in parts["c"].feedback


def test_edges_compare_as_sets_with_y_merged_into_last_state():
    v = exam_variant("tanh")
    full = _by_name(FAM.grade(v, FAM.parse_answer(v, "a) x1→h1, h_0 -> h1, w->h1, h1->h2, x2->h2, w->h2, "
                                                    "h2->E, t->E")))["a"]
    assert full.points == full.max_points
    wrong = _by_name(FAM.grade(v, FAM.parse_answer(v, "a) x1->h1, h0->h1, w->h1, h1->h2, x2->h2, w->h2, "
                                                     "h2->y, y->E, t->E, x1->h2")))["a"]
    assert wrong.points == pytest.approx(2 * 7 / 8) and "x1->h2" in wrong.feedback


def _fd_gradient(d):
    """dE/dw of any concrete variant by central finite differences, written out independently."""
    act = {"tanh": math.tanh, "sigmoid": lambda z: 1 / (1 + math.exp(-z)), "relu": lambda z: max(0.0, z)}[d["cell"]]
    loss = {"square": lambda y, t: (y - t) ** 2, "perceptron": lambda y, t: max(0.0, -y * t),
            "log": lambda y, t: math.log(1 + math.exp(-y * t))}[d["loss"]]
    n = d["numbers"]

    def err(w):
        h = n["h0"]
        for t in range(1, d["steps"] + 1):
            x = n[f"x{t}"]
            h = act(x * w + h) if d["form"] == "input" else act(x + w * h)
        return loss(h, n["t"])
    return (err(n["w"] + 1e-6) - err(n["w"] - 1e-6)) / 2e-6


def test_the_value_agrees_with_finite_differences_on_generated_variants():
    checked = 0
    for seed in range(30):
        v = FAM.generate(seed)
        if v.data["cell"] != "g":
            assert FAM.solve(v).answer.parts["d"] == pytest.approx(_fd_gradient(v.data), abs=1e-5), v.data
            checked += 1
    assert checked > 10


@pytest.mark.parametrize("text", ["zzz", "a) x1 h1", "b) 2(y - ", "e) 1", "d) twelve", "a) 1 ; a) 2"])
def test_garbage_is_an_input_error(text):
    with pytest.raises(InputError):
        FAM.parse_answer(exam_variant("tanh"), text)


@pytest.mark.parametrize("parts", [{"z": "1"}, {"d": "abc"}, {"a": 5}, {"b": ["x"]}])
def test_malformed_json_parts_are_input_errors(parts):
    with pytest.raises(InputError):
        FAM.grade(exam_variant("tanh"), Answer(parts))


def test_picture_is_a_png(tmp_path):
    path = FAM.picture(exam_variant("g"), tmp_path / "rnn.png")
    assert path.read_bytes()[:4] == b"\x89PNG"


# error carried forward from (c) to (d) for the generic g: δ = (0.2, −0.5, 1), ∂h_t/∂θ = (0.3, 0.6, −0.4),
# so the whole sum is 0.06 − 0.3 − 0.4 = −0.64; each row's c) slips once and d) follows from it.
G_SLIPS = [
    ("delta2*g'(x2, h1, theta) + delta3*g'(x3, h2, theta)", "-0.7"),                     # path through h1 left out
    ("delta1*g'(x1, h0, theta) + delta3*g'(x3, h2, theta)", "-0.34"),                    # path through h2 left out
    ("delta1*g'_3(x1, h0, theta) + delta2*g'_3(x2, h1, theta)", "-0.24"),                # slotted primes
    ("-(delta1*g'(x1, h0, theta) + delta2*g'(x2, h1, theta) + delta3*g'(x3, h2, theta))", "0.64"),   # sign
    ("2*(delta1*g'(x1, h0, theta) + delta2*g'(x2, h1, theta) + delta3*g'(x3, h2, theta))", "-1.28"),  # factor
    ("-t*H(-t*y)*(g'(x3, h2, theta)*g'(x2, h1, theta) + g'(x3, h2, theta))", "-7/10"),   # expanded, one path short
    ("-t*Heaviside(-t*y)*(g'_2(x3, h2, theta)*g'_3(x2, h1, theta) + g'_3(x3, h2, theta))", "-0.70"),
]


@pytest.mark.parametrize("c, d", G_SLIPS)
def test_generic_g_carries_an_error_in_c_forward_to_d(c, d):
    v = exam_variant("g")
    parts = _by_name(FAM.grade(v, FAM.parse_answer(v, f"c) {c} ; d) {d}")))
    assert parts["c"].points < parts["c"].max_points
    assert parts["d"].points == parts["d"].max_points and parts["d"].evidence["carried_forward"]


def test_generic_g_does_not_carry_forward_a_number_that_follows_from_nothing():
    v = exam_variant("g")
    parts = _by_name(FAM.grade(v, FAM.parse_answer(v, "c) delta2*g'(x2, h1, theta) + delta3*g'(x3, h2, theta) ; "
                                                      "d) -0.5")))
    assert parts["d"].points == 0
    assert _by_name(FAM.grade(v, FAM.parse_answer(v, "d) -0.6")))["d"].points == 0   # not −0.64 to 2 digits


@pytest.mark.parametrize("d", ["-0.64", "-0.640", "-16/25", "-6.4e-1"])
def test_the_value_may_be_written_exactly_or_rounded(d):
    v = exam_variant("g")
    assert _by_name(FAM.grade(v, FAM.parse_answer(v, f"d) {d}")))["d"].points == 2


def test_concrete_cells_still_carry_forward_and_read_exact_numbers():
    v = exam_variant("tanh")
    s = FAM.solve(v)
    slip = f"-({s.answer.parts['c']})"
    parts = _by_name(FAM.grade(v, FAM.parse_answer(v, f"c) {slip} ; d) {-s.answer.parts['d']:.3g}")))
    assert parts["c"].points == 0 and parts["d"].points == 2 and parts["d"].evidence["carried_forward"]
