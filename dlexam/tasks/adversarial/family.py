"""Exam task 5(a), programming: an adversarial attack on a trained digit classifier.

The exam: "Program an adversarial attack on a trained model using min_z ‖x − z‖² + max(0, t·f(z))",
with a skeleton that creates z from x, an SGD optimiser (written `torch.nn.SGD` on the sheet) and
"use 1000 iterations, stopping not needed". Variants change the two digit classes the model tells
apart, the number of iterations, the optimiser (SGD or Adam) and the loss form (the hinge, or its
margin version max(0, t·f(z) + κ)); the distance is always the squared L2 norm.

The answer is Python code (a file's path or the code itself); it is graded by its behaviour in
the sandbox (`checks`). Only byte-identical copies of code this family wrote itself (the
reference solution and its perturbations, up to surrounding blank space) run in-process, so the
conformance suite stays fast; everything else goes through a warm sandbox pool shared by the
process. Grades are cached per (settings, source) within a process.
"""

from __future__ import annotations

import copy
import hashlib
import random
from typing import TYPE_CHECKING, TypedDict

from dlexam.errors import InputError, VerificationError
from dlexam.solutions.attack_source import LIMITATIONS, POSED_LR, posed_source
from dlexam.tasks.adversarial.points import POINTS, failed
from dlexam.tasks.adversarial.settings import DEFAULT_TIMEOUT, EXAM, FUNCTION, Optimizer, Settings
from dlexam.tasks.code_answer import read_code
from dlexam.tasks.document import Block, Code, Math, Text
from dlexam.tasks.model import Answer, Grade, Solution, TaskFamily, Variant

if TYPE_CHECKING:
    from dlexam.engines.sandbox import SandboxPool

# Posing, solving and the plan's title need no torch: what runs a model (`checks`, `second_method`,
# the sandbox) is imported inside the methods that run one.
STEPS = (200, 500, 1000, 1000)
OPTIMIZERS = (Optimizer.SGD, Optimizer.SGD, Optimizer.ADAM)
KAPPAS = (0.0, 0.0, 0.5, 1.0)
_cache: dict[tuple, Grade] = {}   # grades per (settings, source) in this process: a file is graded once


class AdversarialData(TypedDict):
    """A variant's data: the digits told apart (t = +1 for `positive`), what the attack must use."""

    positive: int
    negative: int
    steps: int
    optimizer: str     # an Optimizer's value: "SGD" or "Adam"
    kappa: float       # the hinge's margin κ in max(0, t·f(z) + κ)


class AdversarialTask(TaskFamily):
    name = "adversarial"
    title = "Adversarial attack (programming)"
    topic = "Task 5: programming"
    points = float(sum(POINTS.values()))
    grading_modules = ("dlexam.tasks.adversarial.checks",)

    # --- posing ---------------------------------------------------------------------------
    def _generate(self, rng: random.Random) -> AdversarialData:
        positive, negative = rng.sample(range(10), 2)
        return {"positive": positive, "negative": negative, "steps": rng.choice(STEPS),
                "optimizer": str(rng.choice(OPTIMIZERS)), "kappa": rng.choice(KAPPAS)}

    def settings(self, variant: Variant) -> Settings:
        d = variant.data
        return Settings(int(d["positive"]), int(d["negative"]), int(d["steps"]), Optimizer(d["optimizer"]),
                        float(d["kappa"]))

    def settings_for(self, seed: int | None) -> Settings:
        """The exam's settings, or those of the variant `seed` (`grade-code --seed`)."""
        return EXAM if seed is None else self.settings(self.generate(seed))

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
        code = posed_source(s.steps, s.optimizer, s.kappa)
        return Solution(Answer({"code": code}), steps, answer_text=code)

    def verify(self, variant: Variant, solution: Solution) -> None:
        """Run the solution's code and judge its z by a second method (`second_method`)."""
        code = solution.answer.parts.get("code")
        if not isinstance(code, str):
            raise VerificationError("the solution holds no code")
        from dlexam.engines import sandbox
        from dlexam.tasks.adversarial import second_method

        trusted = code.strip() in {s.strip() for s in self._own_sources(variant)}
        second_method.check(self.settings(variant), code, trusted, None if trusted else sandbox.shared_pool())

    # --- grading ----------------------------------------------------------------------------
    def grade(self, variant: Variant, answer: Answer) -> Grade:
        code = answer.parts.get("code")
        if not isinstance(code, str):
            raise InputError("The answer holds no code.")
        from dlexam.engines import sandbox
        from dlexam.grading.code import run_trusted
        from dlexam.tasks.adversarial import checks

        settings = self.settings(variant)
        key = (settings, hashlib.sha256(code.rstrip().encode()).hexdigest())   # trailing space means nothing
        if key not in _cache:
            own = code.strip() in {s.strip() for s in self._own_sources(variant)}
            if code.strip() == posed_source(settings.steps, settings.optimizer, settings.kappa).strip():
                _cache[key] = checks.grade_reference(settings)
            else:
                _cache[key] = (checks.grade_source(code, settings, runner=run_trusted) if own else
                               checks.grade_source(code, settings, sandbox.shared_pool()))
        return copy.deepcopy(_cache[key])

    def grade_file(self, source: str, file: str, seed: int | None, pool: SandboxPool | None,
                   timeout: float = DEFAULT_TIMEOUT) -> Grade:
        """`dlexam grade-code adversarial FILE [--seed N]`: the code checks (10 points) in the sandbox.

        Without `seed` the exam's settings apply; `pool` None runs a fresh sandbox."""
        from dlexam.tasks.adversarial import checks

        return checks.grade_source(source, self.settings_for(seed), pool, timeout)

    def unreadable(self, file: str, error: str, seed: int | None = None) -> Grade:
        """A file that could not even be read: every check at 0, with the reason."""
        return failed(error)

    def _own_sources(self, variant: Variant) -> set[str]:
        s = self.settings(variant)
        source = posed_source(s.steps, s.optimizer, s.kappa)
        return {source, *(mistake(source) for mistake in MISTAKES)}

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        return Answer({"code": read_code(text, FUNCTION)})

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        return Answer({"code": rng.choice(MISTAKES)(answer.parts["code"])})


def skeleton(s: Settings) -> str:
    """The exam sheet's skeleton (with its `torch.nn.SGD`, which the grader reads as torch.optim.SGD)."""
    optimiser = "torch.nn.SGD" if s.optimizer == Optimizer.SGD else f"torch.optim.{s.optimizer}"
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


# Plausible wrong answers: each is a classic mistake made on the reference code.
def _wrong_sign(code: str) -> str:
    return code.replace("t * model(z)", "-t * model(z)")


def _returns_x(code: str) -> str:
    return code.replace("return z.detach()", "return x")


def _no_distance(code: str) -> str:
    return code.replace("torch.sum((x - z) ** 2) + ", "")


MISTAKES = (_wrong_sign, _returns_x, _no_distance)
