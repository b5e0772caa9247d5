"""Exam task 5(a), programming: an adversarial attack on a trained digit classifier.

The exam: "Program an adversarial attack on a trained model using min_z ‖x − z‖² + max(0, t·f(z))",
with a skeleton that creates z from x, an SGD optimiser (written `torch.nn.SGD` on the sheet) and
"use 1000 iterations, stopping not needed". Variants change the two digit classes the model tells
apart, the number of iterations, the optimiser (SGD or Adam) and the loss form (the hinge, or its
margin version max(0, t·f(z) + κ)); the distance is always the squared L2 norm.

The answer is Python code (a file's path or the code itself); it is graded by its behaviour in
the sandbox (`dlexam.grading.adversarial`). Only byte-identical copies of code this family wrote
itself (the reference solution and its perturbations) run in-process, so the conformance suite
stays fast; everything else goes through a warm sandbox pool shared by the process.
"""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import torch

from dlexam.engines import sandbox
from dlexam.errors import InputError, VerificationError
from dlexam.grading import adversarial as grading
from dlexam.grading.report import CodeGrade
from dlexam.solutions.attack import LIMITATIONS, POSED_LR, posed_source
from dlexam.solutions.classifier import binary_classifier
from dlexam.tasks.code_answer import read_code
from dlexam.tasks.document import Block, Code, Math, Text
from dlexam.tasks.model import Answer, Grade, PartGrade, Solution, TaskFamily, Variant

STEPS = (200, 500, 1000, 1000)
OPTIMIZERS = ("SGD", "SGD", "Adam")
KAPPAS = (0.0, 0.0, 0.5, 1.0)

class AdversarialTask(TaskFamily):
    name = "adversarial"
    title = "Adversarial attack (programming)"
    topic = "Task 5: programming"
    points = 10.0

    # --- posing ---------------------------------------------------------------------------
    def _generate(self, rng: random.Random) -> dict[str, Any]:
        positive, negative = rng.sample(range(10), 2)
        return {"positive": positive, "negative": negative, "steps": rng.choice(STEPS),
                "optimizer": rng.choice(OPTIMIZERS), "kappa": rng.choice(KAPPAS)}

    def settings(self, variant: Variant) -> grading.Settings:
        d = variant.data
        return grading.Settings(int(d["positive"]), int(d["negative"]), int(d["steps"]), str(d["optimizer"]),
                                float(d["kappa"]))

    def document(self, variant: Variant) -> list[Block]:
        s = self.settings(variant)
        margin, margin_plain = (rf" + {s.kappa:g}", f" + {s.kappa:g}") if s.kappa else ("", "")
        return [
            Text(f"A trained model f tells the digit {s.positive} (target t = +1) from the digit {s.negative} "
                 f"(t = -1): it maps a batch x of B×64 pixel values in [0, 1] (8×8 images) to B×1 scores, "
                 f"and the decision is the sign of f(x). Program an adversarial attack: find z close to x "
                 f"that the model decides differently (t·f(z) < 0) by minimising"),
            Math(rf"\min_z \; \lVert x - z \rVert_2^2 + \max(0,\; t \cdot f(z){margin})",
                 f"min_z ||x - z||^2 + max(0, t·f(z){margin_plain})"),
            Text(f"Use {s.optimizer} with {s.steps} iterations (stopping early is not needed); the learning "
                 f"rate is your choice. Complete the function `adversarial(x, t, model)`, which returns z "
                 f"with the shape of x:"),
            Code(skeleton(s)),
            Text("Answer with the path of your .py file or the code itself."),
        ]

    def answer_hint(self, variant: Variant) -> str:
        return "the path of a .py file defining adversarial(x, t, model), or the code itself"

    # --- solving ----------------------------------------------------------------------------
    def solve(self, variant: Variant) -> Solution:
        s = self.settings(variant)
        lr = POSED_LR[s.optimizer]
        hinge = f"max(0, t·f(z) + {s.kappa:g})" if s.kappa else "max(0, t·f(z))"
        steps = [
            ("z starts as a copy of x that autograd tracks: x.clone().detach().requires_grad_(True); "
             "x itself must stay unchanged."),
            (f"The optimiser gets [z] only, never model.parameters(): the attack changes the input, not "
             f"the model ({s.optimizer}, lr = {lr:g})."),
            (f"In each of the {s.steps} iterations: zero the gradient, compute the loss "
             f"sum((x - z)²) + sum({hinge}) over the batch (each input's terms are independent, so the "
             f"sum attacks all of them at once), backward, step."),
            ("torch.clamp(..., min=0) (or torch.relu) is the max(0, ·); torch.max(0, tensor) is an "
             "error, torch.max(torch.zeros_like(a), a) works."),
            "Return z.detach() (shape B×64); the decision is flipped where t·f(z) < 0.",
            "Limitations: " + " ".join(LIMITATIONS),
        ]
        return Solution(Answer({"code": posed_source(s.steps, s.optimizer, s.kappa)}), steps)

    def verify(self, variant: Variant, solution: Solution) -> None:
        """Run the solution's code and judge its z with a NumPy forward pass of the classifier."""
        s = self.settings(variant)
        code = solution.answer.parts.get("code")
        if code != posed_source(s.steps, s.optimizer, s.kappa):
            raise VerificationError("the solution's code is not the family's reference attack")
        ref = grading.reference(s)
        x, t = ref.x[:4], ref.t[:4]
        model = binary_classifier(s.positive, s.negative).build()
        module: dict = {}
        with grading._threads(1):
            exec(compile(code, "solution.py", "exec"), module)  # noqa: S102 - checked to be our own code
            z = module["adversarial"](x.clone(), t.clone(), model)
        if not torch.allclose(z, ref.z[:4], atol=1e-4):   # ref.z: posed_attack, run on a larger batch
            raise VerificationError("the solution's code and posed_attack disagree")
        weights = [v.numpy().astype(np.float64) for v in binary_classifier(s.positive, s.negative).spec.state_dict.values()]
        score_x, score_z = _numpy_scores(weights, x.numpy(), t.numpy()), _numpy_scores(weights, z.numpy(), t.numpy())
        objective_x = np.maximum(0, score_x + s.kappa)
        objective_z = ((x.numpy() - z.numpy()) ** 2).sum(1) + np.maximum(0, score_z + s.kappa)
        if not (objective_z < objective_x).all():
            raise VerificationError(f"the posed objective did not decrease: {objective_x} -> {objective_z}")
        limit = grading.BOUNDARY_SHARE * score_x if s.kappa == 0 else 0.0
        if (score_z <= limit).sum() < 3:
            raise VerificationError(f"the attack reached the boundary on too few inputs: t·f(z) = {score_z}")

    # --- grading ----------------------------------------------------------------------------
    def grade(self, variant: Variant, answer: Answer) -> Grade:
        s = self.settings(variant)
        code = answer.parts.get("code")
        if not isinstance(code, str):
            raise InputError("The answer holds no code.")
        if code in self._own_sources(variant):
            result = grading.grade_source(code, "answer.py", s, runner=grading.run_trusted)
        else:
            result = grading.grade_source(code, "answer.py", s, sandbox.shared_pool())
        return to_grade(result)

    def _own_sources(self, variant: Variant) -> set[str]:
        s = self.settings(variant)
        source = posed_source(s.steps, s.optimizer, s.kappa)
        return {source, *(mistake(source) for mistake in MISTAKES)}

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        return Answer({"code": read_code(text, grading.FUNCTION)})

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        return Answer({"code": rng.choice(MISTAKES)(answer.parts["code"])})


