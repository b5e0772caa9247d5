"""Exam task 4, RNN: the unrolled graph, ∂E/∂y, ∂E/∂w by the multivariate chain rule, its value.

As in the exam: `h1 = tanh(x1·w + h0); h2 = tanh(x2·w + h1); y = h2; E = (y − t)²`, or the
generic `h_t = g(x_t, h_{t−1}, θ); y = h3; L = max(0, −yt)` ("just write g'"). Variants draw
T = 2..4 steps, the cell (tanh, sigmoid, ReLU or an unknown g), where the weight sits
(`x_t·w + h_{t−1}` or `x_t + w·h_{t−1}`) and the loss ((y−t)², max(0, −yt), log(1 + exp(−yt))).

Parts and points (8): (a) 2 — the graph as a list of edges `u->v`, compared as sets with y and
h_T one node (each right edge earns a share, each wrong edge costs one, never below 0);
(b) 1 — ∂E/∂y, by the equivalence checker, read through the program (`2(y − t)` is fine);
(c) 3 — ∂E/∂w, expanded or with δ_t = ∂E/∂h_t, checked against the chain rule computed from
the student's own (b) too (error carried forward: a slip in (b) costs once); leaving out one
path through the graph earns half; (d) 2 — the number at given values (concrete cells), also
accepted when it is the value of the student's own (c); for g, the number from given δ_t and
∂h_t/∂θ. Tolerance for numbers: 0.005 + 1 %.

One-line answer: `a) x1->h1, h0->h1, w->h1, ... ; b) 2(y - t) ; c) ... ; d) 0.123`.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from dlexam.errors import InputError, VerificationError
from dlexam.tasks.document import Block, Code, Text
from dlexam.tasks.model import Answer, Grade, PartGrade, Solution, TaskFamily, Variant
from dlexam.grading.numbers import close, number
from dlexam.tasks.parts import check_parts, split_parts, text_part

LABELS = "abcd"
POINTS = {"a": 2.0, "b": 1.0, "c": 3.0, "d": 2.0}
CELLS = ("tanh", "tanh", "sigmoid", "relu", "g")
LOSSES = {"square": "(y - t)**2", "perceptron": "max(0, -y*t)", "log": "log(1 + exp(-y*t))"}
LOSS_WORDS = {"square": "(y − t)²", "perceptron": "max(0, −y·t)", "log": "log(1 + exp(−y·t))"}
G_CONCRETE = "tanh(c*a + b/2) + c*b/10"   # the g that verify puts in for the unknown g(a, b, c)


# ---------------------------------------------------------------- posing


def make_data(cell: str, steps: int, loss: str, form: str, numbers: dict[str, float]) -> dict[str, Any]:
    """Variant data; `numbers` are x_t, h0, w, t for a concrete cell, delta_t and dh_t for g."""
    param, err = ("theta", "L") if cell == "g" else ("w", "E")
    lines = []
    for t in range(1, steps + 1):
        if cell == "g":
            rhs = f"g(x{t}, h{t - 1}, theta)"
        elif form == "input":
            rhs = f"{cell}(x{t}*w + h{t - 1})"
        else:
            rhs = f"{cell}(x{t} + w*h{t - 1})"
        lines.append(f"h{t} = {rhs}")
    lines += [f"y = h{steps}", f"{err} = {LOSSES[loss]}"]
    return {"cell": cell, "steps": steps, "loss": loss, "form": form, "param": param, "error": err,
            "program": "; ".join(lines), "numbers": numbers}


def exam_variant(which: str = "tanh") -> Variant:
    """The exam's own instances: the seed's tanh RNN with (y − t)², or the generic g with max(0, −yt)."""
    if which == "tanh":
        return Variant("rnn", 0, make_data("tanh", 2, "square", "input",
                                           {"x1": 1.0, "x2": -0.5, "h0": 0.0, "w": 0.5, "t": 1.0}))
    numbers = {"delta1": 0.2, "delta2": -0.5, "delta3": 1.0, "dh1": 0.3, "dh2": 0.6, "dh3": -0.4}
    return Variant("rnn", 0, make_data("g", 3, "perceptron", "input", numbers))


def _draw_numbers(rng: random.Random, data: dict[str, Any]) -> dict[str, float]:
    steps = data["steps"]
    if data["cell"] == "g":
        pick = lambda: rng.choice([-1.0, -0.5, -0.2, 0.2, 0.3, 0.5, 0.8, 1.0, 2.0])
        return {**{f"delta{t}": pick() for t in range(1, steps + 1)}, **{f"dh{t}": pick() for t in range(1, steps + 1)}}
    program = _program(data["program"])
    for _ in range(200):
        numbers = {f"x{t}": rng.choice([-1.0, -0.5, 0.5, 1.0, 1.5, 2.0]) for t in range(1, steps + 1)}
        numbers.update(h0=rng.choice([0.0, 0.5, -0.5, 1.0]), w=rng.choice([-1.0, -0.5, 0.5, 1.0, 2.0]),
                       t=rng.choice([1.0, -1.0, 0.5]))
        if data["cell"] == "relu" and min(abs(_pre_activation(program, t, numbers)) for t in range(1, steps + 1)) < 0.1:
            continue  # away from the kink of ReLU
        y = _at(program, numbers)["y"]
        if data["loss"] == "perceptron":
            if abs(y) < 0.05:
                continue
            numbers["t"] = -abs(numbers["t"]) if y > 0 else abs(numbers["t"])  # a misclassified example
        return numbers
    raise AssertionError("no numbers away from the kinks")  # pragma: no cover


class RNN(TaskFamily):
    name = "rnn"
    title = "RNN: unrolled graph and the chain rule"
    topic = "Task 4: RNN"
    points = sum(POINTS.values())

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        cell = rng.choice(CELLS)
        steps = rng.choice([2, 2, 3, 3, 4]) if cell != "g" else rng.choice([2, 3, 3, 4])
        loss = rng.choice(list(LOSSES))
        form = rng.choice(["input", "input", "recurrent"])
        data = make_data(cell, steps, loss, form, {})
        data["numbers"] = _draw_numbers(rng, data)
        return data

    def document(self, variant: Variant) -> list[Block]:
        d = variant.data
        p, e, steps = _sym(d["param"]), d["error"], d["steps"]
        lines = d["program"].replace("**2", "²").replace("*", "·").replace("theta", "θ").split("; ")
        blocks: list[Block] = [Text(f"A recurrent network runs for {steps} steps and is trained with the loss {e}:"),
                               Code("\n".join(lines), "text")]
        if d["cell"] == "g":
            blocks.append(Text("g is any differentiable function; just write g' for its derivative "
                               "(which argument it is taken in need not be said)."))
        blocks += [
            Text("(a) Draw the associated unrolled computation graph: list its edges as `u->v`, "
                 "separated by commas (a chain `h0->h1->h2` stands for its edges)."),
            Text(f"(b) Calculate ∂{e}/∂y."),
            Text(f"(c) State the derivative ∂{e}/∂{p} using the multivariate chain rule. You may write "
                 f"δ_t = ∂{e}/∂h_t as `delta1`, `delta2`, … and " +
                 ("g'(x2, h1, θ) for the derivative of g." if d["cell"] == "g" else f"{d['cell']}'(z) for the "
                  f"derivative of {d['cell']}" + (" (`Heaviside(z)` is relu')." if d["cell"] == "relu" else "."))),
        ]
        n = d["numbers"]
        if d["cell"] == "g":
            deltas = ", ".join(f"δ{t} = {_num(n[f'delta{t}'])}" for t in range(1, steps + 1))
            locals_ = ", ".join(f"∂h{t}/∂θ = {_num(n[f'dh{t}'])}" for t in range(1, steps + 1))
            blocks.append(Text(f"(d) Calculate ∂{e}/∂θ given {deltas} (δ_t = ∂{e}/∂h_t) and the partial "
                               f"derivatives of each step in its own θ: {locals_}."))
        else:
            values = ", ".join(f"{k} = {_num(v)}" for k, v in n.items())
            blocks.append(Text(f"(d) Calculate ∂{e}/∂{p} for {values} (to 3 decimals)."))
        return blocks

    def answer_hint(self, variant: Variant) -> str:
        e, p = variant.data["error"], variant.data["param"]
        return (f"one line `a) x1->h1, h0->h1, ... ; b) ∂{e}/∂y ; c) ∂{e}/∂{p} ; d) number` "
                f"(formulas like 2(y - t)*tanh'(x2*w + h1); delta1, delta2, ... for δ_t; Heaviside(z) for a step)")

    # --- solving ----------------------------------------------------------------------------

    def solve(self, variant: Variant) -> Solution:
        s = _solved(variant.data)
        d = variant.data
        e, p = d["error"], d["param"]
        answer = {"a": ", ".join(f"{u}->{v}" for u, v in s.edges), "b": s.dedy, "c": s.total, "d": s.value}
        steps = [f"(a) Unrolled graph: every h_t gets x_t, h_(t-1) and the shared {p}; y = h{d['steps']} "
                 f"feeds {e}, with the target t. Edges: {answer['a']}.",
                 f"(b) ∂{e}/∂y = {s.dedy}.",
                 f"(c) The weight {_sym(p)} is used by every step, so ∂{e}/∂{_sym(p)} sums over the steps: "
                 f"∂{e}/∂{_sym(p)} = Σ_t δ_t·∂h_t/∂{_sym(p)} with δ_t = ∂{e}/∂h_t = δ_(t+1)·∂h_(t+1)/∂h_t:",
                 *[f"    {line}" for line in s.chain_texts],
                 f"    so ∂{e}/∂{_sym(p)} = {s.total}."]
        if d["cell"] == "g":
            n = d["numbers"]
            terms = " + ".join(f"({_num(n[f'delta{t}'])})·({_num(n[f'dh{t}'])})" for t in range(1, d["steps"] + 1))
            steps.append(f"(d) ∂{e}/∂θ = Σ_t δ_t·∂h_t/∂θ = {terms} = {_num(s.value)}.")
        else:
            forward = ", ".join(f"{k} = {v:.4g}" for k, v in s.forward.items())
            steps.append(f"(d) Forward pass: {forward}; then ∂{e}/∂{p} = {s.value:.4g}.")
        return Solution(Answer(answer), steps)

    def verify(self, variant: Variant, solution: Solution) -> None:
        s = _solved(variant.data)
        got = delta_formula_value(variant.data) if variant.data["cell"] == "g" else torch_gradient(variant.data)
        if not close(got, s.value, rel=1e-6, abs_=1e-9):
            raise VerificationError(f"The second method gives {got}, the solution {s.value}.")
        if variant.data["cell"] != "g":
            for seed in range(3):   # and at random points, against the symbolic derivative
                rng = random.Random(seed)
                numbers = {k: rng.uniform(-1.5, 1.5) for k in variant.data["numbers"]}
                sym = _value_at(s.total_value_expr, numbers)
                auto = torch_gradient({**variant.data, "numbers": numbers})
                if not close(auto, sym, rel=1e-6, abs_=1e-9):
                    raise VerificationError(f"At {numbers}: torch {auto}, symbolic {sym}.")
        else:
            sym = _generic_symbolic(s.total_value_expr, variant.data)
            auto = torch_gradient(variant.data, concrete_g=True)
            if not close(auto, sym, rel=1e-6, abs_=1e-9):
                raise VerificationError(f"With g = {G_CONCRETE}: torch {auto}, symbolic {sym}.")
        if not close(float(solution.answer.parts["d"]), got, rel=1e-6, abs_=1e-9):
            raise VerificationError("The solution's number disagrees with torch.")

    def picture(self, variant: Variant, path: str | Path) -> Path:
        from dlexam.tasks.rnn.picture import draw

        program = _program(variant.data["program"])
        edges = [(u, a.name) for a in program.assignments for u in sorted(program.uses[a.name])]
        return draw(edges, variant.data["steps"], variant.data["param"], path)

    # --- grading ----------------------------------------------------------------------------

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        parts = split_parts(text, LABELS)
        _validate(variant, parts)
        return Answer(parts)

    def grade(self, variant: Variant, answer: Answer) -> Grade:
        parts = check_parts(answer.parts, LABELS)
        _validate(variant, parts)
        s = _solved(variant.data)
        a = grade_edges(parts.get("a"), s.edges, variant.data)
        b, wrong_b = _grade_b(parts.get("b"), s, variant.data)
        c, c_expr = _grade_c(parts.get("c"), wrong_b, s, variant.data)
        d = _grade_d(parts.get("d"), c_expr, s, variant.data)
        return Grade([a, b, c, d])

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        parts = dict(answer.parts)
        s = _solved(variant.data)
        kind = rng.choice(["factor", "sign", "missing", "number", "edge"])
        if kind == "factor":
            parts["b"] = f"2*({parts['b']})"
        elif kind == "sign":
            parts["c"] = f"-({parts['c']})"
        elif kind == "missing":
            parts["c"] = s.last_term
        elif kind == "number":
            parts["d"] = 2 * parts["d"] if abs(parts["d"]) > 0.05 else parts["d"] + 1
        else:
            edges = parts["a"].split(", ")
            parts["a"] = ", ".join(edges[1:])
        return Answer(parts)


# ---------------------------------------------------------------- the computed solution


@dataclass(frozen=True)
class Solved:
    edges: list[tuple[str, str]]
    dedy: str
    total: str
    value: float
    chain_texts: list[str]
    total_value_expr: Any          # ∂E/∂w in the inputs (SymPy)
    last_term: str                 # only the path through the last step (a typical slip)
    forward: dict[str, float]


def _sym(param: str) -> str:
    return "θ" if param == "theta" else param


def _num(x: float) -> str:
    return f"{x:.6g}"


@lru_cache(maxsize=256)
def _program(source: str):
    from dlexam.engines.calculus import parse_program

    return parse_program(source)


def _delta_names(data: dict[str, Any]) -> dict[str, str]:
    return {**{f"h{t}": f"delta{t}" for t in range(1, data["steps"] + 1)}, "y": "delta_y"}


@lru_cache(maxsize=256)
def _chain(source: str, param: str, steps: int, dedy: str | None = None):
    from dlexam.engines.calculus import chain_rule

    given = {f"d{_program(source).output}/dy": dedy} if dedy is not None else None
    return chain_rule(_program(source), param, given=given, delta_names=_delta_names({"steps": steps}))


def _solved(data: dict[str, Any]) -> Solved:
    return _solved_cached(json.dumps(data, sort_keys=True))


@lru_cache(maxsize=256)
def _solved_cached(key: str) -> Solved:
    from dlexam.engines.calculus import show

    data = json.loads(key)
    program = _program(data["program"])
    cr = _chain(data["program"], data["param"], data["steps"])
    err, p, steps = data["error"], data["param"], data["steps"]
    dedy = show(cr.step(f"d{err}/dy", "local").expr)
    total = show(cr.total.full)
    last = cr.step(f"delta{steps}", "delta").full * cr.step(f"dh{steps}/d{p}", "local").expr
    n = data["numbers"]
    if data["cell"] == "g":
        value = sum(n[f"delta{t}"] * n[f"dh{t}"] for t in range(1, steps + 1))
        forward = {}
    else:
        value = _value_at(cr.derivative, n)
        forward = _at(program, n)
    return Solved(graph_edges(program, steps), dedy, total, round(value, 10), cr.texts, cr.derivative,
                  show(last), forward)


def graph_edges(program, steps: int) -> list[tuple[str, str]]:
    """The data-flow edges, with y and h_T one node (y = h_T)."""
    rename = {"y": f"h{steps}"}
    edges = []
    for a in program.assignments:
        for u in sorted(program.uses[a.name]):
            e = (rename.get(u, u), rename.get(a.name, a.name))
            if e[0] != e[1] and e not in edges:
                edges.append(e)
    return edges


def _at(program, numbers: dict[str, float]) -> dict[str, float]:
    """The forward pass: every assigned name's value."""
    import numpy as np

    from dlexam.engines.calculus_numeric import evaluate
    from dlexam.engines.notation import symbol

    env = {symbol(k): np.float64(v) for k, v in numbers.items()}
    return {a.name: float(evaluate(program.value(a.name), env)) for a in program.assignments}


