"""Grading exam task 5(b), `train(X, model)` for colorize and inpaint, by its behaviour.

The student's `train` runs once in the sandbox on the grader's crops and the grader's model
(`solutions.autoencoder.grader_model`: the untrained model IS the trivial baseline, grey copy
or zero fill). The trained weights come back and are judged here, with clean copies:

    check              points  judged by
    runs                 1     train() finished in time, without error, taking optimizer steps
    grey input / mask    2     the first loss seen equals the exam's loss with the right input at
                               the start (recomputed here: it pins down grey = mean over RGB, or
                               the square's size and place); luminance weights: 1 of 2
    zero_grad            2     gradients reset before every backward (observed order of calls)
    SGD and lr           1     observed optimizer class and learning rate at every step
    iterations           1     observed optimizer steps (within 1%)
    loss falls           1     training MSE of the returned weights, recomputed here, < 90% of start
                               (if the input was not the exam's: the student's own losses seen)
    beats baseline       2     held-out crops (photos never trained on): MSE < 95% of the grey copy
                               (colorize) / of a zero fill in the square (inpaint); below it: 1

These 10 points are what `grade-code` gives; the family adds the limitations (`limitations`).
Observations (calls, losses, lr) come from hooks inside the sandbox and could be faked by
hostile code; the points that matter most (loss falls, beats baseline, the input fingerprint's
reference value) are recomputed here from the returned weights and the grader's own data.

A file that does not parse, or whose train() crashes, gets `error` set and every check 0,
as the command-line contract fixes (the seed's `loss_fn(out, out, X)` crashes with a
TypeError: 0 points, and the error says why). A train() that hangs fails the checks that
need its result, with "did not finish" as the reason.
"""

from __future__ import annotations

import math

import torch

from dlexam.engines.sandbox import Job, ModelSpec, RunResult, SandboxPool
from dlexam.grading.code import parse_error, run_submission, tampering, timed
from dlexam.grading.grade import Grade, not_judged
from dlexam.tasks.autoencoder.baseline import beats_baseline
from dlexam.tasks.autoencoder.input_check import close, judge_input
from dlexam.tasks.autoencoder.settings import Settings, data, load_state, model, model_state, mse, task_input

CODE_POINTS = {"runs": 1.0, "input": 2.0, "zero_grad": 2.0, "lr": 1.0, "iterations": 1.0, "loss falls": 1.0,
               "beats baseline": 2.0}
Verdict = tuple[float, str, dict]


def names(settings: Settings) -> dict[str, str]:
    """Each check's name as shown: the input check says what the input is."""
    return {"runs": "runs", "input": settings.input_name, "zero_grad": "zero_grad", "lr": "SGD and lr",
            "iterations": "iterations", "loss falls": "loss falls", "beats baseline": "beats baseline"}


def failed(settings: Settings, error: str) -> Grade:
    """A file that does not parse or crashes: every check 0, with the error as the reason."""
    shown = names(settings)
    return not_judged({shown[key]: points for key, points in CODE_POINTS.items()}, error)


def grade_source(settings: Settings, source: str, pool: SandboxPool | None = None) -> Grade:
    """Run `train` in the sandbox (`pool`, or a fresh one) and judge it: the 10 points of code checks."""
    if (error := parse_error(source)) is not None:
        return failed(settings, error)
    X, _ = data(settings)
    layers, state = model_state(settings)
    job = Job("train", ("X", "model"), {"X": X.clone()}, ModelSpec(layers, state),
              return_state=True, seed=settings.seed)
    run = run_submission(source, job, settings.time_limit(), pool)
    if not run.ok:
        return failed(settings, run.message)
    if (tampered := tampering(run.observations.tampered)) is not None:
        return failed(settings, tampered)
    trained = load_state(settings, run.state_dict)
    if trained is None:
        return failed(settings, "train() returned, but the model sent back does not fit "
                                "the grader's model (its parameters were replaced)")
    judges = {"runs": _runs, "input": judge_input, "zero_grad": _zero_grad, "lr": _lr,
              "iterations": _iterations, "loss falls": _loss_falls, "beats baseline": beats_baseline}
    shown = names(settings)
    return Grade([timed(shown[key], CODE_POINTS[key], judge, settings, run, trained) for key, judge in judges.items()])


def _runs(settings: Settings, run: RunResult, trained: torch.nn.Module) -> Verdict:
    initial = model(settings)
    moved = max(float((a - b).abs().max()) for a, b in zip(trained.state_dict().values(),
                                                          initial.state_dict().values()))
    out = run.stdout
    printed = (f" It printed {out.rsplit(' bytes in all', 1)[0].rsplit(' ', 1)[-1]} bytes (kept the first "
               f"{len(out.split(chr(10) + '[... output truncated')[0])})." if "[... output truncated" in out else "")
    steps = run.observations.steps
    numbers = {"seconds": run.call_seconds, "steps": steps, "largest_weight_change": moved if math.isfinite(moved) else None}
    head = f"train() finished in {run.call_seconds:.1f} s with {steps} optimizer steps"
    if steps == 0:
        return 0.0, f"train() finished in {run.call_seconds:.1f} s, but no optimizer step was taken.{printed}", numbers
    if not math.isfinite(moved):
        return 1.0, f"{head}, but the weights became NaN or infinite.{printed}", numbers
    if moved == 0:
        return 1.0, f"{head}, but the model's weights did not change.{printed}", numbers
    return 1.0, f"{head} and changed the model's weights in place.{printed}", numbers


