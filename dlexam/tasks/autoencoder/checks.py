"""Grading exam task 5(b), `train(X, model)` for colorize and inpaint, by its behaviour.

The student's `train` runs once in the sandbox on the grader's crops and the grader's model
(`solutions.autoencoder.grader_model`: the untrained model IS the trivial baseline, grey copy
or zero fill). The trained weights come back and are judged here, in the grader's process:

    check              colorize inpaint  judged by
    runs                  1       1      train() returned and changed the weights
    grey input / mask     2       4      the replay: the weights are those of the asked training
                                         (`replay`); luminance weights (established by their own
                                         replay): 1 of 2. For inpaint the masked input is the only
                                         new code of the exam's part, so it weighs 4 of 10.
    zero_grad             2       1      the replay
    SGD and lr            1       1      the replay
    iterations            1       1      the replay
    loss falls            1       -      training MSE of the returned weights, recomputed here, < 90 %
                                         of the start (on the input the matched replay used)
    beats baseline /      2       2      held-out crops (photos never trained on), against the replay,
      fills the hole                     the trivial baseline and a per-image mean colour (`baseline`)

These 10 points are what `grade-code` gives; the family adds the limitations (`limitations`).
Points rest on facts the grader establishes in its own process: the replay of the asked training
from the same initial weights on the same data, and the held-out quality of the returned weights
judged with clean copies. What the sandbox's hooks observed (optimizer, lr, steps, zero_grad calls,
the first loss) could be faked; it only proposes which step differs, and that proposal is replayed
too: its steps that are the asked ones are then established; observations never award a point that
the weights contradict (`replay`).

A file that does not parse, or whose train() crashes, gets `error` set and every check 0,
as the command-line contract fixes (the seed's `loss_fn(out, out, X)` crashes with a
TypeError: 0 points, and the error says why). A train() that hangs fails the checks that
need its result, with "did not finish" as the reason.
"""

from __future__ import annotations

import math

import torch

from dlexam.engines.sandbox import Job, ModelSpec, RunResult, SandboxPool
from dlexam.grading.code import Runner, parse_error, run_submission, run_trusted, tampering, timed
from dlexam.grading.grade import Grade
from dlexam.tasks.autoencoder.baseline import quality
from dlexam.tasks.autoencoder.input_check import judge_input, proposed_input
from dlexam.tasks.autoencoder.replay import ASKED, MATCH, Procedure, Replayed, establish, procedure_input, replay
from dlexam.tasks.autoencoder.grader_data import data, load_state, model, model_state, mse
from dlexam.tasks.autoencoder.points import failed, names, points
from dlexam.tasks.autoencoder.settings import Settings, Task

Verdict = tuple[float, str, dict]


def trusted_runner(source: str, job: Job, timeout: float) -> RunResult:
    """The family's own code in-process (`run_trusted`); its crash is a result, as in the sandbox."""
    try:
        return run_trusted(source, job, timeout)
    except Exception as exc:  # noqa: BLE001 - the family's own wrong code (a perturbation) crashes
        return RunResult("error", f"{type(exc).__name__} while calling train(): {exc}"[:500])


def grade_reference(settings: Settings, source: str) -> Grade:
    """The family's own reference code: the asked training is what it does, so its run is the replay
    (`verify` runs the code itself against plain gradient steps, and the tests against the replay)."""
    def replayed(code: str, job: Job, timeout: float) -> RunResult:
        return RunResult("ok", "the family's own reference code: its training is the replay",
                         state_dict=replay(settings))
    return grade_source(settings, source, runner=replayed)


def grade_source(settings: Settings, source: str, pool: SandboxPool | None = None,
                 runner: Runner | None = None) -> Grade:
    """Run `train` in the sandbox (`pool`, or a fresh one; `runner` only `trusted_runner`, for the
    family's own code) and judge it: the 10 points of code checks."""
    if (error := parse_error(source)) is not None:
        return failed(settings, error)
    X, _ = data(settings)
    layers, state = model_state(settings)
    job = Job("train", ("X", "model"), {"X": X.clone()}, ModelSpec(layers, state),
              return_state=True, seed=settings.seed)
    run = run_submission(source, job, settings.time_limit(), pool, runner)
    return judge(settings, run, observed=runner is None)