def _pre_activation(program, t: int, numbers: dict[str, float]) -> float:
    import numpy as np

    from dlexam.engines.calculus_numeric import evaluate
    from dlexam.engines.notation import symbol

    inner = [a for a in program.expr(f"h{t}").args if a != 0][0]  # relu(z) is Max(0, z)
    env = {symbol(k): np.float64(v) for k, v in numbers.items()}
    env.update({symbol(k): np.float64(v) for k, v in _at(program, numbers).items()})
    return float(evaluate(inner, env))


def _value_at(expr, numbers: dict[str, float]) -> float:
    import numpy as np

    from dlexam.engines.calculus_numeric import evaluate
    from dlexam.engines.notation import symbol

    return float(evaluate(expr, {symbol(k): np.float64(v) for k, v in numbers.items()}))


# ---------------------------------------------------------------- second methods (verify)


def delta_formula_value(data: dict[str, Any]) -> float:
    """For g: the engine's δ-form of ∂L/∂θ (Σ δ_t·∂h_t/∂θ) with the given numbers put in."""
    from dlexam.engines.notation import symbol

    cr = _chain(data["program"], data["param"], data["steps"])
    n, p = data["numbers"], data["param"]
    put = {cr.step(f"dh{t}/d{p}", "local").expr: n[f"dh{t}"] for t in range(1, data["steps"] + 1)}
    put.update({symbol(f"delta{t}"): n[f"delta{t}"] for t in range(1, data["steps"] + 1)})
    return float(cr.total.expr.xreplace(put))


