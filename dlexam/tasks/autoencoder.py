"""Exam task 5(b): program the training of an autoencoder that colours (or inpaints) images.

Two families, "colorize" and "inpaint". A variant sets what the task asks (iterations,
learning rate; for inpaint the square's size and its shift from the centre) and what the
text says about the data (number and size of the images). The code part is graded by
running it for real in the sandbox (`grading.autoencoder`); the limitations part against a
rubric of key points. Grades are cached per (settings, source) within a process: the same
file is graded once.
"""

from __future__ import annotations

import ast
import builtins
import hashlib
import random
from dataclasses import replace
from typing import Any

import torch

from dlexam.engines import sandbox
from dlexam.errors import InputError, VerificationError
from dlexam.grading.autoencoder import Settings, exam_settings, grade_with, read_input
from dlexam.solutions.autoencoder import LIMITATIONS, reference_source
from dlexam.tasks.code_answer import read_code
from dlexam.tasks.document import Block, Code, Text
from dlexam.tasks.model import Answer, Grade, PartGrade, Solution, TaskFamily, Variant

# Few distinct settings on purpose: each distinct (settings, code) costs one sandboxed training
# run, and grades are cached per (settings, code); the text (images, size) varies more.
# (iterations, lr): the exam's, and a shorter run with a larger lr (same lr × iterations)
SCHEDULES = ((1000, 0.004), (250, 0.016))
MASKS = ((16, (0, 0)), (12, (2, -2)))   # (side, shift of the square from the centre)
GRADER = {"colorize": {"grader_images": 16, "grader_hidden": 4},  # the grader's data and model size
          "inpaint": {"grader_images": 8, "grader_hidden": 2}}
RUBRIC = {  # key point -> words that show it (any one suffices)
    "blurry averages from MSE": ("blur", "average", "mean of", "washed", "mse", "l2"),
    "ambiguous colours / contents": ("ambigu", "several", "multiple", "many possible", "unknown colo", "not unique"),
    "fixed mask / small data / no validation": ("fixed", "position", "overfit", "too few", "small data",
                                                "tiny", "validation", "more data", "augment"),
}

_cache: dict[tuple, Any] = {}


def family_for(task: str) -> TaskFamily:
    return {"colorize": Colorize, "inpaint": Inpaint}[task]()


def settings_of(variant: Variant) -> Settings:
    """What the grader runs for this variant: the task's numbers, the grader's small data."""
    d = variant.data
    base = exam_settings(d["task"])
    if d["task"] == "inpaint":
        size = max(24, d["mask"] + 2 * max(map(abs, d["offset"])) + 8)
        base = replace(base, mask=d["mask"], offset=tuple(d["offset"]), size=size)
    return replace(base, iterations=d["iterations"], lr=d["lr"], n_images=d["grader_images"],
                   hidden=d["grader_hidden"])


def grade_code(settings: Settings, source: str, file: str = "answer.py"):
    """Sandboxed grading of one source, cached per (settings, source) in this process."""
    key = (settings, hashlib.sha256(source.encode()).hexdigest())
    if key not in _cache:
        _cache[key] = grade_with(settings, source, file, sandbox.shared_pool())
    return _cache[key]


