"""Accepted notations of the formula engine: one row per form a student writes, with the SymPy
meaning it must have, checked by value (equivalence.check). Refused forms get one sentence.
Grow the table with every new form."""

from __future__ import annotations

import pytest

from dlexam.engines import calculus
from dlexam.engines.equivalence import check
from dlexam.engines.notation import parse_expression
from dlexam.errors import InputError

# (as written, its meaning in SymPy's names)
ACCEPTED = [
    # implicit products and bars
    ("2x1", "2*x1"),
    ("2(|w1| + |w2|)", "2*(Abs(w1) + Abs(w2))"),
    ("|x - 1|/2", "Abs(x - 1)/2"),
    ("2(y - t)(1 - y)", "2*(y - t)*(1 - y)"),
    # Unicode operators
    ("2·x × y − 1", "2*x*y - 1"),
    ("x⋅y", "x*y"),
    # indicators: 1[c] is Heaviside of c, compared almost everywhere
    ("1[yt<0]", "Heaviside(-y*t)"),
    ("1[y*t <= 0]", "Heaviside(-y*t)"),
    ("𝟙[y·t < 0]", "Heaviside(-y*t)"),
    ("𝟙{y t ≤ 0}", "Heaviside(-y*t)"),
    ("1_{yt<0}", "Heaviside(-y*t)"),
    ("1_{y_t < 0}", "Heaviside(-y_t)"),
    ("1(yt < 0)", "Heaviside(-y*t)"),
    ("[yt < 0]", "Heaviside(-y*t)"),  # Iverson's bracket: a bracket holding a comparison
    (r"\mathbb{1}[y t \le 0]", "Heaviside(-y*t)"),
    (r"\mathbb{1}_{\{yt<0\}}", "Heaviside(-y*t)"),
    ("-t*1[yt<0]", "-t*Heaviside(-y*t)"),
    ("1[x ≥ 1]", "Heaviside(x - 1)"),
    ("1[x > 0 and y > 0]", "Heaviside(x)*Heaviside(y)"),
    ("1[x > 0 ∧ y > 0]", "Heaviside(x)*Heaviside(y)"),
    ("1[x > 0 or y > 0]", "1 - Heaviside(-x)*Heaviside(-y)"),
    ("1[not x > 0]", "Heaviside(-x)"),
    ("1[0 < x < 1]", "Heaviside(x)*Heaviside(1 - x)"),
    ("x*1[x > 0] + 0.01*x*1[x < 0]", "Max(x, x/100)"),
    # Python's conditional expression
    ("-t if y*t < 0 else 0", "-t*Heaviside(-y*t)"),
    ("x if x > 0 else 0.01*x", "Max(x, x/100)"),
    ("1 if x > 0 else 0", "Heaviside(x)"),
    ("(y - t)**2 if |y - t| < 1 else 2|y - t| - 1",
     "(y - t)**2*Heaviside(1 - Abs(y - t)) + (2*Abs(y - t) - 1)*Heaviside(Abs(y - t) - 1)"),
    # functions and the exam's derivative notation
    ("H(z)", "Heaviside(z)"),
    ("step(z)", "Heaviside(z)"),
    ("ReLU(z)", "Max(0, z)"),
    ("tanh'(z)", "1 - tanh(z)**2"),
    ("σ'(z)", "sigmoid(z)*(1 - sigmoid(z))"),
    ("relu'(z)", "Heaviside(z)"),
    ("softplus'(z)", "sigmoid(z)"),
    ("sech^2(z)", "1 - tanh(z)**2"),
    ("-log(x)", "log(1/x)"),
    ("[x + 1]*2", "2*(x + 1)"),  # a square bracket without a comparison is a bracket
    ("1(x + 1)", "x + 1"),
]


@pytest.mark.parametrize("written, meaning", ACCEPTED)
def test_accepted_notation_means(written, meaning):
    verdict = check(meaning, written)
    assert verdict.equivalent is True, verdict.reason


def test_indicator_and_heaviside_read_the_same():
    assert parse_expression("-t*1[yt<0]", {"y", "t"}) == parse_expression("-t*Heaviside(-y*t)")
    assert parse_expression("-t if y*t < 0 else 0") == parse_expression("-t*Heaviside(-t*y)")


REFUSED = [
    "x > 0",             # a bare comparison is not a number
    "(y*t < 0)*t",
    "1[x == 0]",         # an equality holds almost nowhere
    "1[x != 0]",
    "x if y else 0",     # a condition must compare
    "1[yt < 0",          # unbalanced
    "-t if y*t < 0",     # no else
    "a and b",
]


@pytest.mark.parametrize("bad", REFUSED)
def test_refused_notation_is_one_sentence(bad):
    with pytest.raises(InputError) as err:
        parse_expression(bad)
    message = str(err.value)
    assert message.endswith(".") and "\n" not in message and len(message) < 200


@pytest.mark.parametrize("program, wrt", [
    ("g = x1/5 + 0*x2", "x2"),
    ("h = x2 - x2 + w; y = tanh(h)", "x2"),
    ("y = w*0 + x", "w"),
    ("h = 0*u; y = h + x", "u"),
])
def test_a_variable_that_cancels_has_derivative_zero(program, wrt):
    assert calculus.derivative(calculus.parse_program(program), wrt) == 0


def test_a_variable_not_in_the_text_is_an_input_error():
    with pytest.raises(InputError, match="does not occur"):
        calculus.derivative(calculus.parse_program("g = x1/5 + 0*x2"), "x3")