def torch_gradient(data: dict[str, Any], concrete_g: bool = False) -> float:
    """∂E/∂w by torch.autograd at the variant's numbers (for g: with a concrete g, at fixed numbers)."""
    import torch

    n = data["numbers"]
    tensors = {k: torch.tensor(v, dtype=torch.float64) for k, v in n.items()}
    param = data["param"]
    if concrete_g:
        tensors = {f"x{t}": torch.tensor(0.3 * t - 0.7, dtype=torch.float64) for t in range(1, data["steps"] + 1)}
        tensors.update(h0=torch.tensor(0.4, dtype=torch.float64), theta=torch.tensor(0.8, dtype=torch.float64),
                       t=torch.tensor(-1.0, dtype=torch.float64))
    w = tensors[param].clone().requires_grad_(True)
    act = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}.get(data["cell"])
    h = tensors["h0"]
    for t in range(1, data["steps"] + 1):
        x = tensors[f"x{t}"]
        if data["cell"] == "g":
            h = torch.tanh(w * x + h / 2) + w * h / 10
        else:
            h = act(x * w + h) if data["form"] == "input" else act(x + w * h)
    y, target = h, tensors["t"]
    loss = {"square": (y - target) ** 2, "perceptron": torch.clamp(-y * target, min=0),
            "log": torch.log1p(torch.exp(-y * target))}[data["loss"]]
    loss.backward()
    return float(w.grad)


