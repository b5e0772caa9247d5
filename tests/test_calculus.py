"""The calculus engine: parsing programs, derivatives (checked against torch.autograd and
finite differences), the chain-rule steps, and `dlexam derive`."""

from __future__ import annotations

import json
import math
import random

import pytest
import sympy
import torch

from dlexam.cli import main
from dlexam.engines import calculus, notation
from dlexam.errors import InputError

EXAM_RNN = "h1 = tanh(x1*w + h0); h2 = tanh(x2*w + h1); y = h2; E = (y - t)**2"
EXAM_G = "h1 = g(x1, h0, theta); h2 = g(x2, h1, theta); h3 = g(x3, h2, theta); y = h3; L = max(0, -y*t)"

TORCH = {
    "tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "exp": torch.exp,
    "log": torch.log, "abs": torch.abs, "sign": torch.sign,
    "max": lambda *a: torch.stack(torch.broadcast_tensors(*map(torch.as_tensor, a))).amax(0),
    "min": lambda *a: torch.stack(torch.broadcast_tensors(*map(torch.as_tensor, a))).amin(0),
}


def run_torch(program: str, point: dict[str, float], functions: dict | None = None) -> dict:
    """Run the program text as Python over torch tensors (a second, independent reading)."""
    env = {k: torch.tensor(v, dtype=torch.float64, requires_grad=True) for k, v in point.items()}
    scope = dict(TORCH, **(functions or {}))
    for stmt in program.replace("\n", ";").split(";"):
        name, rhs = stmt.split("=", 1)
        env[name.strip()] = eval(rhs, scope, env)  # test-only: our own fixed program texts
    return env


def torch_grad(program: str, of: str, wrt: str, point: dict[str, float], functions=None) -> float:
    env = run_torch(program, point, functions)
    (g,) = torch.autograd.grad(env[of], env[wrt], allow_unused=True)
    return 0.0 if g is None else float(g)


def at(expr: sympy.Expr, point: dict[str, float]) -> float:
    """Evaluate an engine expression with plain SymPy (not the engine's own evaluator)."""
    expr = notation.known_primes_exact(expr).rewrite(sympy.exp)
    subs = {notation.symbol(k): v for k, v in point.items()}
    value = expr.xreplace(subs).evalf(30)
    return float(value.replace(lambda e: isinstance(e, sympy.Heaviside), lambda e: sympy.Heaviside(e.args[0], 0.5)))


def random_point(program: calculus.Program, rng: random.Random) -> dict[str, float]:
    return {name: rng.uniform(-1.5, 1.5) for name in program.inputs}


def test_exam_rnn_derivative_matches_autograd():
    program = calculus.parse_program(EXAM_RNN)
    rng = random.Random(1)
    for wrt in ["w", "h0", "x1", "x2", "t"]:
        d = calculus.derivative(program, wrt)
        for _ in range(3):
            point = random_point(program, rng)
            assert at(d, point) == pytest.approx(torch_grad(EXAM_RNN, "E", wrt, point), rel=1e-9, abs=1e-12)


def test_exam_rnn_derivative_by_hand():
    """The exam's own answer: 2(y - t)·tanh'(x2 w + h1)·(x2 + tanh'(x1 w + h0)·x1)."""
    program = calculus.parse_program(EXAM_RNN)
    x1, x2, w, h0, t = 0.3, -0.7, 0.9, 0.1, 0.5
    h1 = math.tanh(x1 * w + h0)
    h2 = math.tanh(x2 * w + h1)
    expected = 2 * (h2 - t) * (1 - h2**2) * (x2 + (1 - h1**2) * x1)
    point = dict(x1=x1, x2=x2, w=w, h0=h0, t=t)
    assert at(calculus.derivative(program, "w"), point) == pytest.approx(expected, rel=1e-12)


