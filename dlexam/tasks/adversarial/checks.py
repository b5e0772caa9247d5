"""Grading exam task 5(a), the adversarial attack, by its behaviour.

The student's `adversarial(x, t, model)` runs in the sandbox (`running`) on B test digits and on
the probe (`reference`); everything is judged here, outside, with the grader's own clean model
and data. What the sandbox's hooks observed (optimiser, steps) can be faked and is worth one
point only.

Checks (10 points):
  returns z of the right shape  1  a float tensor B×D with finite values
  decision flipped              3  t·f(z) < 0 (with κ = 0: or on the boundary, t·f(z) ≤ 10 % of
                                   t·f(x)) on ≥ 90 % of the inputs; linear below
  perturbation small            1  mean ‖x − z‖ over the attacked inputs ≤ 1.6× the posed reference's
                                   on the same inputs; linear down to 0 at 3×
  objective minimised           2  on the probe, the decrease of the mean posed objective from z = x
                                   is ≥ 70 % of the reference's decrease; linear down to 0 at 20 %
  x not modified                1  x after the call equals x before
  model unchanged               1  the model's state_dict after the call equals the one given
  optimiser and iterations      1  the optimiser and step count asked for, the model evaluated in every
                                   step (observed; from the source when the run was not observed)
A file that does not parse or crashes gets every check at 0 and `error` set.
"""

from __future__ import annotations

import math
from typing import Any

import torch

from dlexam.engines.sandbox import RunResult, SandboxPool
from dlexam.grading.code import Runner, parse_error, part, run_submission, run_trusted, tampering
from dlexam.grading.grade import Grade, PartGrade
from dlexam.solutions.attack import posed_objective, posed_source
from dlexam.solutions.classifier import binary_classifier
from dlexam.tasks.adversarial import running
from dlexam.tasks.adversarial.reference import Reference, Settings, attacked, model_of, reference, scaled
from dlexam.tasks.adversarial.running import Static
from dlexam.tasks.adversarial.points import POINTS, failed
from dlexam.tasks.adversarial.settings import DEFAULT_TIMEOUT, FUNCTION

FLIP_FULL = 0.9          # share of inputs attacked for full points


def grade_source(source: str, settings: Settings, pool: SandboxPool | None = None,
                 timeout: float = DEFAULT_TIMEOUT, runner: Runner | None = None) -> Grade:
    """Grade one source for the given settings; `runner` replaces the sandbox (only `run_trusted`,
    for the family's own code). `pool` None runs it in a fresh sandbox (seconds slower)."""
    if (error := parse_error(source)) is not None:
        return failed(error)
    static = running.read_source(source)
    if static.function is None:
        return failed(f"the file defines no function {FUNCTION}(x, t, model)")
    ref = reference(settings)
    job = running.job(settings, ref.x, ref.t, ref.probe_x, ref.probe_t, ref.probe_scale)
    result = run_submission(running.wrapped(source, static.function), job, timeout, pool, runner)
    return judge(settings, ref, static, result, observed=runner is not run_trusted)


def grade_reference(settings: Settings) -> Grade:
    """The family's own posed attack, graded without running it again: its z on the digits and on
    the probe are the reference's own (each input's z depends on that input only, so the batch
    does not matter); `verify` and the tests run the code itself and find the same."""
    ref = reference(settings)
    returned = {"z": ref.z.clone(), "x_after": ref.x.clone(), "probe_z": ref.probe_z.clone()}
    state = binary_classifier(settings.positive, settings.negative).spec.state_dict
    result = RunResult("ok", "the family's own reference attack", returned=returned, state_dict=dict(state))
    return judge(settings, ref, running.read_source(_posed(settings)), result, observed=False)


def _posed(settings: Settings) -> str:
    return posed_source(settings.steps, str(settings.optimizer), settings.kappa)


def judge(settings: Settings, ref: Reference, static: Static, result: RunResult, observed: bool = True) -> Grade:
    """The checks on what the sandbox returned; broken or hostile code scores 0 with the reason."""
    note = "" if static.function == FUNCTION else f" (the file has no {FUNCTION}(); {static.function}() was graded)"
    if result.status != "ok":  # crashed, hung, exited early
        return failed(running.clean_message(result.message) + note)
    if (tampered := tampering(result.observations.tampered)) is not None:
        return failed(tampered)
    returned = result.returned
    if not (isinstance(returned, dict) and "z" in returned):
        return failed("the submission's answer was not in the expected form")
    model = model_of(settings)
    z, shape = _shape(returned["z"], ref.x, note, result)
    parts = [shape, *_flip_and_size(settings, ref, model, z), _objective(settings, ref, model, returned),
             _x_unchanged(ref.x, returned.get("x_after"), static.writes_x),
             _model_unchanged(settings, result.state_dict),
             _optimiser_observed(settings, result, static) if observed else _optimiser_from_source(settings, static)]
    return Grade(parts)