def _generic_symbolic(expr, data: dict[str, Any]) -> float:
    """The symbolic ∂L/∂θ with the concrete g (and its partials) put in for the unknown g."""
    import sympy

    from dlexam.engines.notation import Partial, Unknown

    a, b, c = sympy.symbols("a b c", real=True)
    g = sympy.parse_expr(G_CONCRETE, {"a": a, "b": b, "c": c})

    def partial(e):
        body = g
        for slot in e.slots:
            body = sympy.diff(body, (a, b, c)[slot - 1])
        return body.xreplace(dict(zip((a, b, c), e.args)))

    concrete = expr.replace(lambda e: isinstance(e, Partial), partial)
    concrete = concrete.replace(lambda e: isinstance(e, Unknown), lambda e: g.xreplace(dict(zip((a, b, c), e.args))))
    numbers = {f"x{t}": 0.3 * t - 0.7 for t in range(1, data["steps"] + 1)}
    numbers.update(h0=0.4, theta=0.8, t=-1.0)
    return _value_at(concrete, numbers)


# ---------------------------------------------------------------- grading the parts


def _clean_formula(text: str) -> str:
    import re

    return re.sub(r"\bH\(", "Heaviside(", text)


def _validate(variant: Variant, parts: dict[str, Any]) -> None:
    """Raise InputError for a part that cannot be read (so the student can retype it)."""
    from dlexam.engines.notation import parse_expression

    if "a" in parts:
        read_edges(parts["a"])
    for label in "bc":
        text = text_part(parts, label)
        if text is not None:
            parse_expression(_clean_formula(text))
    if "d" in parts:
        number(parts["d"], "d")


