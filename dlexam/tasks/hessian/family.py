"""Exam task 3 (optimization variant): the Hessian of an error function, its eigenvalues and
condition number, what centring / input noise / weight decay do to them, and the pros and cons
of adding noise to the data.

Kinds of error function (w = (w1, w2)):
- `data`: linear regression E(w) = 1/N Σ_n (w·x_n − t_n)² on a given small data set: H = 2/N XᵀX;
  the change asked for is Gaussian noise of variance σ² on every input (the expected error):
  H → H + 2σ²I, so κ = λ_max/λ_min falls.
- `scaled`: the same error and data; the change is scaling the inputs, x → (s1·x1, s2·x2):
  H → DHD with D = diag(s1, s2). A common factor s multiplies every eigenvalue by s² (κ stays,
  the stable learning rate shrinks by s²); different factors change κ.
- `gaussian`: the same error for inputs x ~ N(μ, Σ): H = 2(Σ + μμᵀ); the change is centring
  the inputs (μ → 0): H → 2Σ.
- `logistic`: E(w) = 1/N Σ log(1 + exp(−t_n w·x_n)) at w = 0: H = 1/(4N) XᵀX; noise σ² adds σ²/4·I.
- `quadratic`: a given quadratic form; the change is weight decay (λ/2)‖w‖²: H → H + λI.

Parts and points (8): (a) 2 — H, entrywise; (b) 1 — its eigenvalues, as a set; (c) 1 — κ;
(d) 1 — κ after the change; (e) 1 — the largest stable learning rate of gradient descent, 2/λ_max;
(f) 2 — pros and cons of adding noise, select all that apply (each option judged right earns
1/n, each judged wrong costs 1/n, never below 0). Numbers may be written exactly (`(5 - √13)/2`)
or as decimals; a decimal is right when the exact value rounds to its digits, at least two
significant ones (grading/numbers.py).
Error carried forward: (b) may be the eigenvalues of the student's own H, (c), (d) and (e) may
follow from the student's own eigenvalues.

Modules: data.py (kinds, statements), solution.py (closed forms), second.py (torch.autograd,
characteristic polynomial, gradient descent: what verify uses), grading.py.

One-line answer: `a) [[2, 1], [1, 3]] ; b) 1.38, 3.62 ; c) 2.62 ; d) 1.9 ; e) 0.55 ; f) a,c`.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any, cast

from dlexam.grading.numbers import close
from dlexam.tasks.formulas import polynomial
from dlexam.tasks.document import Block, Code, Options, Text, option_label
from dlexam.tasks.hessian import grading as part_grading
from dlexam.tasks.hessian import second as second_method
from dlexam.tasks.hessian.data import STATEMENTS, ErrorKind, HessianData, draw, draw_options
from dlexam.tasks.hessian.solution import answer, answer_text, hessian_matrix, matrix_ok, steps
from dlexam.tasks.model import Answer, Solution, Variant
from dlexam.tasks.multipart import PartsFamily, answer_line

__all__ = ["STATEMENTS", "Hessian"]


class Hessian(PartsFamily[HessianData]):
    name = "hessian"
    title = "Hessian, condition number and noise"
    topic = "Task 3: optimization"
    grading = part_grading     # POINTS, read, grade_parts
    second = second_method     # verify_answer: every part by a second method

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        kind = rng.choice([ErrorKind.DATA, ErrorKind.DATA, ErrorKind.SCALED, ErrorKind.GAUSSIAN,
                           ErrorKind.LOGISTIC, ErrorKind.QUADRATIC])
        while True:   # redraw until H is clearly positive definite and not badly conditioned
            data = {"kind": kind, **draw(rng, kind)}
            if matrix_ok(hessian_matrix(cast(HessianData, data))):
                break
        data["options"] = draw_options(rng)
        return data

    def document(self, variant: Variant) -> list[Block]:
        d = self.data(variant)
        blocks, change = _error_function(d)
        return blocks + [
            Text("(a) Calculate the Hessian H of E" + (" at w = 0." if d["kind"] == ErrorKind.LOGISTIC else ".")),
            Text("(b) Give its eigenvalues."),
            Text("(c) Give the condition number κ = λmax/λmin."),
            Text(f"(d) Now {change}. What is the condition number now?"),
            Text("(e) Gradient descent w ← w − η·∇E on the original E: what is the largest learning rate η up to "
                 "which it converges from every start?"),
            Text("(f) Which statements about adding noise to the input data are true?"),
            Options(tuple(d["options"]), True),
        ]

    def answer_hint(self, variant: Variant) -> str:
        return ("one line `a) [[h11, h12], [h21, h22]] ; b) λ1, λ2 ; c) κ ; d) κ' ; e) η ; f) a,c` "
                "(numbers like 0.25 or 1/4)")

    def solve(self, variant: Variant) -> Solution:
        parts = answer(self.data(variant))
        return Solution(Answer(parts), steps(self.data(variant)), answer_line(answer_text(parts)))

    def picture(self, variant: Variant, path: str | Path) -> Path:
        """The contours before and after the change, eigenvectors, gradient descent at 2/λmax."""
        from dlexam.tasks.hessian.picture import draw

        return draw(self.data(variant), path)

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        parts = json.loads(json.dumps(answer.parts))
        kind = rng.choice(["half", "kappa", "change", "lr", "choice"])
        if kind == "half":   # forgetting the factor 2 of the squared error, carried through consistently
            parts["a"] = [[x / 2 for x in row] for row in parts["a"]]
            parts["b"] = [x / 2 for x in parts["b"]]
            parts["e"] = parts["e"] * 2
        elif kind == "kappa":  # 1/κ, or the difference of the eigenvalues where κ is (nearly) 1
            parts["c"] = 1 / parts["c"] if not close(1 / parts["c"], parts["c"]) else parts["b"][-1] - parts["b"][0]
        elif kind == "change":   # the change ignored (or, where it keeps κ, thought to double it)
            parts["d"] = parts["c"] if not close(parts["c"], parts["d"]) else 2 * parts["d"]
        elif kind == "lr":
            parts["e"] = parts["e"] / 2     # 1/λmax instead of 2/λmax
        else:
            flip = option_label(rng.randrange(len(variant.data["options"])))
            parts["f"] = sorted(set(parts["f"]) ^ {flip})
        return Answer(parts)


def _error_function(d: HessianData) -> tuple[list[Block], str]:
    """The blocks that pose E, and the change (d) asks about."""
    if ErrorKind(d["kind"]).on_data:
        rows = "\n".join(f"x{i + 1} = ({x[0]}, {x[1]})   t{i + 1} = {t}" for i, (x, t) in enumerate(zip(d["X"], d["t"])))
        error = ("E(w) = 1/N Σ_n (w·x_n − t_n)²" if d["kind"] != ErrorKind.LOGISTIC
                 else "E(w) = 1/N Σ_n log(1 + exp(−t_n·w·x_n)), looked at in w = 0")
        blocks: list[Block] = [Text(f"Error function {error} of w = (w1, w2), on the N = {len(d['X'])} examples:"),
                               Code(rows, "text")]
        if d["kind"] == ErrorKind.SCALED:
            s1, s2 = d["change"]
            return blocks, f"scale the inputs: multiply every first component by {s1:g} and every second by {s2:g}"
        return blocks, (f"add Gaussian noise of variance σ² = {d['change']:g} to every input component "
                        f"(independent, mean 0; take the expected error)")
    if d["kind"] == ErrorKind.GAUSSIAN:
        (s11, s12), (_, s22) = d["Sigma"]
        return [Text(f"Error function E(w) = E[(w·x − t)²] of w = (w1, w2) for inputs x ~ N(μ, Σ) with "
                     f"μ = ({d['mu'][0]}, {d['mu'][1]}) and Σ = [[{s11}, {s12}], [{s12}, {s22}]].")], \
            "centre the inputs (subtract the mean μ from every x)"
    a, b, c, p, q = d["q"]
    terms = [(a, "w1²"), (b, "w1·w2"), (c, "w2²"), (p, "w1"), (q, "w2")]
    return [Text(f"Error function E(w1, w2) = {polynomial(terms)}.")], \
        f"add weight decay (λ/2)·‖w‖² with λ = {d['change']:g}"