class _Autoencoder(TaskFamily):
    task: str
    topic = "Task 5: programming"
    points = 10.0

    # -- posing ----------------------------------------------------------------------
    def _generate(self, rng: random.Random) -> dict[str, Any]:
        iterations, lr = rng.choice(SCHEDULES)
        data = {"task": self.task, "images": rng.choice([200, 500, 500, 1000]),
                "size": rng.choice([32, 48, 64]), "iterations": iterations, "lr": lr,
                **GRADER[self.task]}
        if self.task == "inpaint":
            mask, offset = rng.choice(MASKS)
            data.update(mask=mask, offset=list(offset))
        return data

    def document(self, variant: Variant) -> list[Block]:
        d = variant.data
        blocks: list[Block] = [Text(self._statement(d)), Code(_skeleton(d))]
        blocks.append(Text("Answer with the complete file defining `train(X, model)`; it is run for real on "
                           "images chosen by the grader (never assume their number or size)."))
        blocks.append(Text("Then explain in 1-2 sentences the limitations and problems of this approach "
                           "and how to fix them (in the file: comment lines from `# Limitations:` on)."))
        return blocks

    def answer_hint(self, variant: Variant) -> str:
        return "the path of a .py file defining train(X, model), or the code itself"

    # -- solving ---------------------------------------------------------------------
    def solve(self, variant: Variant) -> Solution:
        d = variant.data
        source = self.source(d)
        steps = self._steps(d) + [
            (f"Loop {d['iterations']} times: optim.zero_grad() first (gradients add up otherwise), "
             f"output = model(input), loss = MSE(output, X) against the colour images, loss.backward(), "
             f"optim.step()."),
            "Limitations: " + " ".join(LIMITATIONS.values()),
        ]
        limitations = " ".join(LIMITATIONS[k] for k in ("blurry", "ambiguous", "fixed mask", "tiny data"))
        return Solution(Answer({"code": source, "limitations": limitations}), steps)

    def verify(self, variant: Variant, solution: Solution) -> None:
        """Read the numbers back from the code (AST), then run it in-process for 20 steps."""
        d, source = variant.data, solution.answer.parts["code"]
        settings = settings_of(variant)
        fraction, message = read_input(settings, source)
        if fraction < 1:
            raise VerificationError(f"the solution's input lines are wrong: {message}")
        numbers = _numbers(source)
        if d["iterations"] not in numbers["range"] or d["lr"] not in numbers["lr"]:
            raise VerificationError(f"the solution's loop/lr {numbers} do not match the task")
        losses = _run_few_steps(source, self.task, settings)
        if not losses[-1] < losses[0]:
            raise VerificationError(f"20 steps of the solution did not lower the loss: {losses[0]} -> {losses[-1]}")

    # -- grading ---------------------------------------------------------------------
    def grade(self, variant: Variant, answer: Answer) -> Grade:
        source = answer.parts.get("code")
        if not isinstance(source, str):
            raise InputError("The answer needs the code of train(X, model) as text.")
        result = grade_code(settings_of(variant), source)
        parts = [PartGrade(c.name, c.points, c.max_points, f"{c.name}: {c.message}",
                           {"passed": c.passed}) for c in result.checks]
        if result.error:
            parts[0].evidence["error"] = result.error
        parts.append(_grade_limitations(answer.parts.get("limitations")))
        return Grade(parts)

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        code = read_code(text, "train")
        return Answer({"code": code, "limitations": _limitations_comment(code)})

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        """A classic mistake: the seed's three-argument loss, or the model fed X itself."""
        source = answer.parts["code"]
        name = "X_grey" if self.task == "colorize" else "X_missing"
        mistakes = [source.replace("loss_fn(output, X)", "loss_fn(output, output, X)")]
        if self.task == "colorize":  # fails at once too (a 3-channel input); for inpaint it trains in full
            mistakes.append(source.replace(f"model({name})", "model(X)"))
        return Answer({**answer.parts, "code": rng.choice(mistakes)})

    # -- per task ----------------------------------------------------------------------
    def source(self, d: dict) -> str:
        raise NotImplementedError

    def _statement(self, d: dict) -> str:
        raise NotImplementedError

    def _steps(self, d: dict) -> list[str]:
        raise NotImplementedError


class Colorize(_Autoencoder):
    name = "colorize"
    title = "Autoencoder: colour greyscale images"
    task = "colorize"

    def source(self, d: dict) -> str:
        return reference_source("colorize", d["iterations"], d["lr"])

    def _statement(self, d: dict) -> str:
        return (f"Given a dataset of {d['images']} RGB images, train a neural network that colours greyscale "
                f"images. The dataset X is Nx3xSxS (here S = {d['size']}), N the number of images. Turn the "
                f"RGB images into greyscale images by taking the average of the RGB values. The model maps "
                f"Nx1xSxS to Nx3xSxS. Use the MSE loss and SGD with learning rate {d['lr']:g} for "
                f"{d['iterations']} iterations. Write the training loop in the skeleton below.")

    def _steps(self, d: dict) -> list[str]:
        return [("The input is the grey image, the mean over the colour channel: X_grey = X.mean(dim=1, "
                 "keepdim=True) has shape Nx1xSxS; the target is X itself.")]


