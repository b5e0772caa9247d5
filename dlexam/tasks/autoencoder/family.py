"""Exam task 5(b): program the training of an autoencoder that colours (or inpaints) images.

Two families, "colorize" and "inpaint". A variant sets what the task asks (iterations,
learning rate; for inpaint the square's size and its shift from the centre) and what the
text says about the data (number and size of the images). The code part is graded by
running it for real in the sandbox (`checks`, 10 points); the limitations part against a
rubric of key points (`limitations`, 3 points). Code grades are cached per (settings, source)
within a process: the same file is graded once.
"""

from __future__ import annotations

import copy
import hashlib
import random
from dataclasses import replace
from typing import TYPE_CHECKING, NotRequired, TypedDict

from dlexam.errors import InputError, VerificationError
from dlexam.solutions.autoencoder_source import LIMITATIONS, reference_source
from dlexam.tasks.autoencoder import wording
from dlexam.tasks.autoencoder.limitations import as_comment, grade_limitations, limitations_comment
from dlexam.tasks.autoencoder.limitations import POINTS as LIMITATION_POINTS
from dlexam.tasks.autoencoder.points import CODE_POINTS, failed
from dlexam.tasks.autoencoder.settings import Settings, Task, exam_settings
from dlexam.tasks.code_answer import read_code
from dlexam.tasks.document import Block, Code, Text
from dlexam.tasks.model import Answer, Grade, Solution, TaskFamily, Variant

if TYPE_CHECKING:
    from dlexam.engines.sandbox import SandboxPool

# Posing, solving and the plan's title need no torch: what trains a model (`checks`,
# `second_method`, the sandbox) is imported inside the functions that train one.

# Few distinct settings on purpose: each distinct (settings, code) costs one sandboxed training
# run, and grades are cached per (settings, code); the text (images, size) varies more.
# (iterations, lr): the exam's, and a shorter run with a larger lr (same lr × iterations)
SCHEDULES = ((1000, 0.004), (250, 0.016))
MASKS = ((16, (0, 0)), (12, (2, -2)))   # (side, shift of the square from the centre)
GRADER = {Task.COLORIZE: {"grader_images": 16, "grader_hidden": 4},  # the grader's data and model size
          Task.INPAINT: {"grader_images": 8, "grader_hidden": 2}}
SOLUTION_LIMITATIONS = ("blurry", "ambiguous", "fixed mask", "tiny data")

_cache: dict[tuple, Grade] = {}


class AutoencoderData(TypedDict):
    """A variant's data: the task's numbers, the text's data sizes, the grader's own data and model."""

    task: str               # a Task's value: "colorize" or "inpaint"
    images: int             # N as the text says it
    size: int               # S as the text says it
    iterations: int
    lr: float
    grader_images: int      # the crops the grader trains on
    grader_hidden: int      # learned channels of the grader's model
    mask: NotRequired[int]              # inpaint: side of the zeroed square
    offset: NotRequired[list[int]]      # inpaint: its shift from the centre (rows, columns)


def settings_of(variant: Variant) -> Settings:
    """What the grader runs for this variant: the task's numbers, the grader's small data."""
    d = variant.data
    base = exam_settings(d["task"])
    if d["task"] == Task.INPAINT:
        size = max(24, d["mask"] + 2 * max(map(abs, d["offset"])) + 8)
        base = replace(base, mask=d["mask"], offset=tuple(d["offset"]), size=size)
    return replace(base, iterations=d["iterations"], lr=d["lr"], n_images=d["grader_images"],
                   hidden=d["grader_hidden"])


def grade_code(settings: Settings, source: str, own: str = "") -> Grade:
    """Grading of one source, cached per (settings, source) in this process (a copy). The family's
    own code runs in-process (`own` "perturbation"), its reference is the replay (`own` "reference")."""
    from dlexam.engines import sandbox
    from dlexam.tasks.autoencoder import checks

    key = (settings, hashlib.sha256(source.rstrip().encode()).hexdigest())   # trailing space means nothing
    if key not in _cache:
        if own == "reference":
            _cache[key] = checks.grade_reference(settings, source)
        elif own:
            _cache[key] = checks.grade_source(settings, source, runner=checks.trusted_runner)
        else:
            _cache[key] = checks.grade_source(settings, source, sandbox.shared_pool())
    return copy.deepcopy(_cache[key])