def _random_program(rng: random.Random) -> str:
    """Small random programs over x1, x2, w, b, t with every function of the exam."""
    unary = ["tanh({})", "sigmoid({})", "relu({})", "exp({}/3)", "log(1 + ({})**2)", "abs({})"]
    binary = ["max({}, {})", "min({}, {})", "({})*({})", "({}) - 2*({})"]
    names = ["x1", "x2", "w", "b"]
    lines = []
    for i in range(rng.randint(2, 4)):
        a, c = rng.choice(names), rng.choice(names)
        inner = f"{a}*{rng.choice(['w', 'b', '0.5'])} + {c}"
        expr = rng.choice(unary).format(inner)
        if rng.random() < 0.5:
            expr = rng.choice(binary).format(expr, rng.choice(names))
        lines.append(f"h{i} = {expr}")
        names.append(f"h{i}")
    lines.append(f"E = ({names[-1]} - t)**2 + sign(x1)*{names[-2]}")
    return "; ".join(lines)


def test_random_programs_match_autograd():
    rng = random.Random(7)
    for _ in range(25):
        text = _random_program(rng)
        program = calculus.parse_program(text)
        for wrt in ["w", "x1", "b"]:
            if wrt not in program.inputs:
                continue
            d = calculus.derivative(program, wrt)
            point = random_point(program, rng)
            assert at(d, point) == pytest.approx(torch_grad(text, "E", wrt, point), rel=1e-8, abs=1e-10), text


def test_chain_rule_total_equals_direct_derivative():
    rng = random.Random(3)
    for text in [EXAM_RNN, _random_program(rng), _random_program(rng)]:
        program = calculus.parse_program(text)
        for wrt in program.inputs + program.names[:-1]:
            chain = calculus.chain_rule(program, wrt)
            point = random_point(program, rng)
            if wrt in program.names:  # dE/d(intermediate) by finite differences on a cut program
                cut = calculus.Program(tuple(a for a in program.assignments if a.name != wrt))
                values = dict(point)
                values[wrt] = at(program.value(wrt), point)
                f = cut.value(cut.output)
                h = 1e-6
                fd = (at(f, {**values, wrt: values[wrt] + h}) - at(f, {**values, wrt: values[wrt] - h})) / (2 * h)
                assert at(chain.derivative, point) == pytest.approx(fd, rel=1e-5, abs=1e-7)
            else:
                assert at(chain.derivative, point) == pytest.approx(
                    at(calculus.derivative(program, wrt), point), rel=1e-10, abs=1e-12)


def test_exam_steps_are_the_exam_answer():
    program = calculus.parse_program(EXAM_RNN)
    chain = calculus.chain_rule(program, "w")
    y, t = notation.symbol("y"), notation.symbol("t")
    assert chain.step("dE/dy").expr == 2 * (y - t)
    assert chain.step("dy/dh2").expr == 1
    tp = notation.known_prime_fn("tanh")
    h0, h1, w, x1, x2 = (notation.symbol(n) for n in ["h0", "h1", "w", "x1", "x2"])
    assert chain.step("dh2/dh1").expr == tp(x2 * w + h1)
    assert chain.step("dh2/dw").expr == x2 * tp(x2 * w + h1)
    d1, d2 = chain.deltas["h1"], chain.deltas["h2"]
    assert chain.total.expr == d1 * x1 * tp(x1 * w + h0) + d2 * x2 * tp(x2 * w + h1)
    assert [s.kind for s in chain.steps][:1] == ["local"] and chain.steps[-1].kind == "total"
    assert chain.texts[0] == "dE/dy = 2*(-t + y)"


def test_generic_rnn_in_delta_notation():
    program = calculus.parse_program(EXAM_G)
    names = {"h1": "delta1", "h2": "delta2", "h3": "delta3"}
    chain = calculus.chain_rule(program, "theta", delta_names=names)
    expected = notation.parse_expression("delta1*g'(x1, h0, theta) + delta2*g'(x2, h1, theta) + delta3*g'(x3, h2, theta)")
    assert calculus.loose_primes(chain.total.expr) == expected
    # the recursion δ2 = δ3·∂h3/∂h2 uses the slot of h, not of theta
    assert chain.step("delta2").expr == notation.symbol("delta3") * notation.partial("g", (2,))(
        *[notation.symbol(n) for n in ["x3", "h2", "theta"]])
    assert chain.step("dL/dy").expr == -notation.symbol("t") * sympy.Heaviside(-notation.symbol("t") * notation.symbol("y"))