class Inpaint(_Autoencoder):
    name = "inpaint"
    title = "Autoencoder: fill a missing square"
    task = "inpaint"

    def source(self, d: dict) -> str:
        return reference_source("inpaint", d["iterations"], d["lr"], d["mask"], tuple(d["offset"]))

    def _where(self, d: dict) -> str:
        dy, dx = d["offset"]
        if (dy, dx) == (0, 0):
            return "in the middle of the image"
        return (f"whose top-left corner is at row S//2 - {d['mask'] // 2} + ({dy}), "
                f"column S//2 - {d['mask'] // 2} + ({dx})")

    def _statement(self, d: dict) -> str:
        return (f"Given a dataset of {d['images']} RGB images X (Nx3xSxS, here S = {d['size']}), train a network "
                f"that fills images where data is missing. Instead of turning the images grey, zero out a "
                f"{d['mask']}x{d['mask']} square {self._where(d)}; the model maps the damaged Nx3xSxS images to "
                f"the complete ones. Use the MSE loss and SGD with learning rate {d['lr']:g} for "
                f"{d['iterations']} iterations. Write the training loop in the skeleton below.")

    def _steps(self, d: dict) -> list[str]:
        return [(f"The input is a copy of X with the {d['mask']}x{d['mask']} square set to 0 ({self._where(d)}): "
                 f"clone X first, so that the target keeps the true pixels.")]


def _skeleton(d: dict) -> str:
    return (f"def train(X, model):\n"
            f"    optim = torch.optim.SGD(model.parameters(), lr={d['lr']:g})\n"
            f"    # Space for code\n"
            f"    loss_fn = torch.nn.MSELoss()\n\n"
            f"    for i in range({d['iterations']}):\n"
            f"        optim.zero_grad()\n"
            f"        # Space for code\n\n"
            f"        loss.backward()\n"
            f"        optim.step()\n")


def _numbers(source: str) -> dict[str, list]:
    """Literal arguments of range(...) and lr=... in the code (an independent reading)."""
    found = {"range": [], "lr": []}
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "range":
            found["range"] += [a.value for a in node.args if isinstance(a, ast.Constant)]
        if isinstance(node, ast.keyword) and node.arg == "lr" and isinstance(node.value, ast.Constant):
            found["lr"].append(node.value.value)
    return found


def _run_few_steps(source: str, task: str, settings: Settings, steps: int = 20) -> list[float]:
    """Our own (trusted) solution, run in-process with range() capped at `steps`, on tiny random data."""
    from dlexam.engines.sandbox import build_model
    from dlexam.solutions.autoencoder import grader_layers, identity_init

    generator = torch.Generator().manual_seed(0)
    X = torch.rand(2, 3, settings.size, settings.size, generator=generator)
    model = identity_init(build_model(grader_layers(task, 2)), task)
    losses: list[float] = []
    model.register_forward_hook(
        lambda module, inputs, output: losses.append(float(torch.nn.functional.mse_loss(output.detach(), X))))
    namespace = {"range": lambda n: builtins.range(min(n, steps)), "__name__": "solution"}
    exec(compile(source, "solution.py", "exec"), namespace)  # noqa: S102 - our own generated code
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead, and contention on busy machines
    try:
        namespace["train"](X, model)
    finally:
        torch.set_num_threads(threads)
    if len(losses) != steps:
        raise VerificationError(f"the solution called the model {len(losses)} times in {steps} steps")
    return losses


def _limitations_comment(source: str) -> str:
    """The comment lines from the first one mentioning limitations to the next line of code."""
    lines, started = [], False
    for line in source.splitlines():
        stripped = line.strip()
        started = started or (stripped.startswith("#") and "limitation" in stripped.lower())
        if started and not stripped.startswith("#"):
            break
        if started:
            lines.append(stripped.lstrip("#").strip())
    return " ".join(lines)


def _grade_limitations(text: Any) -> PartGrade:
    """One point per key point of the rubric that the text makes (keywords, case-insensitive)."""
    text = text.lower() if isinstance(text, str) else ""
    made = [point for point, words in RUBRIC.items() if any(w in text for w in words)]
    missing = [point for point in RUBRIC if point not in made]
    feedback = f"limitations: {len(made)} of {len(RUBRIC)} key points made"
    feedback += f"; missing: {', '.join(missing)}." if missing else "."
    return PartGrade("limitations", float(len(made)), float(len(RUBRIC)), feedback, {"made": made})