def _check(name: str, share: float, message: str, evidence: dict[str, Any] | None = None) -> PartGrade:
    return part(name, POINTS[name], share, message, evidence)


def _shape(value: Any, x: torch.Tensor, note: str, result: RunResult) -> tuple[torch.Tensor | None, PartGrade]:
    name = "returns z of the right shape"
    output = " (the output printed was truncated)" if "output truncated" in result.stdout + result.stderr else ""
    if type(value) is not torch.Tensor:
        return None, _check(name, 0, f"adversarial() returned {type(value).__name__}, not a tensor{note}")
    shape = {"shape": list(value.shape)}
    if value.numel() != x.numel():
        return None, _check(name, 0, f"z has shape {list(value.shape)}, x has {list(x.shape)}{note}", shape)
    z = value.detach().reshape(x.shape).to(torch.float32)
    if list(value.shape) != list(x.shape):
        return z, _check(name, 0, f"z has shape {list(value.shape)}, not {list(x.shape)} as x{note}", shape)
    if not value.is_floating_point() or not torch.isfinite(value).all():
        return z, _check(name, 0, f"z is not a finite float tensor (dtype {value.dtype}){note}", shape)
    return z, _check(name, 1, f"a float tensor of shape {list(x.shape)}{note}{output}", shape)


def _flip_and_size(settings: Settings, ref: Reference, model: torch.nn.Module,
                   z: torch.Tensor | None) -> list[PartGrade]:
    if z is None:
        return [_check("decision flipped", 0, "no tensor z to judge"),
                _check("perturbation small", 0, "no tensor z to judge")]
    B = ref.x.shape[0]
    with torch.no_grad():
        score_x = (ref.t * model(ref.x)).squeeze(1)
        score_z = (ref.t * model(z)).squeeze(1)
        score_ref = (ref.t * model(ref.z)).squeeze(1)
    finite = torch.isfinite(z).all(1)
    flipped = finite & (score_z < 0)
    hit = finite & attacked(score_x, score_z, settings.kappa)
    ref_attacked = int(attacked(score_x, score_ref, settings.kappa).sum())
    share = float(hit.float().mean())
    numbers = {"inputs": B, "flipped": int(flipped.sum()), "attacked": int(hit.sum()),
               "reference_attacked": ref_attacked, "attacked_share": share}
    if torch.equal(z, ref.x):
        flip = _check("decision flipped", 0, f"z equals x on all {B} inputs: nothing was attacked "
                                            f"(the reference flips {ref_attacked}/{B})", numbers)
    else:
        boundary = f", {int((hit & ~flipped).sum())} more end on the boundary" if settings.kappa == 0 else ""
        flip = _check("decision flipped", share / FLIP_FULL,
                      f"t·f(z) < 0 on {int(flipped.sum())}/{B} inputs{boundary} "
                      f"(the reference attack: {ref_attacked}/{B}; {math.ceil(FLIP_FULL * B)} needed for full points); "
                      f"t·f(z) ranges over {_range(score_z)}", numbers)
    if not hit.any():
        return [flip, _check("perturbation small", 0, "no input was attacked, so there is no perturbation to judge")]
    mine = float((z - ref.x).norm(dim=1)[hit].mean())
    theirs = float((ref.z - ref.x).norm(dim=1)[hit].mean())
    ratio = mine / max(theirs, 1e-12)
    size = _check("perturbation small", (3.0 - ratio) / 1.4,
                  f"mean ‖x − z‖ over the {int(hit.sum())} attacked inputs is {mine:.3f}, the posed "
                  f"reference's {theirs:.3f} ({ratio:.2f}×; full points up to 1.6×, none from 3×)",
                  {"mean_distance": mine, "reference_distance": theirs, "ratio": ratio})
    return [flip, size]


def _range(values: torch.Tensor) -> str:
    finite = values[torch.isfinite(values)]
    return "no finite values" if finite.numel() == 0 else f"{float(finite.min()):.2f} … {float(finite.max()):.2f}"


