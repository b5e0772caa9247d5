"""Accepted notations in the math families (tasks 3 and 4): one row per form a student writes,
graded end to end through the family. Grow the table with every new form.

Rows marked `engine notation pending` need the formula engine (dlexam/engines/notation*) to read
the form; the families pass such answers through unchanged and grade what the engine reads.
"""

import pytest

from dlexam.tasks.gradient_bound import GradientBound
from dlexam.tasks.gradient_bound import exam_variant as bound_variant
from dlexam.tasks.hessian import Hessian
from dlexam.tasks.rnn import RNN
from dlexam.tasks.rnn import exam_variant as rnn_variant

FAMILIES = {"gradient-bound": (GradientBound(), bound_variant), "rnn-tanh": (RNN(), lambda: rnn_variant("tanh")),
            "rnn-g": (RNN(), lambda: rnn_variant("g")), "hessian": (Hessian(), lambda: Hessian().generate(0))}

# (family, part, answer as written, points expected)
TABLE = [
    # gradient-bound (b): the bound of seed 000's |∂f/∂x_i| is ½‖w‖₁ (m = 2)
    ("gradient-bound", "b", "1/2*||w||_1", 2),
    ("gradient-bound", "b", "½‖w‖₁", 2),
    ("gradient-bound", "b", "0.5 ||w||_1", 2),
    ("gradient-bound", "b", "1/2 (|w1| + |w2|)", 2),
    ("gradient-bound", "b", "(|w1| + |w2|)/2", 2),
    ("gradient-bound", "b", "2(|w1| + |w2|)", 1),              # valid, but 4 times too loose
    ("gradient-bound", "b", "max(|w1|, |w2|)", 2),             # = m/2·‖w‖∞, attained for |w1| = |w2|
    ("gradient-bound", "b", "norm1(w)/2", 2),
    ("gradient-bound", "b", "0.49 ||w||_1", 0),
    # gradient-bound (a): ∂f/∂x1 of seed 000's model
    ("gradient-bound", "a", "-½·w1·a1·sign(x1 − c11) − ½·w2·a2·sign(x1 − c12)", 2),
    ("gradient-bound", "a", "-1/2*(w1*a1*sign(x1-c11) + w2*a2*sign(x1-c12))", 2),
    pytest.param("gradient-bound", "a", "-1/2*(w1*a1*(2*H(x1-c11)-1) + w2*a2*(2*H(x1-c12)-1))", 2),
    # rnn (b) for the generic g with L = max(0, −yt)
    ("rnn-g", "b", "-t*H(-y*t)", 1),
    ("rnn-g", "b", "-t*Heaviside(-t*y)", 1),
    ("rnn-g", "b", "-t*1[yt<0]", 1),
    ("rnn-g", "b", "-t·𝟙[y·t < 0]", 1),
    ("rnn-g", "b", "-t if y*t < 0 else 0", 1),
    ("rnn-g", "b", "-t*step(-y*t)", 1),
    # rnn (b), (c), (d) for the exam's tanh cell with E = (y − t)²
    ("rnn-tanh", "b", "2(y − t)", 1),
    ("rnn-tanh", "b", "2*(h2 - t)", 1),
    ("rnn-tanh", "c", "2(y−t)·tanh'(x2·w + h1)·(x2 + tanh'(x1·w + h0)·x1)", 3),
    ("rnn-tanh", "c", "2*(y-t)*(1-y^2)*(x2 + (1-h1^2)*x1)", 3),
    ("rnn-tanh", "c", "2*(y-t)*(1-tanh(x2*w+h1)**2)*(x2+(1-tanh(x1*w+h0)**2)*x1)", 3),
    # hessian, seed 0: H = [[4, −1], [−1, 1]], λ = (5 ∓ √13)/2, κ = (5 + √13)/(5 − √13)
    ("hessian", "b", "(5 - sqrt(13))/2, (5 + sqrt(13))/2", 1),
    ("hessian", "b", "(5 − √13)/2; (5 + √13)/2", 1),
    ("hessian", "b", "2.5 ± √3.25", 1),
    ("hessian", "c", "(5+√13)/(5−√13)", 1),
    ("hessian", "c", "(19 + 5√13)/6", 1),
    ("hessian", "e", "2/((5+sqrt(13))/2)", 1),
    ("hessian", "e", "4·(5 − √13)/12", 1),
]


@pytest.mark.parametrize("family, part, written, points", TABLE)
def test_accepted_notations(family, part, written, points):
    fam, variant = FAMILIES[family]
    v = variant()
    grade = fam.grade(v, fam.parse_answer(v, f"{part}) {written}"))
    assert {p.name: p for p in grade.parts}[part].points == pytest.approx(points)