G_CONCRETE = "sin(a*c + 0.5) + a*b**2/3 + tanh(b - c)"


def test_generic_rnn_with_concrete_g_matches_autograd():
    """Substitute a concrete g into the contract's output string and compare with torch."""
    program = calculus.parse_program(EXAM_G)
    a, b, c = sympy.symbols("a b c")
    g_sym = sympy.Lambda((a, b, c), sympy.sympify(G_CONCRETE))
    text = notation.sympy_text(calculus.derivative(program, "theta"))
    parsed = sympy.parse_expr(text, local_dict={"sigmoid": lambda z: 1 / (1 + sympy.exp(-z))})

    def g_torch(a, b, c):
        return torch.sin(a * c + 0.5) + a * b**2 / 3 + torch.tanh(b - c)

    rng = random.Random(5)
    active = 0
    for _ in range(4):
        point = {k: rng.uniform(-1, 1) for k in ["x1", "x2", "x3", "h0", "theta"]}
        point["t"] = -1.0  # so that max(0, -y t) is active at most points
        want = torch_grad(EXAM_G, "L", "theta", point, {"g": g_torch})
        at_point = parsed.subs({sympy.Symbol(k): sympy.Float(v, 30) for k, v in point.items()})
        got = float(at_point.subs(sympy.Function("g"), g_sym).doit().evalf(30)
                    .replace(lambda e: isinstance(e, sympy.Heaviside), lambda e: sympy.Heaviside(e.args[0], 0.5)))
        assert got == pytest.approx(want, rel=1e-9, abs=1e-12)
        active += abs(want) > 1e-3
    assert active >= 2  # the comparison is not only 0 == 0 (max inactive)


def test_error_carried_forward():
    """A wrong dE/dy = 2(y + t) carried into dE/dw: later steps use the student's value."""
    program = calculus.parse_program(EXAM_RNN)
    chain = calculus.chain_rule(program, "w", given={"dE/dy": "2*(y + t)"})
    right = calculus.chain_rule(program, "w")
    point = dict(x1=0.3, x2=-0.7, w=0.9, h0=0.1, t=0.5)
    env = run_torch(EXAM_RNN, point)
    y, t = float(env["y"].detach()), 0.5
    ratio = (y + t) / (y - t)
    assert at(chain.derivative, point) == pytest.approx(ratio * at(right.derivative, point), rel=1e-10)


def test_hessian_matches_torch():
    text = "z = w1*x1 + w2*x2 - t; E = z**2 + log(1 + exp(w1*w2))"
    program = calculus.parse_program(text)
    hess = calculus.hessian(program, ["w1", "w2"])
    point = dict(x1=0.4, x2=-1.3, t=0.2, w1=0.7, w2=-0.2)

    def f(w):
        return (w[0] * 0.4 + w[1] * -1.3 - 0.2) ** 2 + torch.log(1 + torch.exp(w[0] * w[1]))

    want = torch.autograd.functional.hessian(f, torch.tensor([0.7, -0.2], dtype=torch.float64))
    got = [at(hess[i, j], point) for i in range(2) for j in range(2)]
    assert got == pytest.approx(want.flatten().tolist(), rel=1e-10)


