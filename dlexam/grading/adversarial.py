"""Grading exam task 5(a), the adversarial attack, by its behaviour.

The student's `adversarial(x, t, model)` runs in the sandbox, called twice by a small wrapper
appended to the file: once on B test digits with the grader's binary classifier f, once on a
"probe": a few of the same digits with f scaled down, so that the posed objective
‖x − z‖² + max(0, t·f(z) + κ) has its minimum *before* the boundary — only there do a missing
distance term, a mean instead of a sum or a wrong norm show in the result. Everything is then
judged here, outside, with the grader's own clean model and data; what the sandbox's hooks
observed (optimiser, steps) can be faked and is worth one point only.

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
                                   step (observed; from the source when the run timed out)
A file that does not parse or crashes gets every check at 0 and `error` set; a run that times out
keeps the point of the static check.
"""

from __future__ import annotations

import ast
import difflib
import math
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache

import torch

from dlexam.engines.sandbox import Job, RunResult, SandboxPool, run_fresh
from dlexam.grading import report
from dlexam.grading.report import Check, CodeGrade
from dlexam.solutions.attack import posed_attack, posed_objective
from dlexam.solutions.classifier import binary_classifier

TASK = "adversarial"
FUNCTION = "adversarial"
POINTS = {"returns z of the right shape": 1.0, "decision flipped": 3.0, "perturbation small": 1.0,
          "objective minimised": 2.0, "x not modified": 1.0, "model unchanged": 1.0,
          "optimiser and iterations": 1.0}
BOUNDARY_SHARE = 0.1     # with κ = 0, t·f(z) ≤ 10 % of t·f(x) counts as reaching the boundary
FLIP_FULL = 0.9          # share of inputs attacked for full points
PROBE_RATIO = 0.3        # the probe's ‖∇f‖² / (2·t·f(x)): its optimum lies 30 % of the way
DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Settings:
    """What the task asks for; the exam's own: digits 3 vs 8, SGD, 1000 iterations, κ = 0."""

    positive: int = 3
    negative: int = 8
    steps: int = 1000
    optimizer: str = "SGD"
    kappa: float = 0.0
    count: int = 16          # B, the test digits attacked
    probe_count: int = 6


EXAM = Settings()


@dataclass(frozen=True)
class Reference:
    x: torch.Tensor
    t: torch.Tensor
    z: torch.Tensor            # the posed reference attack on x
    probe_x: torch.Tensor
    probe_t: torch.Tensor
    probe_scale: float
    probe_objective: float     # mean posed objective of the reference on the probe
    probe_start: float         # the same at z = x


def settings_for(seed: int | None) -> Settings:
    """The exam's settings, or those of the family's variant `seed`."""
    if seed is None:
        return EXAM
    from dlexam.tasks.registry import family
    return family(TASK).settings(family(TASK).generate(seed))


def candidates(settings: Settings, count: int) -> tuple[torch.Tensor, torch.Tensor]:
    """`count` correctly classified test digits, the two classes alternating; t as B×1."""
    classifier = binary_classifier(settings.positive, settings.negative)
    model = classifier.build()
    x, t = torch.from_numpy(classifier.x_test), torch.from_numpy(classifier.t_test)
    with torch.no_grad():
        right = (t * model(x).squeeze(1)) > 0
    positive = torch.nonzero(right & (t > 0)).squeeze(1).tolist()
    negative = torch.nonzero(right & (t < 0)).squeeze(1).tolist()
    order = [i for pair in zip(positive, negative) for i in pair][:count]
    return x[order].clone(), t[order, None].clone()


def attacked(score_x: torch.Tensor, score_z: torch.Tensor, kappa: float) -> torch.Tensor:
    """Inputs whose decision is flipped, or (κ = 0) that end on the boundary: t·f(z) ≤ 10 % of t·f(x)."""
    tolerance = BOUNDARY_SHARE * score_x if kappa == 0 else torch.zeros_like(score_x)
    return torch.isfinite(score_z) & (score_z <= tolerance)