class _Autoencoder(TaskFamily):
    task: Task
    topic = "Task 5: programming"
    points = float(sum(CODE_POINTS[Task.COLORIZE].values()) + LIMITATION_POINTS)
    grading_modules = ("dlexam.tasks.autoencoder.checks",)

    # -- posing ----------------------------------------------------------------------
    def _generate(self, rng: random.Random) -> AutoencoderData:
        iterations, lr = rng.choice(SCHEDULES)
        data: AutoencoderData = {"task": str(self.task), "images": rng.choice([200, 500, 500, 1000]),
                                 "size": rng.choice([32, 48, 64]), "iterations": iterations, "lr": lr,
                                 **GRADER[self.task]}
        if self.task == Task.INPAINT:
            mask, offset = rng.choice(MASKS)
            data.update(mask=mask, offset=list(offset))
        return data

    def document(self, variant: Variant) -> list[Block]:
        d = variant.data
        return [Text(wording.statement(d)), Code(wording.skeleton(d)),
                Text("Answer with the complete file defining `train(X, model)`; it is run for real on "
                     "images chosen by the grader (never assume their number or size)."),
                Text("Then explain in 1-2 sentences the limitations and problems of this approach "
                     "and how to fix them (in the file: comment lines from `# Limitations:` on).")]

    def answer_hint(self, variant: Variant) -> str:
        return "the path of a .py file defining train(X, model), or the code itself"

    # -- solving ---------------------------------------------------------------------
    def source(self, d: AutoencoderData) -> str:
        """The reference code, as the exam's skeleton filled in."""
        if self.task == Task.COLORIZE:
            return reference_source("colorize", d["iterations"], d["lr"])
        return reference_source("inpaint", d["iterations"], d["lr"], d["mask"], tuple(d["offset"]))

    def solve(self, variant: Variant) -> Solution:
        d = variant.data
        steps = [wording.input_step(d),
                 (f"Loop {d['iterations']} times: optim.zero_grad() first (gradients add up otherwise), "
                  f"output = model(input), loss = MSE(output, X) against the colour images, loss.backward(), "
                  f"optim.step()."),
                 "Limitations: " + " ".join(LIMITATIONS.values())]
        limitations = " ".join(LIMITATIONS[k] for k in SOLUTION_LIMITATIONS)
        code = (self.source(d) + "\n" + as_comment(limitations)).strip()   # as the file is typed
        return Solution(Answer({"code": code, "limitations": limitations_comment(code)}), steps, answer_text=code)

    def verify(self, variant: Variant, solution: Solution) -> None:
        """Train with the solution's code and redo the training by hand (`second_method`)."""
        code = solution.answer.parts.get("code")
        if not isinstance(code, str):
            raise VerificationError("the solution holds no code")
        from dlexam.engines import sandbox
        from dlexam.tasks.autoencoder import second_method

        trusted = code in self._own_sources(variant)
        second_method.check(settings_of(variant), code, trusted, None if trusted else sandbox.shared_pool())

    def _own_sources(self, variant: Variant) -> set[str]:
        """The reference code (as solved and as a bare skeleton) and its perturbations."""
        answer = self.solve(variant).answer
        return {answer.parts["code"], self.source(variant.data), *(self._mistakes(answer.parts["code"]))}

    # -- grading ---------------------------------------------------------------------
    def grade(self, variant: Variant, answer: Answer) -> Grade:
        """The code checks (10 points) and the limitations (3 points)."""
        source = answer.parts.get("code")
        if not isinstance(source, str):
            raise InputError("The answer needs the code of train(X, model) as text.")
        own = ""
        if source.strip() in {self.source(variant.data).strip(), self.solve(variant).answer.parts["code"].strip()}:
            own = "reference"
        elif source.strip() in {s.strip() for s in self._own_sources(variant)}:
            own = "perturbation"
        code = grade_code(settings_of(variant), source, own)
        if code.error:
            code.parts[0].evidence["error"] = code.error
        return Grade([*code.parts, grade_limitations(answer.parts.get("limitations"))])

    def grade_file(self, source: str, file: str, seed: int | None, pool: SandboxPool | None) -> Grade:
        """`dlexam grade-code colorize|inpaint FILE [--seed N]`: the code checks only (10 points)."""
        from dlexam.tasks.autoencoder import checks

        return checks.grade_source(self.settings_for(seed), source, pool)

    def unreadable(self, file: str, error: str, seed: int | None = None) -> Grade:
        """A file that could not even be read: every code check 0, with the reason."""
        return failed(self.settings_for(seed), error)

    def settings_for(self, seed: int | None) -> Settings:
        """The exam's settings without a seed; with one, those of the variant `seed`."""
        return exam_settings(self.task) if seed is None else settings_of(self.generate(seed))

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        code = read_code(text, "train")
        return Answer({"code": code, "limitations": limitations_comment(code)})

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        """A classic mistake: the seed's three-argument loss, or the model fed X itself."""
        return Answer({**answer.parts, "code": rng.choice(self._mistakes(answer.parts["code"]))})

    def _mistakes(self, source: str) -> list[str]:
        name = "X_grey" if self.task == Task.COLORIZE else "X_missing"
        mistakes = [source.replace("loss_fn(output, X)", "loss_fn(output, output, X)")]
        if self.task == Task.COLORIZE:  # fails at once too (a 3-channel input); for inpaint it trains in full
            mistakes.append(source.replace(f"model({name})", "model(X)"))
        return mistakes


class Colorize(_Autoencoder):
    name = "colorize"
    title = "Autoencoder: colour greyscale images"
    task = Task.COLORIZE


class Inpaint(_Autoencoder):
    name = "inpaint"
    title = "Autoencoder: fill a missing square"
    task = Task.INPAINT
