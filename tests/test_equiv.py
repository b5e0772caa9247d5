"""The equivalence checker and `dlexam equiv`: notations, near misses, kinks, unknown functions,
the honest "could not decide", and the time limit."""

from __future__ import annotations

import contextlib
import io
import json
import time

import pytest
import sympy

from dlexam.cli import main
from dlexam.engines import calculus, notation
from dlexam.engines.equivalence import check
from dlexam.errors import InputError

EQUAL = [
    ("2*(y - t)", "2y - 2t"),
    ("2*(y - t)", "2(y-t)"),
    ("2*(y - t)", "-2*(t - y)"),
    ("tanh'(z)", "1 - tanh(z)^2"),
    ("1 - tanh(z)**2", "1/cosh(z)**2"),
    ("sigmoid'(z)", "sigma(z)*(1 - sigma(z))"),
    ("sigmoid'(z)", r"\frac{e^{-z}}{(1+e^{-z})^2}"),
    ("sigmoid(z)", "1/(1 + exp(-z))"),
    (r"\tanh(x_1 \cdot w + h_0)", "tanh(x1*w + h0)"),
    ("x**2", "x^2"),
    ("x*y", "xy"),  # with --vars x,y
    ("max(0, x)", "(x + abs(x))/2"),
    ("max(0, x)", "relu(x)"),
    ("Heaviside(x)", "relu'(x)"),
    ("abs(x)", "x*sign(x)"),
    ("sign(x)", "2*Heaviside(x) - 1"),
    ("min(a, b)", "-max(-a, -b)"),
    ("exp(x)*exp(y)", "exp(x + y)"),
    ("log(x*y)", "log(x) + log(y)"),  # equal wherever both are defined (x, y > 0)
    ("2*g'(z)", "2*Derivative(g(z), z)"),
    ("Derivative(g(a, b, c), b)", "g'_2(a, b, c)"),
    ("Subs(Derivative(g(x2, u, theta), u), u, g(x1, h0, theta))", "g'_2(x2, g(x1, h0, theta), theta)"),
    ("-t*Heaviside(-t*y)", "-t*Heaviside(-y*t)"),
    ("(1 - tanh(x)**2)*(2*tanh(x) - 2*t)", "2*(tanh(x) - t)*tanh'(x)"),
]

DIFFERENT = [  # (expected, answer, what kind of slip)
    ("2*(y - t)", "2*(t - y)", "sign"),
    ("2*(y - t)", "(y - t)", "factor 2"),
    ("2*(y - t)", "4*(y - t)", "factor 2"),
    ("x1*w + h0", "x2*w + h0", "swapped variable"),
    ("tanh(x1*w)*x2", "tanh(x2*w)*x1", "swapped variables"),
    ("Heaviside(x)", "Heaviside(x - 0.001)", "kink shift"),
    ("max(x, 5)", "5", "kink outside the sampled range"),
    ("Max(0, x - 50)", "0", "kink far outside the sampled range"),
    ("abs(x - 50)", "50 - x", "kink far outside the sampled range"),
    ("max(x, 100) + y", "100 + y", "kink far outside the sampled range"),
    ("max(0, x)", "max(0.001, x)", "kink shift"),
    ("abs(x - 1)", "abs(x - 1.002)", "kink shift"),
    ("-t*Heaviside(-t*y)", "-t*Heaviside(t*y)", "kink side"),
    ("x", "x + 1e-12", "tiny constant"),
    ("1 - tanh(z)**2", "1 - tanh(z)", "forgot square"),
    ("sigmoid(z)*(1 - sigmoid(z))", "sigmoid(z)*(1 + sigmoid(z))", "sign"),
    ("exp(-x)", "exp(x)", "sign"),
]


def sympy_value(text: str, point: dict[str, float]) -> float:
    """Evaluate with SymPy's own parser, independent of the engine's notation and evaluator."""
    expr = sympy.parse_expr(text, local_dict={"sigmoid": lambda z: 1 / (1 + sympy.exp(-z))})
    expr = expr.subs({sympy.Symbol(k): sympy.Float(v, 40) for k, v in point.items()})
    return complex(expr.evalf(40)).real


@pytest.mark.parametrize("expected, answer", EQUAL)
def test_equal_pairs(expected, answer):
    verdict = check(expected, answer, ["x", "y"] if answer == "xy" else None)
    assert verdict.equivalent is True, verdict.reason
    assert verdict.counterexample is None


@pytest.mark.parametrize("expected, answer, slip", DIFFERENT)
def test_different_pairs_have_a_real_counterexample(expected, answer, slip):
    verdict = check(expected, answer)
    assert verdict.equivalent is False, slip
    point = verdict.counterexample
    a, b = sympy_value(expected, point), sympy_value(answer, point)
    assert abs(a - b) > 1e-20 * max(1, abs(a)), (slip, point, a, b)
    assert verdict.expected_value == pytest.approx(a) and verdict.answer_value == pytest.approx(b)


def test_counterexamples_are_short_when_possible():
    point = check("2*(y - t)", "2*(t - y)").counterexample
    assert set(point) == {"t", "y"} and all(v == round(v, 1) for v in point.values())


def test_unknown_function_slots_and_arguments_matter():
    assert check("Derivative(g(a, b, c), b)", "g'_3(a, b, c)").equivalent is False
    assert check("g(x, g(y, z))", "g(x, g(z, y))").equivalent is False
    verdict = check("g(x, y) + 1", "g(y, x) + 1")
    assert verdict.equivalent is False and "g" in verdict.functions