def _objective(settings: Settings, ref: Reference, model: torch.nn.Module, returned: dict) -> PartGrade:
    name = "objective minimised"
    formula = f"‖x − z‖² + max(0, t·f(z){f' + {settings.kappa:g}' if settings.kappa else ''})"
    if "probe_error" in returned:
        return _check(name, 0, f"on the probe (f scaled by {ref.probe_scale:.3g}) adversarial() failed: "
                               f"{str(returned['probe_error'])[:300]}")
    pz = returned.get("probe_z")
    if type(pz) is not torch.Tensor or pz.numel() != ref.probe_x.numel():
        return _check(name, 0, "on the probe adversarial() did not return a tensor shaped like x")
    pz = pz.detach().reshape(ref.probe_x.shape).to(torch.float32)
    probe = scaled(model, ref.probe_scale)
    objective = posed_objective(ref.probe_x, pz, ref.probe_t, probe, settings.kappa)
    mean = float(objective.mean()) if torch.isfinite(objective).all() else float("inf")
    progress = round((ref.probe_start - mean) / max(ref.probe_start - ref.probe_objective, 1e-12), 3) + 0.0
    numbers = {"probe_scale": ref.probe_scale, "objective_start": ref.probe_start,
               "objective": mean if math.isfinite(mean) else None, "reference_objective": ref.probe_objective,
               "progress": max(progress, -9.99)}
    return _check(name, (progress - 0.2) / 0.5,
                  f"with f scaled by {ref.probe_scale:.3g} (the optimum of {formula} then lies before the "
                  f"boundary) the mean objective goes from {ref.probe_start:.3f} at z = x to {mean:.3f} at "
                  f"the returned z, the reference's to {ref.probe_objective:.3f}: {max(progress, -9.99):.0%} "
                  f"of its decrease (full points from 70 %, none below 20 %)", numbers)


def _x_unchanged(x: torch.Tensor, after: Any, written: str | None) -> PartGrade:
    """Awarded on a fact read here from the source (no write into x's storage), never on what the
    run reports alone: the x it sends back after the call can only take the point away."""
    name = "x not modified"
    if written is not None:
        return _check(name, 0, f"read from the source, adversarial() changed x in place: {written}; work on a "
                               f"copy: z = x.clone().detach().requires_grad_(True)", {"written_in_source": True})
    if type(after) is not torch.Tensor or after.shape != x.shape:
        return _check(name, 0, "x could not be compared after the call")
    if torch.equal(after, x):
        return _check(name, 1, "the source writes nothing into x (read here), and x was unchanged after the call",
                      {"changed_inputs": 0, "written_in_source": False})
    changed = int((after != x).any(1).sum())
    largest = float((after - x).abs().max())
    return _check(name, 0, f"adversarial() changed x in place on {changed}/{x.shape[0]} inputs "
                           f"(max change {largest:.3g}); work on a copy: z = x.clone()",
                  {"changed_inputs": changed, "max_change": largest, "written_in_source": False})


def _model_unchanged(settings: Settings, state: Any) -> PartGrade:
    name = "model unchanged"
    given = binary_classifier(settings.positive, settings.negative).spec.state_dict
    if not isinstance(state, dict) or set(state) != set(given):
        return _check(name, 0, "the model's parameters could not be compared after the call")
    changed = [k for k in given if state[k].shape != given[k].shape or not torch.equal(state[k], given[k])]
    if not changed:
        return _check(name, 1, "the model's parameters are unchanged", {"changed_tensors": 0})
    return _check(name, 0, f"the call changed the model's parameters ({', '.join(changed)}): the attack "
                           f"must optimise z, not the model", {"changed_tensors": len(changed)})


def _optimiser_observed(settings: Settings, result: RunResult, static: Static) -> PartGrade:
    """Observed in the run, and the source must agree: it calls torch's optimiser asked for and
    defines no class or function of that name (a home-made `SGD` can count any steps it likes)."""
    name = "optimiser and iterations"
    seen = result.observations
    per_call = seen.steps / 2           # the wrapper calls adversarial() twice
    used = sorted(set(seen.optimizers)) or ["none"]
    steps_ok = abs(per_call - settings.steps) <= 0.02 * settings.steps
    optimiser_ok = used == [settings.optimizer]
    evaluated = seen.forward >= seen.steps > 0
    message = (f"{', '.join(used)} with {per_call:g} steps per call observed "
               f"(asked: {settings.optimizer}, {settings.steps} iterations)")
    if seen.steps and not evaluated:
        message += f"; but the model was called only {seen.forward} times in {seen.steps} steps"
    if seen.used_sheet_alias:
        message += "; torch.nn.SGD from the sheet was read as torch.optim.SGD"
    source_ok = str(settings.optimizer) in static.optimizers and str(settings.optimizer) not in static.defines
    if not source_ok:
        message += f"; but the source does not call torch's {settings.optimizer} (or defines its own)"
    return _check(name, 1.0 if steps_ok and optimiser_ok and evaluated and source_ok else 0.0, message,
                  {"steps_per_call": per_call, "forward_calls": seen.forward})


def _optimiser_from_source(settings: Settings, static: Static) -> PartGrade:
    name = "optimiser and iterations"
    optimiser_ok = static.optimizers == {settings.optimizer}
    steps_ok = settings.steps in static.ranges
    found = ", ".join(sorted(static.optimizers)) or "no optimiser"
    return _check(name, 1.0 if optimiser_ok and steps_ok else 0.0,
                  f"from the source: {found}, loop bound {settings.steps} {'found' if steps_ok else 'not found'} "
                  f"(asked: {settings.optimizer}, {settings.steps} iterations)")
