"""The functions a deep-learning course writes (engines/functions.py), each checked by value against
its meaning in elementary functions; a function dlexam does not know, on one side only, is named
(equivalent null), never answered with a made-up counterexample; formulas may start with '-' on
the command line."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from dlexam.cli import main
from dlexam.engines import functions, notation
from dlexam.engines.equivalence import check
from dlexam.errors import InputError

# (as written, its meaning in functions every version of dlexam knew)
MEANINGS = [
    ("sech(z)^2", "1 - tanh(z)^2"),
    ("tanh'(z)", "sech(z)**2"),
    ("sech^2(z)", "1/cosh(z)^2"),
    (r"\operatorname{sech}^2(z)", "1/cosh(z)^2"),
    ("csch(z)", "1/sinh(z)"),
    ("coth(z)", "cosh(z)/sinh(z)"),
    ("tan(z)", "sin(z)/cos(z)"),
    ("arcsinh(z)", "log(z + sqrt(z^2 + 1))"),
    ("asinh(z)", "log(z + sqrt(z^2 + 1))"),
    ("arctanh(z/2)", "log((1 + z/2)/(1 - z/2))/2"),
    ("arccosh(1 + z^2)", "log(1 + z^2 + sqrt((1 + z^2)^2 - 1))"),
    ("softplus(z)", "log(1 + exp(z))"),
    ("Softplus(z)", "ln(1 + e^z)"),
    ("softplus'(z)", "1/(1 + exp(-z))"),
    ("softsign(z)", "z/(1 + |z|)"),
    ("log1p(x)", "log(1 + x)"),
    ("expm1(x)", "exp(x) - 1"),
    ("logcosh(x)", "log(cosh(x))"),
    ("log_cosh'(x)", "tanh(x)"),
    ("log2(x)", "log(x)/log(2)"),
    ("log10(x)", "ln(x)/ln(10)"),
    ("ReLU(x)", "max(0, x)"),
    ("relu'(x)", "Heaviside(x)"),
    ("leaky_relu(x)", "max(x, 0.01*x)"),
    ("LeakyReLU(x, 0.2)", "max(x, 0.2*x)"),
    ("lrelu'(x)", "Heaviside(x) + 0.01*Heaviside(-x)"),
    ("elu(x)", "max(0, x) + min(0, exp(x) - 1)"),
    ("ELU(x, 2)", "max(0, x) + 2*(exp(min(0, x)) - 1)"),
    ("selu(x)", "1.0507009873554805*(max(0, x) + 1.6732632423543772*(exp(min(0, x)) - 1))"),
    ("gelu(x)", "x*(1 + erf(x/sqrt(2)))/2"),
    ("silu(x)", "x/(1 + exp(-x))"),
    ("swish(x)", "x*sigmoid(x)"),
    ("mish(x)", "x*tanh(log(1 + exp(x)))"),
    ("hardtanh(x)", "max(-1, min(1, x))"),
    ("relu6(x)", "min(6, max(0, x))"),
    ("step(x)", "Heaviside(x)"),
    ("H(x)", "Heaviside(x)"),
    ("heaviside(x - 1)", "Heaviside(x - 1)"),
    ("logistic(x)", "1/(1 + exp(-x))"),
    ("σ(x)", "1/(1 + e^(-x))"),
    ("σ'(x)", "sigmoid(x)*(1 - sigmoid(x))"),
    ("sgn(x)", "sign(x)"),
    ("sqrt(x^2)", "|x|"),
]


@pytest.mark.parametrize("written, meaning", MEANINGS)
def test_every_listed_function_means_what_it_says(written, meaning):
    verdict = check(meaning, written)
    assert verdict.equivalent is True, verdict.reason


@pytest.mark.parametrize("written, wrong", [
    ("sech(z)", "1 - tanh(z)^2"), ("softplus'(z)", "sigmoid(-z)"), ("logcosh'(x)", "-tanh(x)"),
    ("leaky_relu(x)", "relu(x)"), ("elu(x)", "relu(x)"), ("H(x)", "Heaviside(-x)"), ("log1p(x)", "log(x)"),
    ("gelu(x)", "x*sigmoid(x)"), ("csch(z)", "1/cosh(z)"), ("LeakyReLU(x, 0.2)", "leaky_relu(x)"),
])
def test_near_misses_get_a_real_counterexample(written, wrong):
    verdict = check(written, wrong)
    assert verdict.equivalent is False and verdict.counterexample and not verdict.functions


def test_every_function_in_the_table_is_evaluated_by_numbers_not_guessed():
    for name in functions.known_names():
        f = functions.known(name)
        args = ["x"] if f.least == 1 else ["x", "y"]
        text = f"{name}({', '.join(args)})"
        verdict = check(text, f"{text} + 0.001")
        assert verdict.equivalent is False, (name, verdict.reason)


@pytest.mark.parametrize("expected, answer, name", [
    ("tanh'(z)", "foo(z)", "foo"),
    ("x*sigmoid(x)", "swishh(x)", "swishh"),
    ("sofplus(z)", "log(1 + exp(z))", "sofplus"),
    ("2*(y - t)", "f(y) - t", "f"),
    ("relu(x)", "rectifier'(x)", "rectifier"),
])
def test_a_function_unknown_on_one_side_is_named_not_refuted(expected, answer, name):
    verdict = check(expected, answer)
    assert verdict.equivalent is None and verdict.counterexample is None
    assert f"`{name}`" in verdict.reason


def test_a_close_misspelling_gets_a_hint():
    assert "did you mean softplus" in check("sofplus(z)", "log(1 + exp(z))").reason


def test_the_generic_g_stays_any_function():
    assert check("g(x)", "g(x) + 0*x").equivalent is True
    assert check("2*g'(z)", "g'(z)").equivalent is False
    wrong = check("g(x)*w", "x*w")  # the task's g is any function: an answer without it is wrong
    assert wrong.equivalent is False and "g" in wrong.functions


def test_letters_are_functions_only_when_called():
    s = notation.symbol
    assert notation.parse_expression("H + 2*sigma^2") == s("H") + 2 * s("sigma") ** 2
    assert notation.parse_expression("σ² w") == s("sigma") ** 2 * s("w")
    assert notation.parse_expression("H(x) + H") == s("H") * s("x") + s("H")  # H is a variable here
    assert str(notation.parse_expression("H(x)")) == "Heaviside(x)"
    assert notation.parse_expression("theta(x + 1)") != notation.parse_expression("Heaviside(x + 1)")


@pytest.mark.parametrize("bad", ["relu(x, y)", "leaky_relu(x, 0.1, 2)", "max(x)", "softplus", "sech'(x, y)"])
def test_wrong_use_of_a_known_function_is_one_sentence(bad):
    with pytest.raises(InputError) as err:
        notation.parse_expression(bad)
    assert str(err.value).endswith(".") and "\n" not in str(err.value)


def cli(*argv: str) -> tuple[int, dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*argv, "--json"])
    return code, json.loads(out.getvalue())


@pytest.mark.parametrize("argv, equivalent", [
    (("equiv", "a", "-log(x)"), False),
    (("equiv", "-log(x)", "log(1/x)"), True),
    (("equiv", "-h1*w", "-w*h1"), True),
    (("equiv", "-x", "-(x)", "--vars", "x"), True),
    (("equiv", "--time-limit", "1", "-t*H(-y*t)", "-t if y*t < 0 else 0"), True),
])
def test_formulas_may_start_with_a_minus(argv, equivalent):
    code, out = cli(*argv)
    assert code == 0 and out["equivalent"] is equivalent


def test_leading_minus_in_hessian_and_derive():
    code, out = cli("hessian", "-w1*w2 + w1**2", "--wrt", "w1,w2")
    assert code == 0 and out["hessian"] == [[2.0, -1.0], [-1.0, 0.0]] and out["expression"] == "-w1*w2 + w1**2"
    code, out = cli("derive", "-y = x", "--wrt", "x")  # reaches the program's own message
    assert code == 2 and "required" not in out["error"]
    code, out = cli("equiv", "x", "--bogus")
    assert code == 2