def scaled(model: torch.nn.Module, scale: float) -> torch.nn.Module:
    """f·scale as a model (the probe's), built the same way inside the sandbox's wrapper."""
    last = torch.nn.Linear(1, 1, bias=False)
    last.weight.data.fill_(scale)
    return torch.nn.Sequential(model, last).requires_grad_(False)


def probe_scale(model: torch.nn.Module, x: torch.Tensor, t: torch.Tensor, kappa: float = 0.0) -> float:
    """The factor s for which ‖∇(s·f)‖² / (2·(t·s·f + κ)) has median PROBE_RATIO on these inputs.

    For a linear f the objective's minimiser then lies a fraction PROBE_RATIO of the way to the
    hinge's kink, so the distance term decides where z ends (s solves s²g² = 2r(s·f + κ)).
    """
    xg = x.clone().requires_grad_(True)
    score = (t * model(xg)).squeeze(1)
    (slope,) = torch.autograd.grad(score.sum(), xg)
    g2, f, r = slope.norm(dim=1) ** 2, score.detach(), PROBE_RATIO
    scales = (r * f + torch.sqrt((r * f) ** 2 + 2 * r * kappa * g2)) / g2
    return float(scales.median())


_reference_lock = threading.Lock()


def reference(settings: Settings) -> Reference:
    """The posed attack on test digits; only digits it succeeds on are used (B of them).

    Computed once per settings (a fraction of a second to seconds) and cached; thread-safe, as
    `grade-code` grades several files in parallel.
    """
    with _reference_lock:
        return _reference(settings)


@lru_cache(maxsize=64)
def _reference(settings: Settings) -> Reference:
    model = binary_classifier(settings.positive, settings.negative).build()
    x, t = candidates(settings, 3 * settings.count)
    kwargs = {"steps": settings.steps, "optimizer": settings.optimizer, "kappa": settings.kappa}
    with _threads(1):
        z = posed_attack(x, t, model, **kwargs)
        with torch.no_grad():
            ok = attacked((t * model(x)).squeeze(1), (t * model(z)).squeeze(1), settings.kappa)
        keep = torch.nonzero(ok).squeeze(1)[: settings.count]
        x, t, z = x[keep].clone(), t[keep].clone(), z[keep].clone()
        px, pt = x[: settings.probe_count].clone(), t[: settings.probe_count].clone()
        scale = probe_scale(model, px, pt, settings.kappa)
        probe = scaled(model, scale)
        pz = posed_attack(px, pt, probe, **kwargs)
    objective = float(posed_objective(px, pz, pt, probe, settings.kappa).mean())
    start = float(posed_objective(px, px, pt, probe, settings.kappa).mean())
    return Reference(x, t, z, px, pt, scale, objective, start)