def test_loose_g_prime_as_in_the_exam():
    """ "just write g'": the chain rule's answer matches a student's δ-sum with plain g'."""
    program = calculus.parse_program(
        "h1 = g(x1, h0, theta); h2 = g(x2, h1, theta); h3 = g(x3, h2, theta); y = h3; L = max(0, -y*t)")
    chain = calculus.chain_rule(program, "theta", delta_names={"h1": "delta1", "h2": "delta2", "h3": "delta3"})
    student = r"\delta_1 g'(x_1, h_0, \theta) + \delta_2 g'(x_2, h_1, \theta) + δ3·g'(x3, h2, θ)"
    assert check(chain.total.expr, student, loose_primes=True).equivalent is True
    wrong = r"\delta_1 g'(x_1, h_0, \theta) + \delta_2 g'(x_2, h_1, \theta)"
    assert check(chain.total.expr, wrong, loose_primes=True).equivalent is False


def test_answers_read_through_the_program():
    """dE/dy written as 2(y - t), 2(h2 - t) or in the inputs: all the same value."""
    program = calculus.parse_program("h1 = tanh(x1*w + h0); h2 = tanh(x2*w + h1); y = h2; E = (y - t)**2")
    expected = calculus.chain_rule(program, "y").derivative
    inline = program.substitutions
    for answer in ["2(y - t)", "2*(h2 - t)", "2*tanh(x2*w + tanh(x1*w + h0)) - 2t"]:
        assert check(expected, answer, inline=inline).equivalent is True, answer
    assert check(expected, "2*(h1 - t)", inline=inline).equivalent is False


def test_contract_output_is_accepted_as_sympy():
    program = calculus.parse_program("h1 = g(x1, h0, theta); h2 = g(x2, h1, theta); y = h2")
    d = calculus.derivative(program, "theta")
    parsed = sympy.parse_expr(notation.sympy_text(d))
    assert check(parsed, d).equivalent is True
    assert check(parsed, d * 2).equivalent is False


def test_could_not_decide_is_honest_and_bounded():
    # defined nowhere in the reals: no number can decide, and simplification does not finish at 0
    start = time.perf_counter()
    verdict = check("log(-x**2 - 1)", "log(-x**2 - 2)", time_limit=1.0)
    assert verdict.equivalent is None and verdict.reason
    assert time.perf_counter() - start < 2.0


def test_hard_simplification_is_cut_off():
    """No real point is defined, so only simplify could decide, and it does not finish in time."""
    big = "+".join(f"sqrt(-(x + {k})**2 - 1)*exp(x**{k})" for k in range(1, 12))
    start = time.perf_counter()
    verdict = check(big, f"({big})*(sin(x)**2 + cos(x)**2)", time_limit=0.5)
    assert verdict.equivalent is None and "time" in verdict.reason
    assert time.perf_counter() - start < 1.5


@pytest.mark.parametrize("bad", ["2*(y - t", "x +", "__import__('os')", "x.real", "lambda: 1", "x ** ** 2", ""])
def test_unparsable_input_is_an_input_error(bad):
    with pytest.raises(InputError):
        check("x", bad)


def cli(*argv: str) -> tuple[int, dict]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*argv, "--json"])
    return code, json.loads(out.getvalue())


def test_cli_equiv_contract():
    code, out = cli("equiv", "2*(y - t)", "2*(t - y)")
    assert code == 0 and out["equivalent"] is False and set(out["counterexample"]) == {"y", "t"}
    code, out = cli("equiv", "2*(y - t)", "2(y-t)")
    assert code == 0 and out["equivalent"] is True and out["counterexample"] is None
    code, out = cli("equiv", "x*y", "xy", "--vars", "x,y")
    assert code == 0 and out["equivalent"] is True
    code, out = cli("equiv", "log(-x**2 - 1)", "log(-x**2 - 2)", "--time-limit", "0.5")
    assert code == 0 and out["equivalent"] is None and out["reason"]
    code, out = cli("equiv", "2*(y - t)", "2*(t - y")
    assert code == 2 and "error" in out


@pytest.mark.parametrize("expected, answer", [
    (r"\frac{1}{2}|x - 1|", "abs(x - 1)/2"),
    (r"\tanh^2(x_1)", "tanh(x1)**2"),
    ("lambda*w", "λ w"),
    (r"\sigma(z)\left(1 - \sigma(z)\right)", "sigmoid'(z)"),
    ("2 x y", "2*x*y"),
    ("(y - t)(1 - y)", "(y - t)*(1 - y)"),
    ("x1*w + h0", "x_{1} \\cdot w + h_0"),
])
def test_more_student_notations(expected, answer):
    assert check(expected, answer).equivalent is True


def test_verdicts_are_reproducible():
    first = check("Heaviside(x*y)", "Heaviside(x*y - 0.001)")
    again = check("Heaviside(x*y)", "Heaviside(x*y - 0.001)")
    assert first.equivalent is False and first == again


def test_plain_g_prime_of_several_arguments_is_read_loosely():
    verdict = check("Derivative(g(x1, h0, theta), theta)", "g'(x1, h0, theta)")
    assert verdict.equivalent is True and "g'" in verdict.reason
    assert check("Derivative(g(x1, h0, theta), theta)", "2*g'(x1, h0, theta)").equivalent is False
    assert check("Derivative(g(x1, h0, theta), theta)", "g'(x1, theta, h0)").equivalent is False