def _zero_grad(settings: Settings, run: RunResult, trained: torch.nn.Module) -> Verdict:
    """Before the backward() whose gradient each step uses, the gradients must have been reset."""
    seen = run.observations
    segments = seen.events.split("S")[: seen.steps]
    if not segments:
        return 0.0, "no optimizer step was seen, so gradients were never used.", {"steps": 0}
    bad = 0
    for index, segment in enumerate(segments):
        last_zero, last_backward = max(segment.rfind("Z"), segment.rfind("z")), segment.rfind("B")
        if last_zero > last_backward or (index and last_zero < 0):
            bad += 1
    calls = seen.zero_grad + seen.module_zero_grad
    numbers = {"steps": seen.steps, "zero_grad_calls": calls, "steps_not_reset": bad}
    if bad == 0:
        return 1.0, f"gradients were reset before every backward ({calls} zero_grad calls, {seen.steps} steps).", numbers
    if calls == 0:
        return 0.0, (f"zero_grad() was never called in {seen.steps} steps: the gradients of all earlier "
                     f"iterations pile up in every step."), numbers
    return 0.0, (f"{bad} of {len(segments)} steps used gradients that were not reset just before their "
                 f"backward() ({calls} zero_grad calls; zero_grad after backward() wipes the gradient)."), numbers


def _lr(settings: Settings, run: RunResult, trained: torch.nn.Module) -> Verdict:
    seen = run.observations
    used = sorted(set(seen.optimizers)) or ["none"]
    if not seen.lrs:
        return 0.0, f"no optimizer step was seen (optimizers created: {', '.join(used)}).", {"steps": 0}
    wrong = [lr for lr in seen.lrs if not abs(lr - settings.lr) <= 1e-9 + 1e-6 * settings.lr]
    numbers = {"steps": len(seen.lrs), "steps_with_wrong_lr": len(wrong), "first_wrong_lr": wrong[0] if wrong else None}
    if used != ["SGD"]:
        return 0.0, f"the task asks for SGD, the optimizer used was {', '.join(used)}.", numbers
    if wrong:
        return 0.0, (f"the learning rate was {wrong[0]:g} in {len(wrong)} of {len(seen.lrs)} steps; "
                     f"the task asks for {settings.lr:g}."), numbers
    return 1.0, f"SGD with lr {settings.lr:g} in all {len(seen.lrs)} steps.", numbers


def _iterations(settings: Settings, run: RunResult, trained: torch.nn.Module) -> Verdict:
    steps = run.observations.steps
    numbers = {"steps": steps, "asked": settings.iterations}
    if abs(steps - settings.iterations) <= 0.01 * settings.iterations:
        return 1.0, f"{steps} optimizer steps (the task asks for {settings.iterations}).", numbers
    return 0.0, f"{steps} optimizer steps; the task asks for {settings.iterations} iterations.", numbers


def _loss_falls(settings: Settings, run: RunResult, trained: torch.nn.Module) -> Verdict:
    """Recomputed on the exam's input; if the student trained from another input, their own
    objective is judged from the losses seen, so one input mistake is not charged twice."""
    X, _ = data(settings)
    inputs = task_input(settings, X)
    start, end = mse(model(settings), inputs, X), mse(trained, inputs, X)
    seen = run.observations.losses
    if seen and not close(seen[0], start):
        first, last = seen[0], seen[-1]
        numbers = {"first_loss": first, "last_loss": last if math.isfinite(last) else None}
        text = (f"the loss of your own training (input differs from the exam's) went from {first:.6f} "
                f"to {last:.6f} in the steps seen")
        if math.isfinite(last) and last < 0.9 * first:
            return 1.0, f"{text}: it fell by {100 * (1 - last / first):.0f}%.", numbers
        return 0.0, f"{text}: it did not fall by 10% or more.", numbers
    numbers = {"start_mse": start, "trained_mse": end if math.isfinite(end) else None}
    told = f" (losses seen: first {seen[0]:.6f}, last {seen[-1]:.6f})" if seen else ""
    text = f"the training MSE with the returned weights is {end:.6f}, at the start {start:.6f}{told}"
    if math.isfinite(end) and end < 0.9 * start:
        return 1.0, f"{text}: it fell by {100 * (1 - end / start):.0f}%.", numbers
    return 0.0, f"{text}: it did not fall by 10% or more.", numbers