@contextmanager
def _threads(n: int):
    """Run tiny tensor code on n threads (one is faster, and leaves the cores to the sandboxes)."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


# ---------------------------------------------------------------- running the submission
WRAPPER = '''


def _dlexam_call(x, t, model, px, pt, probe_scale):
    import copy as _dlexam_copy
    import torch as _dlexam_torch
    _dlexam_probe = _dlexam_copy.deepcopy(model)
    _dlexam_last = _dlexam_torch.nn.Linear(1, 1, bias=False)
    _dlexam_last.weight.data.fill_(float(probe_scale))
    _dlexam_probe = _dlexam_torch.nn.Sequential(_dlexam_probe, _dlexam_last)
    _dlexam_z = {name}(x, t, model)
    _dlexam_out = {{"z": _dlexam_z, "x_after": x}}
    try:
        _dlexam_out["probe_z"] = {name}(px, pt, _dlexam_probe)
    except Exception as _dlexam_error:
        _dlexam_out["probe_error"] = type(_dlexam_error).__name__ + ": " + str(_dlexam_error)
    return _dlexam_out
'''
CALL = "_dlexam_call"


@dataclass
class Static:
    """What the source says, read with `ast` (never run)."""

    function: str | None       # the function to call: adversarial, or a near-miss spelling
    optimizers: set[str]       # names of called optimisers, e.g. {"SGD"}
    ranges: set[int]           # constant loop bounds: range(N), while i < N


OPTIMIZERS = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "LBFGS", "NAdam", "RAdam", "Adamax"}


def read_source(source: str) -> Static:
    """Raise SyntaxError for a file that does not parse."""
    tree = ast.parse(source)
    functions = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    function = FUNCTION if FUNCTION in functions else next(
        iter(difflib.get_close_matches(FUNCTION, functions, n=1, cutoff=0.8)), None)
    optimizers, ranges = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in OPTIMIZERS:
                optimizers.add(name)
            if name == "range" and node.args:
                bound = node.args[1] if len(node.args) > 1 else node.args[0]
                if isinstance(bound, ast.Constant) and type(bound.value) is int:
                    ranges.add(bound.value)
        if isinstance(node, ast.Compare) and all(isinstance(c, ast.Constant) and type(c.value) is int
                                                  for c in node.comparators):
            ranges |= {c.value for c in node.comparators}
    return Static(function, optimizers, ranges)


Runner = Callable[[str, Job, float], RunResult]


def job_for(settings: Settings) -> tuple[Job, Reference]:
    ref = reference(settings)
    spec = binary_classifier(settings.positive, settings.negative).spec
    job = Job(CALL, ("x", "t", "model", "px", "pt", "probe_scale"),
              {"x": ref.x.clone(), "t": ref.t.clone(), "px": ref.probe_x.clone(), "pt": ref.probe_t.clone(),
               "probe_scale": ref.probe_scale},
              spec, return_state=True)
    return job, ref


def run_trusted(source: str, job: Job, timeout: float = DEFAULT_TIMEOUT) -> RunResult:
    """Run code the project itself wrote (the family's reference and its perturbations) in-process.

    Only for byte-identical sources of our own: it skips the sandbox's start-up (seconds) but
    also its hooks, so the optimiser check falls back to reading the source. No time limit.
    """
    module: dict = {"__name__": "submission"}
    model = job.model.build()
    args = [model if name == "model" else (v.clone() if isinstance(v := job.tensors[name], torch.Tensor) else v)
            for name in job.args]
    with _threads(1):
        exec(compile(source, "submission.py", "exec"), module)  # noqa: S102 - our own code only
        returned = module[job.function](*args)
    plain = {k: v.detach().clone() if isinstance(v, torch.Tensor) else v for k, v in returned.items()}
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    return RunResult("ok", "ran in-process (trusted reference code)", returned=plain, state_dict=state)


def grade(task: str, source: str, file: str, seed: int | None, pool: SandboxPool | None,
          timeout: float = DEFAULT_TIMEOUT) -> CodeGrade:
    """Grade one student file for task 5(a) (`grade-code adversarial FILE [--seed N]`).

    Without `seed` the exam's settings apply, with it those of the family's variant `seed`.
    `pool` None runs the file in a fresh sandbox (seconds slower than a warm pool).
    """
    if task != TASK:
        raise ValueError(f"this grader is for {TASK!r}, not {task!r}")
    return grade_source(source, file, settings_for(seed), pool, timeout)


def grade_source(source: str, file: str, settings: Settings = EXAM, pool: SandboxPool | None = None,
                 timeout: float = DEFAULT_TIMEOUT, runner: Runner | None = None) -> CodeGrade:
    """`grade` for given settings; `runner` replaces the sandbox (only `run_trusted`, for our own code)."""
    try:
        static = read_source(source)
    except SyntaxError as exc:
        return failed(file, f"the file does not parse: {exc.msg} (line {exc.lineno})")
    except ValueError as exc:  # e.g. null bytes in the source
        return failed(file, f"the file does not parse: {exc}")
    if static.function is None:
        return failed(file, f"the file defines no function {FUNCTION}(x, t, model)")
    job, ref = job_for(settings)
    wrapped = source + WRAPPER.format(name=static.function)
    if runner is None:
        runner = pool.run if pool is not None else run_fresh
    result = runner(wrapped, job, timeout)
    if result.status == "killed":  # once more: under memory pressure the host may kill a sandbox
        result = runner(wrapped, job, timeout)
    observed = runner is not run_trusted
    return judge(file, settings, ref, static, result, observed)


def unreadable(task: str, file: str, error: str, seed: int | None = None) -> CodeGrade:
    """A file that could not even be read (the command's side of "scores 0 with an error")."""
    return failed(file, error)


def failed(file: str, error: str) -> CodeGrade:
    """Every check listed at 0 points, so max_score stays 10."""
    return report.failed(TASK, file, error, POINTS)


def _clean_message(message: str) -> str:
    """One line: the first of the exception's message, the wrapper's name replaced."""
    first = message.replace(f"{CALL}()", f"{FUNCTION}()").strip().splitlines()[0] if message.strip() else message
    return first[:300].rstrip(" :,")


# ---------------------------------------------------------------- judging the result
def judge(file: str, settings: Settings, ref: Reference, static: Static, result: RunResult,
          observed: bool = True) -> CodeGrade:
    note = "" if static.function == FUNCTION else f" (the file has no {FUNCTION}(); {static.function}() was graded)"
    if result.status != "ok":  # crashed, hung, exited early: hostile or broken code scores 0
        return failed(file, _clean_message(result.message) + note)
    if (tampered := report.tampering(result.observations.tampered)) is not None:
        return failed(file, tampered)
    returned = result.returned
    if not (isinstance(returned, dict) and "z" in returned):
        return failed(file, "the submission's answer was not in the expected form")
    model = binary_classifier(settings.positive, settings.negative).build()
    z, shape_check = _shape(returned["z"], ref.x, note, result)
    checks = [shape_check]
    checks += _flip_and_size(settings, ref, model, z)
    checks.append(_objective(settings, ref, model, returned))
    checks.append(_x_unchanged(ref.x, returned.get("x_after")))
    checks.append(_model_unchanged(settings, result.state_dict))
    if observed:
        checks.append(_optimiser_observed(settings, result))
    else:
        checks.append(_optimiser_from_source(settings, static))
    return CodeGrade(TASK, file, checks)


def _check(name: str, share: float, message: str) -> Check:
    share = min(1.0, max(0.0, share))
    return Check(name, share >= 1.0, round(POINTS[name] * share, 2), POINTS[name], message)


def _shape(value, x: torch.Tensor, note: str, result: RunResult) -> tuple[torch.Tensor | None, Check]:
    name = "returns z of the right shape"
    output = " (the output printed was truncated)" if "output truncated" in result.stdout + result.stderr else ""
    if type(value) is not torch.Tensor:
        return None, _check(name, 0, f"adversarial() returned {type(value).__name__}, not a tensor{note}")
    if value.numel() != x.numel():
        return None, _check(name, 0, f"z has shape {list(value.shape)}, x has {list(x.shape)}{note}")
    z = value.detach().reshape(x.shape).to(torch.float32)
    if list(value.shape) != list(x.shape):
        return z, _check(name, 0, f"z has shape {list(value.shape)}, not {list(x.shape)} as x{note}")
    if not value.is_floating_point() or not torch.isfinite(value).all():
        return z, _check(name, 0, f"z is not a finite float tensor (dtype {value.dtype}){note}")
    return z, _check(name, 1, f"a float tensor of shape {list(x.shape)}{note}{output}")


def _flip_and_size(settings: Settings, ref: Reference, model, z: torch.Tensor | None) -> list[Check]:
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
    if torch.equal(z, ref.x):
        flip = _check("decision flipped", 0, f"z equals x on all {B} inputs: nothing was attacked "
                                            f"(the reference flips {ref_attacked}/{B})")
    else:
        boundary = f", {int((hit & ~flipped).sum())} more end on the boundary" if settings.kappa == 0 else ""
        flip = _check("decision flipped", share / FLIP_FULL,
                      f"t·f(z) < 0 on {int(flipped.sum())}/{B} inputs{boundary} "
                      f"(the reference attack: {ref_attacked}/{B}; {math.ceil(FLIP_FULL * B)} needed for full points); "
                      f"t·f(z) ranges over {_range(score_z)}")
    if not hit.any():
        return [flip, _check("perturbation small", 0, "no input was attacked, so there is no perturbation to judge")]
    mine = float((z - ref.x).norm(dim=1)[hit].mean())
    theirs = float((ref.z - ref.x).norm(dim=1)[hit].mean())
    ratio = mine / max(theirs, 1e-12)
    size = _check("perturbation small", (3.0 - ratio) / 1.4,
                  f"mean ‖x − z‖ over the {int(hit.sum())} attacked inputs is {mine:.3f}, the posed "
                  f"reference's {theirs:.3f} ({ratio:.2f}×; full points up to 1.6×, none from 3×)")
    return [flip, size]


def _range(values: torch.Tensor) -> str:
    finite = values[torch.isfinite(values)]
    return "no finite values" if finite.numel() == 0 else f"{float(finite.min()):.2f} … {float(finite.max()):.2f}"


def _objective(settings: Settings, ref: Reference, model, returned: dict) -> Check:
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
    return _check(name, (progress - 0.2) / 0.5,
                  f"with f scaled by {ref.probe_scale:.3g} (the optimum of {formula} then lies before the "
                  f"boundary) the mean objective goes from {ref.probe_start:.3f} at z = x to {mean:.3f} at "
                  f"the returned z, the reference's to {ref.probe_objective:.3f}: {max(progress, -9.99):.0%} "
                  f"of its decrease (full points from 70 %, none below 20 %)")


def _x_unchanged(x: torch.Tensor, after) -> Check:
    name = "x not modified"
    if type(after) is not torch.Tensor or after.shape != x.shape:
        return _check(name, 0, "x could not be compared after the call")
    if torch.equal(after, x):
        return _check(name, 1, "x is unchanged after the call")
    changed = int((after != x).any(1).sum())
    return _check(name, 0, f"adversarial() changed x in place on {changed}/{x.shape[0]} inputs "
                           f"(max change {float((after - x).abs().max()):.3g}); work on a copy: z = x.clone()")


def _model_unchanged(settings: Settings, state) -> Check:
    name = "model unchanged"
    given = binary_classifier(settings.positive, settings.negative).spec.state_dict
    if not isinstance(state, dict) or set(state) != set(given):
        return _check(name, 0, "the model's parameters could not be compared after the call")
    changed = [k for k in given if state[k].shape != given[k].shape or not torch.equal(state[k], given[k])]
    if not changed:
        return _check(name, 1, "the model's parameters are unchanged")
    return _check(name, 0, f"the call changed the model's parameters ({', '.join(changed)}): the attack "
                           f"must optimise z, not the model")


def _optimiser_observed(settings: Settings, result: RunResult) -> Check:
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
    return _check(name, 1.0 if steps_ok and optimiser_ok and evaluated else 0.0, message)


def _optimiser_from_source(settings: Settings, static: Static) -> Check:
    name = "optimiser and iterations"
    optimiser_ok = static.optimizers == {settings.optimizer}
    steps_ok = settings.steps in static.ranges
    found = ", ".join(sorted(static.optimizers)) or "no optimiser"
    return _check(name, 1.0 if optimiser_ok and steps_ok else 0.0,
                  f"from the source: {found}, loop bound {settings.steps} {'found' if steps_ok else 'not found'} "
                  f"(asked: {settings.optimizer}, {settings.steps} iterations)")