def judge(settings: Settings, run: RunResult, observed: bool = True) -> Grade:
    """The checks on what a run returned; `observed` False for in-process runs (no hooks, no proposal)."""
    if not run.ok:
        return failed(settings, run.message)
    if (tampered := tampering(run.observations.tampered)) is not None:
        return failed(settings, tampered)
    trained = load_state(settings, run.state_dict)
    if trained is None:
        return failed(settings, "train() returned, but the model sent back does not fit "
                                "the grader's model (its parameters were replaced)")
    state = {k: v.to(torch.float32) for k, v in run.state_dict.items()}
    replayed = establish(settings, state, propose(settings, run) if observed else ASKED)
    judges = {"runs": _runs, "input": _input, "zero_grad": _zero_grad, "lr": _lr, "iterations": _iterations,
              "loss falls": _loss_falls, "quality": _quality}
    shown = names(settings)
    return Grade([timed(shown[key], value, judges[key], settings, run, trained, replayed)
                  for key, value in points(settings).items()])


def propose(settings: Settings, run: RunResult) -> Procedure:
    """The procedure the run's observations describe (to be replayed, never believed)."""
    seen = run.observations
    lrs = set(seen.lrs)
    lr = next(iter(lrs)) if len(lrs) == 1 and math.isfinite(next(iter(lrs))) else None
    fields = {"lr": lr, "steps": seen.steps or None, "optimizer": "Adam" if set(seen.optimizers) == {"Adam"} else "SGD",
              "zero_grad": not (seen.steps and seen.zero_grad + seen.module_zero_grad == 0),
              **proposed_input(settings, seen.losses[0] if seen.losses else None)}
    proposed = Procedure(**fields)
    return ASKED if not proposed.differences(settings) else proposed


def _fact(settings: Settings, replayed: Replayed, step: str, observed: Verdict, asked_words: str) -> Verdict:
    """A procedural check: full when the replay establishes the step; else the observation explains."""
    share, text, numbers = observed
    numbers = {**numbers, "replay_distance": replayed.asked_distance,
               "proposed_distance": replayed.proposed_distance, "replay_matched": replayed.matched is not None}
    if replayed.established(step, settings):
        how = ("the returned weights are those of the asked training, replayed here"
               if replayed.matched == ASKED else
               f"the returned weights are those of the asked training with "
               f"{', '.join(replayed.matched.differences(settings).values())} instead, replayed here")
        return 1.0, f"{asked_words} — {how} (distance {replayed.asked_distance if replayed.matched == ASKED else replayed.proposed_distance:.1e}).", numbers
    if replayed.matched is not None:   # the step differs, and the weights show it
        return 0.0, f"{text} (the returned weights match the replay of that procedure).", numbers
    differs = replayed.proposed.differences(settings)
    said = (f" nor those of the procedure the run's observations describe ({', '.join(differs.values())})"
            if differs else "")
    return 0.0, (f"{text} — but the returned weights are not those of the asked training replayed here "
                 f"(distance {replayed.asked_distance:.2f} of the way the weights travel; a match is ≤ {MATCH:g})"
                 f"{said}, so this step is not established."), numbers


def _runs(settings: Settings, run: RunResult, trained: torch.nn.Module, replayed: Replayed) -> Verdict:
    """A fact: train() returned and the weights it sent back differ from the ones it was given (or
    are what the replay of the observed procedure gives)."""
    initial = model(settings)
    moved = max(float((a - b).abs().max()) for a, b in zip(trained.state_dict().values(),
                                                          initial.state_dict().values()))
    out = run.stdout
    printed = (f" It printed {out.rsplit(' bytes in all', 1)[0].rsplit(' ', 1)[-1]} bytes (kept the first "
               f"{len(out.split(chr(10) + '[... output truncated')[0])})." if "[... output truncated" in out else "")
    steps = run.observations.steps
    numbers = {"seconds": run.call_seconds, "steps_seen": steps,
               "largest_weight_change": moved if math.isfinite(moved) else None}
    head = f"train() finished in {run.call_seconds:.1f} s" + (f" ({steps} optimizer steps seen)" if steps else "")
    if not math.isfinite(moved):
        return 1.0, f"{head}, but the weights became NaN or infinite.{printed}", numbers
    if moved == 0 and replayed.matched is None:
        return 0.0, f"{head}, but the model's weights did not change: nothing was trained.{printed}", numbers
    if moved == 0:
        return 1.0, (f"{head}; the weights did not change, as the replay of the procedure observed shows "
                     f"(nothing to learn from that input).{printed}"), numbers
    return 1.0, f"{head} and changed the model's weights in place.{printed}", numbers


def _input(settings: Settings, run: RunResult, trained: torch.nn.Module, replayed: Replayed) -> Verdict:
    what = ("grey = mean over RGB" if settings.task == Task.COLORIZE else
            f"the {settings.mask}×{settings.mask} square zeroed in a copy of X")
    verdict = _fact(settings, replayed, "input", judge_input(settings, run, trained), f"the right input ({what})")
    matched = replayed.matched
    if matched is not None and matched.input == "luminance" and matched.loss_scale == 1.0:
        return 0.5, verdict[1], verdict[2]   # established by its own replay: grey, but not the exam's grey
    return verdict