def read_edges(value: Any) -> set[tuple[str, str]]:
    """Edges from `x1->h1, h0->h1` (chains `h0->h1->h2` allowed) or a JSON list of pairs/strings."""
    import re

    from dlexam.engines.notation import clean_text

    if isinstance(value, list):
        items = [f"{e[0]}->{e[1]}" if isinstance(e, (list, tuple)) and len(e) == 2 else e for e in value]
        if not all(isinstance(i, str) for i in items):
            raise InputError("Edges are strings such as 'x1->h1' or pairs such as ['x1', 'h1'].")
        value = ", ".join(items)
    if not isinstance(value, str):
        raise InputError("Part a) lists edges such as `x1->h1, h0->h1`.")
    text = re.sub(r"\s*(?:->|→|=>|-->|⟶)\s*", "->", clean_text(value).replace("-->", "->"))
    edges: set[tuple[str, str]] = set()
    for item in re.split(r"[,\s]+", text.strip()):
        if not item:
            continue
        names = [_node(n) for n in item.split("->")]
        if len(names) < 2 or not all(names):
            raise InputError(f"Write each edge as `u->v` (as in `x1->h1`), not {item!r}.")
        edges.update(zip(names, names[1:]))
    if not edges:
        raise InputError("Part a) lists edges such as `x1->h1, h0->h1`.")
    return edges