def skeleton(s: grading.Settings) -> str:
    """The exam sheet's skeleton (with its `torch.nn.SGD`, which the grader reads as torch.optim.SGD)."""
    optimiser = "torch.nn.SGD" if s.optimizer == "SGD" else f"torch.optim.{s.optimizer}"
    return (
        "import torch\n"
        "\n"
        "def adversarial(x, t, model):\n"
        "    # x: B x 64 in [0, 1], t: B x 1 of +1/-1, model(x): B x 1\n"
        "    z = x.clone().detach().requires_grad_(True)\n"
        f"    # Use {s.steps} iterations, stopping not needed\n"
        f"    optim = {optimiser}([z], lr=...)\n"
        f"    for i in range({s.steps}):\n"
        "        optim.zero_grad()\n"
        "        # your code\n"
        "        optim.step()\n"
        "    return z\n"
    )


def _numpy_scores(weights: list[np.ndarray], x: np.ndarray, t: np.ndarray) -> np.ndarray:
    """t·f(x) for the 64 → 32 → 1 ReLU network, in float64 NumPy (independent of torch)."""
    w1, b1, w2, b2 = weights
    hidden = np.maximum(0, x.astype(np.float64) @ w1.T + b1)
    return ((hidden @ w2.T + b2) * t).ravel()


# Plausible wrong answers: each is a classic mistake made on the reference code.
def _wrong_sign(code: str) -> str:
    return code.replace("t * model(z)", "-t * model(z)")


def _returns_x(code: str) -> str:
    return code.replace("return z.detach()", "return x")


def _no_distance(code: str) -> str:
    return code.replace("torch.sum((x - z) ** 2) + ", "")


MISTAKES = (_wrong_sign, _returns_x, _no_distance)


def to_grade(result: CodeGrade) -> Grade:
    parts = [PartGrade(c.name, c.points, c.max_points, f"{c.name}: {c.message}",
                       {"passed": c.passed}) for c in result.checks]
    return Grade(parts)
