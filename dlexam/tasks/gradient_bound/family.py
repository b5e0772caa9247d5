"""Exam task 3, gradient, bound and regularization: ∂f/∂x of a small model, a bound of it in ‖w‖,
and how that bound guides the choice of regularization.

The exam's model (seed 000): f(x) = Σ_j w_j·exp(−½·Σ_i |x_i − c_ij|), so
∂f/∂x_i = −½·Σ_j w_j·exp(…)·sign(x_i − c_ij) and |∂f/∂x_i| ≤ ½‖w‖₁. Variants draw the kind
(that RBF model with a factor s, units φ(v_j·x − b_j) with φ = tanh, sigmoid or ReLU and
|v_ij| ≤ r, or a linear model w·x + b), the sizes n, m (2 or 3), the coordinate asked for,
and whether (b) bounds one coordinate |∂f/∂x_i| or the Euclidean norm ‖∂f/∂x‖₂.

Parts and points (6): (a) 2 — ∂f/∂x_k, by the equivalence checker (the unit outputs a_j may be
used), a counterexample when wrong; (b) 2 — the bound; (c) 2 — the explanation, against three
key points (grading/rubric.py).

The rule for (b). The bound must hold for every x, every choice of the other parameters (centres
c, first-layer weights v, biases b) and every w; it may use ‖w‖₁, ‖w‖₂, ‖w‖∞, n and m. It is
checked by sampling (bound.py): a point where the gradient exceeds the claimed bound is the
counterexample (0 points). A bound that is never exceeded earns full marks when it is attained
for some w (so ½‖w‖₁ and ½·√m·‖w‖₂ are both fine: Cauchy–Schwarz is tight for equal |w_j|),
and 1 point when it is loose by a constant factor for every w (‖w‖₁ for ½‖w‖₁ misses the
exam's ½). `‖w‖` without an index is read as the Euclidean norm ‖w‖₂, and the feedback says so.

Modules: data.py (the variant's data), solution.py, bound.py (reading and sampling bounds),
second.py (torch.autograd for verify), grading.py, picture.py (the gradient against the bound, drawn).

One-line answer: `a) -1/2*w1*a1*sign(x1 - c11) - ... ; b) 1/2*||w||_1 ; c) penalising ||w|| ...`.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from dlexam.tasks.document import Block, Code, Text
from dlexam.tasks.formulas import for_people
from dlexam.tasks.gradient_bound import grading as part_grading
from dlexam.tasks.gradient_bound import second as second_method
from dlexam.tasks.gradient_bound.data import LIPSCHITZ, GradientBoundData, ModelKind, Quantity, make_data
from dlexam.tasks.gradient_bound.solution import MODEL_EXPLANATION, solved, steps
from dlexam.tasks.model import Answer, Solution, Variant
from dlexam.tasks.multipart import PartsFamily, answer_line


class GradientBound(PartsFamily[GradientBoundData]):
    name = "gradient-bound"
    title = "Gradient, bound and regularization"
    topic = "Task 3: gradient, bound and regularization"
    grading_modules = ("dlexam.engines.equivalence", "dlexam.engines.calculus")
    grading = part_grading     # POINTS, read, grade_parts
    second = second_method     # verify_answer: every part by a second method

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        kind = rng.choice([ModelKind.RBF, ModelKind.RBF, ModelKind.UNIT, ModelKind.UNIT, ModelKind.LINEAR])
        n = rng.choice([2, 2, 3])
        m = rng.choice([2, 3]) if n == 2 else 2
        quantity = rng.choice([Quantity.COORDINATE, Quantity.COORDINATE, Quantity.EUCLIDEAN])
        scale = rng.choice(["1/2", "1", "2"]) if kind == ModelKind.RBF else rng.choice(["1", "2"])
        return dict(make_data(kind, n, m, rng.randint(1, n), quantity, scale, rng.choice(list(LIPSCHITZ))))

    def document(self, variant: Variant) -> list[Block]:
        d = self.data(variant)
        n, m, k = d["n"], d["m"], d["k"]
        xs = ", ".join(f"x{i}" for i in range(1, n + 1))
        what = ("|∂f/∂x_i| (for every coordinate i)" if d["quantity"] == Quantity.COORDINATE
                else "the Euclidean norm ‖∂f/∂x‖₂ of the gradient")
        return [
            Text(f"A model computes f from the input x = ({xs}):"),
            Code(for_people(d["program"].replace("; ", "\n")), "text"),
            Text(_parameters(d)),
            Text(f"(a) Calculate ∂f/∂x{k}." + (" You may use the unit outputs a1, a2, …"
                                               if d["kind"] != ModelKind.LINEAR else "")),
            Text(f"(b) Give an upper bound of {what} in terms of ‖w‖ that holds for every x and every choice of "
                 f"the other parameters. Write norms as `||w||_1`, `||w||_2`, `||w||_inf`; n = {n} and m = {m} "
                 f"may be used."),
            Text("(c) Explain in 1-2 sentences how this bound helps with choosing the regularization."),
        ]

    def answer_hint(self, variant: Variant) -> str:
        return ("one line `a) ∂f/∂x… ; b) bound such as 1/2*||w||_1 ; c) your explanation` "
                "(sign(z), Heaviside(z), tanh'(z), a1, a2 may be used)")

    def solve(self, variant: Variant) -> Solution:
        s = solved(self.data(variant))
        parts = {"a": s.gradient, "b": s.bound, "c": MODEL_EXPLANATION}
        return Solution(Answer(parts), steps(self.data(variant)), answer_line(parts))

    def picture(self, variant: Variant, path: str | Path) -> Path:
        """The gradient over the input plane against the bound, and where the bound is reached."""
        from dlexam.tasks.gradient_bound.picture import draw

        return draw(self.data(variant), variant.seed, path)

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        parts = dict(answer.parts)
        kind = rng.choice(["sign", "half", "double", "explanation"])
        if kind == "sign":
            parts["a"] = f"-({parts['a']})"
        elif kind in ("half", "double"):   # half: exceeded somewhere; double: valid, never attained
            parts["b"] = f"{'1/2' if kind == 'half' else '2'}*({parts['b']})"
        else:
            parts["c"] = "It makes the training faster."
        return Answer(parts)


def _parameters(d: GradientBoundData) -> str:
    """What the parameters other than x are, in the task's words."""
    if d["kind"] == ModelKind.RBF:
        return (f"with centres c_ij (c11, …: any real numbers) and weights w = (w1, …, w{d['m']}), i.e. "
                f"f(x) = Σ_j w_j·exp(−{d['scale']}·Σ_i |x_i − c_ij|).")
    if d["kind"] == ModelKind.UNIT:
        return (f"with first-layer weights v_ij where |v_ij| <= {d['scale']}, any biases b_j and output "
                f"weights w = (w1, …, w{d['m']}).")
    return f"with weights w = (w1, …, w{d['n']}) and any bias b."