def _node(name: str) -> str:
    import re

    name = re.sub(r"[_{}()]", "", name.strip())
    if not re.fullmatch(r"[A-Za-z]+\d*", name):
        return ""
    return name if name in ("E", "L") else name.lower()


def grade_edges(value: Any, expected: list[tuple[str, str]], data: dict[str, Any]) -> PartGrade:
    points = POINTS["a"]
    if value is None:
        return PartGrade("a", 0.0, points, "a) No graph given.")
    steps = data["steps"]
    given = {(f"h{steps}" if u == "y" else u, f"h{steps}" if v == "y" else v) for u, v in read_edges(value)}
    given = {(u, data["error"] if v in ("e", "l") else v) for u, v in given if u != v}
    want = set(expected)
    right, wrong, missing = given & want, sorted(given - want), sorted(want - given)
    score = points * max(0, len(right) - len(wrong)) / len(want)
    lines = [f"a) {len(right)} of {len(want)} edges right" + (f", {len(wrong)} wrong" if wrong else "") + "."]
    if missing:
        lines.append("   Missing: " + ", ".join(f"{u}->{v}" for u, v in missing) + ".")
    if wrong:
        lines.append("   Not in the graph: " + ", ".join(f"{u}->{v}" for u, v in wrong) + ".")
    return PartGrade("a", score, points, "\n".join(lines),
                     {"missing": [list(e) for e in missing], "wrong": [list(e) for e in wrong]})


def _check(expected, text: str, data: dict[str, Any], inline: dict):
    from dlexam.engines.equivalence import check

    program = _program(data["program"])
    names = program.inputs + program.names + list(_delta_names(data).values())
    return check(expected, _clean_formula(text), names, inline=inline, loose_primes=data["cell"] == "g",
                 time_limit=1.0)


def _inline(data: dict[str, Any], cr) -> dict:
    """Assigned names and δ's -> their values in the inputs (δ's as computed in `cr`)."""
    program = _program(data["program"])
    values = dict(program.substitutions)
    for delta in cr.deltas.values():
        values[delta] = cr.step(str(delta), "delta").value
    return values


def _counter(verdict) -> str:
    if verdict.equivalent is None:
        return f"could not be decided ({verdict.reason})"
    point = ", ".join(f"{k} = {v:g}" for k, v in (verdict.counterexample or {}).items())
    values = ""
    if verdict.expected_value is not None and verdict.answer_value is not None:
        values = f": the right value is {verdict.expected_value:.6g}, yours gives {verdict.answer_value:.6g}"
    return f"differs at {point}{values}"