def test_gradient_of_model_output_with_abs_gives_sign():
    """Task 3's model: f = Σ_j w_j exp(-½ Σ_i |x_i - c_ij|) gives -½ Σ_j w_j exp(…) sign(x_i - c_ij)."""
    text = "f = w1*exp(-(abs(x1 - c11) + abs(x2 - c21))/2) + w2*exp(-(abs(x1 - c12) + abs(x2 - c22))/2)"
    program = calculus.parse_program(text)
    grad = calculus.gradient(program, ["x1", "x2"])
    point = dict(w1=0.5, w2=-1.5, x1=0.3, x2=-0.4, c11=1.0, c21=0.2, c12=-0.6, c22=-1.0)
    e1 = math.exp(-(abs(0.3 - 1.0) + abs(-0.4 - 0.2)) / 2)
    e2 = math.exp(-(abs(0.3 + 0.6) + abs(-0.4 + 1.0)) / 2)
    assert at(grad[0], point) == pytest.approx(-0.5 * (0.5 * e1 * -1 + -1.5 * e2 * 1))
    assert at(grad[1], point) == pytest.approx(-0.5 * (0.5 * e1 * -1 + -1.5 * e2 * 1))


@pytest.mark.parametrize("bad", [
    "h1 = tanh(x1*w + h0", "h1 = tanh(x1*w + h0))", "= tanh(x)", "2 = x", "h1 = x; h1 = 2*x",
    "y = h2; h2 = x", "y = __import__('os').system('true')", "y = x.real", "y = [1, 2]",
    "y = lambda: 1", "y = x if x else 1", "tanh = x", "y = tanh(x, w)", "y = max(x)", "y x",
    "y = open('f')('x')", "y = (x == 1)",
])
def test_bad_programs_are_input_errors(bad):
    with pytest.raises(InputError):
        calculus.parse_program(bad)


def test_program_notations():
    p = calculus.parse_program("h_1 = \\tanh(x_1 w + h_0)\nL(y, t) = max(0, -h1 t)")
    assert p.names == ["h1", "L"] and p.inputs == ["h0", "t", "w", "x1"]
    assert p.expr("h1") == sympy.tanh(notation.symbol("x1") * notation.symbol("w") + notation.symbol("h0"))


def cli(*argv: str) -> tuple[int, dict]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*argv, "--json"])
    return code, json.loads(out.getvalue())


def test_cli_derive_contract():
    code, out = cli("derive", EXAM_RNN, "--wrt", "w")
    assert code == 0 and out["of"] == "E" and out["wrt"] == "w"
    assert out["steps"][0] == "dE/dy = 2*(-t + y)"
    parsed = sympy.parse_expr(out["derivative"])
    names = {s.name for s in parsed.free_symbols}
    assert names <= {"x1", "x2", "w", "h0", "t"}
    point = dict(x1=0.3, x2=-0.7, w=0.9, h0=0.1, t=0.5)
    value = float(parsed.subs({sympy.Symbol(k): v for k, v in point.items()}))
    assert value == pytest.approx(torch_grad(EXAM_RNN, "E", "w", point), rel=1e-10)


def test_cli_derive_generic_and_errors():
    code, out = cli("derive", EXAM_G, "--wrt", "theta")
    assert code == 0 and "Derivative(g(x1, h0, theta), theta)" in out["derivative"]
    assert cli("derive", EXAM_RNN, "--wrt", "w", "--of", "h1")[1]["of"] == "h1"
    for argv in [("derive", "h1 = tanh(x1*w", "--wrt", "w"), ("derive", "= x", "--wrt", "x"),
                 ("derive", EXAM_RNN, "--wrt", "w", "--of", "Z"), ("derive", EXAM_RNN, "--wrt", "q")]:
        code, out = cli(*argv)
        assert code == 2 and out["error"].endswith(".")


def test_steps_render_in_latex():
    chain = calculus.chain_rule(calculus.parse_program(EXAM_G), "theta")
    lines = [s.latex for s in chain.steps]
    assert lines[0] == r"\frac{\partial L}{\partial y} = - t H\left(- t y\right)"
    assert any(r"g'_{3}\left(x_{1}, h_{0}, \theta\right)" in line for line in lines)


def test_primed_function_of_several_arguments_needs_its_slot():
    rc, out = cli("derive", "y = g'(x, w)", "--wrt", "w", "--json")
    assert rc == 2 and "g'_2(x, w)" in out["error"]
