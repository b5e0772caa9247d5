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
path through the graph earns half; (d) 2 — the number at given values (concrete cells), or for g
from given δ_t and ∂h_t/∂θ; also accepted when it is the value of the student's own (c) at those
numbers, for every cell (error carried forward; given.py values a g-formula at the given δ's).
A number may be exact (`-7/10`) or a decimal the value rounds to (grading/numbers.py).

Modules: data.py (cells, losses, the numbers), solution.py (the engine's chain rule), edges.py
(part a), grading.py (parts b–d), given.py (a g-formula at (d)'s numbers), second.py
(torch.autograd: what verify uses), picture.py.

One-line answer: `a) x1->h1, h0->h1, w->h1, ... ; b) 2(y - t) ; c) ... ; d) 0.123`.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from dlexam.tasks.document import Block, Code, Text
from dlexam.tasks.formulas import for_people, program
from dlexam.tasks.model import Answer, Solution, Variant
from dlexam.tasks.multipart import PartsFamily, answer_line
from dlexam.tasks.rnn import grading as part_grading
from dlexam.tasks.rnn import second as second_method
from dlexam.tasks.rnn.data import CELLS, LOSSES, Cell, Form, RNNData, draw_numbers, exam_variant, make_data
from dlexam.tasks.rnn.solution import answer, num, solved, steps, sym

__all__ = ["RNN", "exam_variant"]


class RNN(PartsFamily[RNNData]):
    name = "rnn"
    title = "RNN: unrolled graph and the chain rule"
    topic = "Task 4: RNN"
    grading_modules = ("dlexam.engines.equivalence", "dlexam.engines.calculus")
    grading = part_grading     # POINTS, read, grade_parts
    second = second_method     # verify_answer: every part by a second method

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        cell = rng.choice(CELLS)
        steps = rng.choice([2, 2, 3, 3, 4]) if cell != Cell.G else rng.choice([2, 3, 3, 4])
        loss = rng.choice(list(LOSSES))
        form = rng.choice([Form.INPUT, Form.INPUT, Form.RECURRENT])
        data = make_data(cell, steps, loss, form, {})
        data["numbers"] = draw_numbers(rng, data)
        return dict(data)

    def document(self, variant: Variant) -> list[Block]:
        d = self.data(variant)
        p, e = sym(d["param"]), d["error"]
        lines = for_people(d["program"]).replace("theta", "θ").split("; ")
        blocks: list[Block] = [Text(f"A recurrent network runs for {d['steps']} steps and is trained with the "
                                    f"loss {e}:"), Code("\n".join(lines), "text")]
        if d["cell"] == Cell.G:
            blocks.append(Text("g is any differentiable function; just write g' for its derivative "
                               "(which argument it is taken in need not be said)."))
        prime = ("g'(x2, h1, θ) for the derivative of g." if d["cell"] == Cell.G else
                 f"{d['cell']}'(z) for the derivative of {d['cell']}"
                 + (" (`Heaviside(z)` is relu')." if d["cell"] == Cell.RELU else "."))
        return blocks + [
            Text("(a) Draw the associated unrolled computation graph: list its edges as `u->v`, "
                 "separated by commas (a chain `h0->h1->h2` stands for its edges)."),
            Text(f"(b) Calculate ∂{e}/∂y."),
            Text(f"(c) State the derivative ∂{e}/∂{p} using the multivariate chain rule. You may write "
                 f"δ_t = ∂{e}/∂h_t as `delta1`, `delta2`, … and " + prime),
            Text(_part_d(d)),
        ]

    def answer_hint(self, variant: Variant) -> str:
        e, p = variant.data["error"], variant.data["param"]
        return (f"one line `a) x1->h1, h0->h1, ... ; b) ∂{e}/∂y ; c) ∂{e}/∂{p} ; d) number` "
                f"(formulas like 2(y - t)*tanh'(x2*w + h1); delta1, delta2, ... for δ_t; Heaviside(z) for a step)")

    def solve(self, variant: Variant) -> Solution:
        parts = answer(self.data(variant))
        return Solution(Answer(parts), steps(self.data(variant)), answer_line({**parts, "d": repr(parts["d"])}))

    def picture(self, variant: Variant, path: str | Path) -> Path:
        from dlexam.tasks.rnn.picture import draw

        p = program(variant.data["program"])
        edges = [(u, a.name) for a in p.assignments for u in sorted(p.uses[a.name])]
        return draw(edges, variant.data["steps"], variant.data["param"], path)

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        parts = dict(answer.parts)
        kind = rng.choice(["factor", "sign", "missing", "number", "edge"])
        if kind == "factor":
            parts["b"] = f"2*({parts['b']})"
        elif kind == "sign":
            parts["c"] = f"-({parts['c']})"
        elif kind == "missing":   # only the path through the last step
            parts["c"] = solved(self.data(variant)).last_term
        elif kind == "number":
            parts["d"] = 2 * parts["d"] if abs(parts["d"]) > 0.05 else parts["d"] + 1
        else:
            parts["a"] = ", ".join(parts["a"].split(", ")[1:])
        return Answer(parts)


def _part_d(d: RNNData) -> str:
    n, e = d["numbers"], d["error"]
    if d["cell"] == Cell.G:
        deltas = ", ".join(f"δ{t} = {num(n[f'delta{t}'])}" for t in range(1, d["steps"] + 1))
        local = ", ".join(f"∂h{t}/∂θ = {num(n[f'dh{t}'])}" for t in range(1, d["steps"] + 1))
        return (f"(d) Calculate ∂{e}/∂θ given {deltas} (δ_t = ∂{e}/∂h_t) and the partial "
                f"derivatives of each step in its own θ: {local}.")
    values = ", ".join(f"{k} = {num(v)}" for k, v in n.items())
    return f"(d) Calculate ∂{e}/∂{sym(d['param'])} for {values} (to 3 decimals)."