def _grade_b(value, s: Solved, data: dict[str, Any]):
    """(grade, the student's b) text when it is wrong, for carrying forward)."""
    points, e = POINTS["b"], data["error"]
    if value is None:
        return PartGrade("b", 0.0, points, "b) Not answered."), None
    text = text_part({"b": value}, "b")
    cr = _chain(data["program"], data["param"], data["steps"])
    verdict = _check(cr.step(f"d{e}/dy", "local").expr, text, data, _inline(data, cr))
    if verdict.equivalent:
        return PartGrade("b", points, points, f"b) Right: ∂{e}/∂y = {s.dedy}."), None
    evidence = {"counterexample": verdict.counterexample, "reason": verdict.reason}
    return PartGrade("b", 0.0, points, f"b) Not ∂{e}/∂y = {s.dedy}: your answer {_counter(verdict)}.",
                     evidence), _clean_formula(text)


def _grade_c(value, wrong_b, s: Solved, data: dict[str, Any]):
    from dlexam.engines.calculus import show

    points, e, p = POINTS["c"], data["error"], _sym(data["param"])
    if value is None:
        return PartGrade("c", 0.0, points, "c) Not answered."), None
    text = text_part({"c": value}, "c")
    cr = _chain(data["program"], data["param"], data["steps"])
    verdict = _check(cr.total.full, text, data, _inline(data, cr))
    if verdict.equivalent:
        return PartGrade("c", points, points, f"c) Right: ∂{e}/∂{p} = {s.total}."), (text, _inline(data, cr))
    if wrong_b is not None:
        own = _chain(data["program"], data["param"], data["steps"], wrong_b)
        carried = _check(own.total.full, text, data, _inline(data, own))
        if carried.equivalent:
            return (PartGrade("c", points, points, f"c) Right chain rule, applied to your ∂{e}/∂y from b) "
                              f"(error carried forward): {show(own.total.full)}.", {"carried_forward": True}),
                    (text, _inline(data, own)))
    evidence = {"counterexample": verdict.counterexample, "reason": verdict.reason}
    for t, term in _terms(cr, data):
        rest = cr.total.full - term
        if _check(rest, text, data, _inline(data, cr)).equivalent:
            return (PartGrade("c", points / 2, points, f"c) The path through h{t} is missing: {p} is used in "
                              f"every step, so ∂{e}/∂{p} sums δ_t·∂h_t/∂{p} over all t. Expected {s.total}.",
                              evidence), (text, _inline(data, cr)))
    return (PartGrade("c", 0.0, points, f"c) Expected ∂{e}/∂{p} = {s.total}; your answer {_counter(verdict)}.",
                      evidence), (text, _inline(data, cr)))


def _terms(cr, data: dict[str, Any]):
    p = data["param"]
    for t in range(1, data["steps"] + 1):
        yield t, cr.step(f"delta{t}", "delta").full * cr.step(f"dh{t}/d{p}", "local").expr


def _grade_d(value, c_answer, s: Solved, data: dict[str, Any]) -> PartGrade:
    points, e, p = POINTS["d"], data["error"], _sym(data["param"])
    if value is None:
        return PartGrade("d", 0.0, points, "d) Not answered.")
    x = number(value, "d")
    if close(x, s.value):
        return PartGrade("d", points, points, f"d) Right: ∂{e}/∂{p} = {s.value:.4g}.")
    if c_answer is not None and data["cell"] != "g":
        own = _own_value(c_answer, data)
        if own is not None and close(x, own) and not close(own, s.value):
            return PartGrade("d", points, points, f"d) {x:g} is the value of your c) at these numbers (error "
                             f"carried forward); the right value is {s.value:.4g}.", {"carried_forward": True})
    return PartGrade("d", 0.0, points, f"d) Expected ∂{e}/∂{p} = {s.value:.4g}, not {x:g}.",
                     {"expected": s.value})


def _own_value(c_answer, data: dict[str, Any]) -> float | None:
    """The student's (c) formula at the given numbers."""
    import math

    from dlexam.engines import notation
    from dlexam.engines.calculus_numeric import Unsupported

    text, inline = c_answer
    try:
        expr = notation.known_primes_exact(notation.parse_expression(_clean_formula(text)).xreplace(inline))
        value = _value_at(notation.known_primes_exact(expr), data["numbers"])
    except (InputError, Unsupported, TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None