def _zero_grad(settings: Settings, run: RunResult, trained: torch.nn.Module, replayed: Replayed) -> Verdict:
    return _fact(settings, replayed, "zero_grad", _observed_zero_grad(run),
                 "gradients reset before every backward")


def _lr(settings: Settings, run: RunResult, trained: torch.nn.Module, replayed: Replayed) -> Verdict:
    return _fact(settings, replayed, "lr", _observed_lr(settings, run), f"SGD with lr {settings.lr:g}")


def _iterations(settings: Settings, run: RunResult, trained: torch.nn.Module, replayed: Replayed) -> Verdict:
    return _fact(settings, replayed, "iterations", _observed_iterations(settings, run),
                 f"{settings.iterations} steps")


def _observed_zero_grad(run: RunResult) -> Verdict:
    """Before the backward() whose gradient each step uses, the gradients must have been reset."""
    seen = run.observations
    segments = seen.events.split("S")[: seen.steps]
    if not segments:
        return 0.0, "no optimizer step was seen", {"steps_seen": 0}
    bad = 0
    for index, segment in enumerate(segments):
        last_zero, last_backward = max(segment.rfind("Z"), segment.rfind("z")), segment.rfind("B")
        if last_zero > last_backward or (index and last_zero < 0):
            bad += 1
    calls = seen.zero_grad + seen.module_zero_grad
    numbers = {"steps_seen": seen.steps, "zero_grad_calls": calls, "steps_not_reset": bad}
    if bad == 0:
        return 1.0, f"gradients were seen reset before every backward ({calls} zero_grad calls, {seen.steps} steps)", numbers
    if calls == 0:
        return 0.0, (f"zero_grad() was never called in {seen.steps} steps: the gradients of all earlier "
                     f"iterations pile up in every step"), numbers
    return 0.0, (f"{bad} of {len(segments)} steps used gradients that were not reset just before their "
                 f"backward() ({calls} zero_grad calls; zero_grad after backward() wipes the gradient)"), numbers


def _observed_lr(settings: Settings, run: RunResult) -> Verdict:
    seen = run.observations
    used = sorted(set(seen.optimizers)) or ["none"]
    if not seen.lrs:
        return 0.0, f"no optimizer step was seen (optimizers created: {', '.join(used)})", {"steps_seen": 0}
    wrong = [lr for lr in seen.lrs if not abs(lr - settings.lr) <= 1e-9 + 1e-6 * settings.lr]
    numbers = {"steps_seen": len(seen.lrs), "steps_with_wrong_lr": len(wrong),
               "first_wrong_lr": wrong[0] if wrong else None}
    if used != ["SGD"]:
        return 0.0, f"the task asks for SGD, the optimizer used was {', '.join(used)}", numbers
    if wrong:
        return 0.0, (f"the learning rate was {wrong[0]:g} in {len(wrong)} of {len(seen.lrs)} steps; "
                     f"the task asks for {settings.lr:g}"), numbers
    return 1.0, f"SGD with lr {settings.lr:g} was seen in all {len(seen.lrs)} steps", numbers


def _observed_iterations(settings: Settings, run: RunResult) -> Verdict:
    steps = run.observations.steps
    numbers = {"steps_seen": steps, "asked": settings.iterations}
    if steps == settings.iterations:
        return 1.0, f"{steps} optimizer steps were seen (the task asks for {settings.iterations})", numbers
    return 0.0, f"{steps} optimizer steps were seen; the task asks for {settings.iterations} iterations", numbers


def _loss_falls(settings: Settings, run: RunResult, trained: torch.nn.Module, replayed: Replayed) -> Verdict:
    """Recomputed here on the input of the training the weights match (the exam's, else the
    replayed other one), so one input mistake is not charged twice."""
    X, _ = data(settings)
    proc = replayed.matched if replayed.matched is not None else ASKED
    inputs = procedure_input(settings, proc, X)
    start, end = mse(model(settings), inputs, X), mse(trained, inputs, X)
    numbers = {"start_mse": start, "trained_mse": end if math.isfinite(end) else None}
    own = "" if proc.input == "asked" else f" (on your own input, {proc.describe_input(settings)}, replayed here)"
    text = f"the training MSE with the returned weights is {end:.6f}, at the start {start:.6f}{own}"
    if math.isfinite(end) and end < 0.9 * start:
        return 1.0, f"{text}: it fell by {100 * (1 - end / start):.0f}%.", numbers
    return 0.0, f"{text}: it did not fall by 10% or more.", numbers


def _quality(settings: Settings, run: RunResult, trained: torch.nn.Module, replayed: Replayed) -> Verdict:
    return quality(settings, trained)
