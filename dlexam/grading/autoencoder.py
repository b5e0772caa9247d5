"""Grading exam task 5(b), `train(X, model)` for colorize and inpaint, by its behaviour.

    grade("colorize", source, "student.py", seed=None, pool=pool) -> CodeGrade

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

Observations (calls, losses, lr) come from hooks inside the sandbox and could be faked by
hostile code; the points that matter most (loss falls, beats baseline, the input fingerprint's
reference value) are recomputed here from the returned weights and the grader's own data.

A file that does not parse, or whose train() crashes, gets `error` set and every check 0,
as the command-line contract fixes (the seed's `loss_fn(out, out, X)` crashes with a
TypeError: 0 points, and the error says why). A train() that hangs fails the checks that
need its result, with "did not finish" as the reason.
"""

from __future__ import annotations

import ast
import concurrent.futures
import math
from dataclasses import dataclass, replace
from functools import lru_cache

import torch

from dlexam.grading import report
from dlexam.grading.report import Check, CodeGrade
from dlexam.solutions.autoencoder import grader_model, grey, mask_square, square_start

TASKS = ("colorize", "inpaint")
CHECK_SECONDS = 20.0           # time limit of each check run here (outside the sandbox)
LUMINANCE = (0.299, 0.587, 0.114)


@dataclass(frozen=True)
class Settings:
    """What the task asks (iterations, lr, mask) and what the grader chooses (data, model)."""

    task: str
    iterations: int = 1000
    lr: float = 0.004
    mask: int = 16                    # inpaint: side of the zeroed square
    offset: tuple[int, int] = (0, 0)  # inpaint: shift of the square from the centre (rows, cols)
    n_images: int = 32                # grader's training crops
    size: int = 16                    # grader's crop size S
    n_test: int = 64                  # held-out crops, from photos never trained on
    hidden: int = 4                   # learned feature channels of the grader's model
    seed: int = 0                     # data, model and torch seed
    timeout: float | None = None      # sandbox wall limit; None: from the amount of work

    def time_limit(self) -> float:
        if self.timeout is not None:
            return self.timeout
        work = self.iterations * self.n_images * self.size ** 2 * (3 + self.hidden) ** 2
        return 8.0 + work * 2.5e-8

    @property
    def input_name(self) -> str:
        return "grey input" if self.task == "colorize" else "mask"


def exam_settings(task: str) -> Settings:
    """The exam's own task: SGD, 1000 iterations, lr 0.004, a centred 16×16 square."""
    _check_task(task)
    return Settings(task) if task == "colorize" else Settings(task, size=24, n_images=24)


def settings_for(task: str, seed: int | None) -> Settings:
    """Exam settings without a seed; with one, the task family's variant for that seed."""
    if seed is None:
        return exam_settings(task)
    from dlexam.tasks.autoencoder import family_for, settings_of

    return settings_of(family_for(task).generate(seed))


def grade(task: str, source: str, file: str, seed: int | None = None, pool=None) -> CodeGrade:
    """Grade one submission; `pool` is a SandboxPool, or None for a fresh sandbox."""
    return grade_with(settings_for(task, seed), source, file, pool)


def grade_with(settings: Settings, source: str, file: str, pool=None) -> CodeGrade:
    from dlexam.engines.sandbox import Job, ModelSpec, run_fresh

    task = settings.task
    _check_task(task)
    try:
        ast.parse(source)
    except SyntaxError as exc:
        return _failed(settings, file, f"the file does not parse: {exc.msg} (line {exc.lineno})")
    X, _ = _data(settings)
    layers, state = _model_state(settings)
    job = Job("train", ("X", "model"), {"X": X.clone()}, ModelSpec(layers, state),
              return_state=True, seed=settings.seed)
    run = (pool.run if pool is not None else run_fresh)(source, job, timeout=settings.time_limit())
    if not run.ok:
        return _failed(settings, file, run.message)
    if (tampered := report.tampering(run.observations.tampered)) is not None:
        return _failed(settings, file, tampered)
    trained = _load_state(settings, run.state_dict)
    if trained is None:
        return _failed(settings, file, "train() returned, but the model sent back does not fit "
                                               "the grader's model (its parameters were replaced)")
    return CodeGrade(task, file, _checks(settings, run, trained))


# ---------------------------------------------------------------- data and model
def _check_task(task: str) -> None:
    if task not in TASKS:
        raise ValueError(f"unknown autoencoder task {task!r}")


@lru_cache(maxsize=16)
def _data(settings: Settings) -> tuple[torch.Tensor, torch.Tensor]:
    """(training crops, held-out crops from other photos), N×3×S×S in [0, 1]."""
    from dlexam.solutions.data import image_crops

    s = settings
    X = torch.from_numpy(image_crops(s.n_images, s.size, "train", seed=s.seed))
    X_test = torch.from_numpy(image_crops(s.n_test, s.size, "test", seed=s.seed + 1))
    return X, X_test


@lru_cache(maxsize=16)
def _model_state(settings: Settings) -> tuple[list, dict]:
    return grader_model(settings.task, settings.hidden, settings.seed)


def _model(settings: Settings, state: dict | None = None) -> torch.nn.Module:
    from dlexam.engines.sandbox import build_model

    layers, initial = _model_state(settings)
    model = build_model(layers)
    model.load_state_dict(initial if state is None else state)
    return model.eval()


def _load_state(settings: Settings, state: dict | None) -> torch.nn.Module | None:
    _, initial = _model_state(settings)
    if not state or set(state) != set(initial) or any(state[k].shape != v.shape for k, v in initial.items()):
        return None
    return _model(settings, {k: v.to(torch.float32) for k, v in state.items()})


def task_input(settings: Settings, X: torch.Tensor) -> torch.Tensor:
    """What the model is trained from: the grey images or the masked ones."""
    return grey(X) if settings.task == "colorize" else mask_square(X, settings.mask, settings.offset)


def _mse(model: torch.nn.Module, inputs: torch.Tensor, target: torch.Tensor) -> float:
    with torch.no_grad():
        return float(torch.nn.functional.mse_loss(model(inputs), target))


# ---------------------------------------------------------------- the checks
MAX_POINTS = {"runs": 1, "input": 2, "zero_grad": 2, "lr": 1, "iterations": 1, "loss falls": 1,
              "beats baseline": 2}


def _names(settings: Settings) -> dict[str, str]:
    return {"runs": "runs", "input": settings.input_name, "zero_grad": "zero_grad", "lr": "SGD and lr",
            "iterations": "iterations", "loss falls": "loss falls", "beats baseline": "beats baseline"}


def _checks(settings: Settings, run, trained: torch.nn.Module) -> list[Check]:
    judges = {"runs": _runs, "input": _input, "zero_grad": _zero_grad, "lr": _lr,
              "iterations": _iterations, "loss falls": _loss_falls, "beats baseline": _beats_baseline}
    names = _names(settings)
    return [_timed(names[key], MAX_POINTS[key], judges[key], settings, run, trained) for key in judges]


def _timed(name: str, max_points: float, judge, *args) -> Check:
    """Run one judge with a time limit, so the other checks' credit survives a hang here."""
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        fraction, message = pool.submit(judge, *args).result(timeout=CHECK_SECONDS)
    except concurrent.futures.TimeoutError:
        fraction, message = 0.0, f"this check did not finish within {CHECK_SECONDS:g} s"
    except Exception as exc:  # noqa: BLE001 - e.g. weights full of NaN making a check fail oddly
        fraction, message = 0.0, f"this check could not be judged ({type(exc).__name__}: {exc})"
    finally:
        pool.shutdown(wait=False)
    return Check(name, fraction >= 1.0, round(max_points * fraction, 2), max_points, message)


def _runs(settings: Settings, run, trained) -> tuple[float, str]:
    initial = _model(settings)
    moved = max(float((a - b).abs().max()) for a, b in zip(trained.state_dict().values(),
                                                          initial.state_dict().values()))
    out = run.stdout
    printed = (f" It printed {out.rsplit(' bytes in all', 1)[0].rsplit(' ', 1)[-1]} bytes (kept the first "
               f"{len(out.split(chr(10) + '[... output truncated')[0])})." if "[... output truncated" in out else "")
    head = f"train() finished in {run.call_seconds:.1f} s with {run.observations.steps} optimizer steps"
    if run.observations.steps == 0:
        return 0.0, f"train() finished in {run.call_seconds:.1f} s, but no optimizer step was taken.{printed}"
    if not math.isfinite(moved):
        return 1.0, f"{head}, but the weights became NaN or infinite.{printed}"
    if moved == 0:
        return 1.0, f"{head}, but the model's weights did not change.{printed}"
    return 1.0, f"{head} and changed the model's weights in place.{printed}"


def _input(settings: Settings, run, trained) -> tuple[float, str]:
    """Compare the first loss seen with the loss the exam's input gives at the start."""
    X, _ = _data(settings)
    expected = _mse(_model(settings), task_input(settings, X), X)
    losses = run.observations.losses
    if not losses:
        model, baseline, _ = _held_out(settings, trained)
        ok = model < baseline
        return float(ok), ("no loss.backward() was seen, so the input was judged by the trained model alone: "
                           + ("it beats the baseline." if ok else "it does not beat the baseline."))
    first = losses[0]
    if _close(first, expected):
        what = "grey = mean over RGB" if settings.task == "colorize" else _square_text(settings, settings.mask,
                                                                                      settings.offset)
        return 1.0, f"the first loss {first:.6f} equals the exam's loss at the start ({what}): right input."
    if settings.task == "colorize":
        return _colorize_input_mistake(settings, first, expected)
    return 0.0, _mask_mistake(settings, first, expected)


def _colorize_input_mistake(settings: Settings, first: float, expected: float) -> tuple[float, str]:
    X, _ = _data(settings)
    weights = torch.tensor(LUMINANCE).view(1, 3, 1, 1)
    luminance = _mse(_model(settings), (X * weights).sum(dim=1, keepdim=True), X)
    if _close(first, luminance):
        return 0.5, (f"the first loss {first:.6f} is that of grey by luminance weights {LUMINANCE} "
                     f"({luminance:.6f}); the exam defines grey as the mean over RGB ({expected:.6f}).")
    total = _mse(_model(settings), X.sum(dim=1, keepdim=True), X)
    hint = (" — the sum over RGB, not the mean." if _close(first, total) else
            " — the model was not trained from grey = mean over RGB against the colour images.")
    return 0.0, f"the first loss was {first:.6f}; the exam's loss at the start is {expected:.6f}{hint}"


def _mask_mistake(settings: Settings, first: float, expected: float) -> str:
    X, _ = _data(settings)
    if abs(first) < 1e-12:
        return (f"the first loss was 0: the model was given the complete images, no square was zeroed "
                f"(or it was zeroed in X itself, so the target lost the true pixels too: clone X first); "
                f"the exam's loss at the start is {expected:.6f}.")
    found = _find_square(X, first, settings.size)
    where = (f"; it matches {_square_text(settings, found[0], (found[1], found[2]))}" if found else
             "; it matches no zeroed square of the images")
    return (f"the first loss was {first:.6f}, but zeroing {_square_text(settings, settings.mask, settings.offset)} "
            f"gives {expected:.6f}{where}.")


def _find_square(X: torch.Tensor, loss: float, size: int) -> tuple[int, int, int] | None:
    """(side, row offset, col offset) of a zeroed square whose start loss is `loss`.

    The grader's untrained model is the identity, so that loss is the squared image values
    inside the square divided by the number of elements: summed areas find it quickly.
    """
    energy = torch.nn.functional.pad((X.double() ** 2).sum(dim=(0, 1)).cumsum(0).cumsum(1), (1, 0, 1, 0))
    total = X.numel()
    for side in range(1, size + 1):
        for row in range(size - side + 1):
            for col in range(size - side + 1):
                inside = (energy[row + side, col + side] - energy[row, col + side]
                          - energy[row + side, col] + energy[row, col])
                if _close(loss, float(inside) / total):
                    centre = square_start(size, side)
                    return side, row - centre[0], col - centre[1]
    return None


def _square_text(settings: Settings, side: int, offset: tuple[int, int]) -> str:
    row, col = square_start(settings.size, side, offset)
    place = "centred" if offset == (0, 0) else f"shifted by {offset} from the centre"
    return f"the {side}×{side} square {place} (rows {row}:{row + side}, columns {col}:{col + side} of {settings.size})"


def _close(a: float, b: float) -> bool:
    return math.isfinite(a) and abs(a - b) <= 1e-4 * abs(b) + 1e-9


def _zero_grad(settings: Settings, run, trained) -> tuple[float, str]:
    """Before the backward() whose gradient each step uses, the gradients must have been reset."""
    seen = run.observations
    segments = seen.events.split("S")[: seen.steps]
    if not segments:
        return 0.0, "no optimizer step was seen, so gradients were never used."
    bad = 0
    for index, segment in enumerate(segments):
        last_zero, last_backward = max(segment.rfind("Z"), segment.rfind("z")), segment.rfind("B")
        if last_zero > last_backward or (index and last_zero < 0):
            bad += 1
    calls = seen.zero_grad + seen.module_zero_grad
    if bad == 0:
        return 1.0, f"gradients were reset before every backward ({calls} zero_grad calls, {seen.steps} steps)."
    if calls == 0:
        return 0.0, (f"zero_grad() was never called in {seen.steps} steps: the gradients of all earlier "
                     f"iterations pile up in every step.")
    return 0.0, (f"{bad} of {len(segments)} steps used gradients that were not reset just before their "
                 f"backward() ({calls} zero_grad calls; zero_grad after backward() wipes the gradient).")


def _lr(settings: Settings, run, trained) -> tuple[float, str]:
    seen = run.observations
    names = sorted(set(seen.optimizers)) or ["none"]
    if not seen.lrs:
        return 0.0, f"no optimizer step was seen (optimizers created: {', '.join(names)})."
    wrong = [lr for lr in seen.lrs if not abs(lr - settings.lr) <= 1e-9 + 1e-6 * settings.lr]
    if names != ["SGD"]:
        return 0.0, f"the task asks for SGD, the optimizer used was {', '.join(names)}."
    if wrong:
        return 0.0, f"the learning rate was {wrong[0]:g} in {len(wrong)} of {len(seen.lrs)} steps; the task asks for {settings.lr:g}."
    return 1.0, f"SGD with lr {settings.lr:g} in all {len(seen.lrs)} steps."


def _iterations(settings: Settings, run, trained) -> tuple[float, str]:
    steps = run.observations.steps
    if abs(steps - settings.iterations) <= 0.01 * settings.iterations:
        return 1.0, f"{steps} optimizer steps (the task asks for {settings.iterations})."
    return 0.0, f"{steps} optimizer steps; the task asks for {settings.iterations} iterations."


def _loss_falls(settings: Settings, run, trained) -> tuple[float, str]:
    """Recomputed on the exam's input; if the student trained from another input, their own
    objective is judged from the losses seen, so one input mistake is not charged twice."""
    X, _ = _data(settings)
    inputs = task_input(settings, X)
    start, end = _mse(_model(settings), inputs, X), _mse(trained, inputs, X)
    seen = run.observations.losses
    if seen and not _close(seen[0], start):
        first, last = seen[0], seen[-1]
        text = (f"the loss of your own training (input differs from the exam's) went from {first:.6f} "
                f"to {last:.6f} in the steps seen")
        if math.isfinite(last) and last < 0.9 * first:
            return 1.0, f"{text}: it fell by {100 * (1 - last / first):.0f}%."
        return 0.0, f"{text}: it did not fall by 10% or more."
    told = f" (losses seen: first {seen[0]:.6f}, last {seen[-1]:.6f})" if seen else ""
    text = f"the training MSE with the returned weights is {end:.6f}, at the start {start:.6f}{told}"
    if math.isfinite(end) and end < 0.9 * start:
        return 1.0, f"{text}: it fell by {100 * (1 - end / start):.0f}%."
    return 0.0, f"{text}: it did not fall by 10% or more."


def _held_out(settings: Settings, trained) -> tuple[float, float, float]:
    """(model's MSE, baseline MSE, mean-fill MSE) on held-out crops; inpaint: inside the square."""
    _, X_test = _data(settings)
    inputs = task_input(settings, X_test)
    with torch.no_grad():
        out = trained(inputs)
    if settings.task == "colorize":
        baseline = inputs.expand_as(X_test)
        mean = baseline + (X_test.mean(dim=(0, 2, 3), keepdim=True) - X_test.mean()).expand_as(X_test)
        return tuple(float(torch.nn.functional.mse_loss(o, X_test)) for o in (out, baseline, mean))
    row, col = square_start(settings.size, settings.mask, settings.offset)
    hole = (slice(None), slice(None), slice(row, row + settings.mask), slice(col, col + settings.mask))
    truth = X_test[hole]
    visible = inputs.sum(dim=(2, 3), keepdim=True) / (settings.size ** 2 - settings.mask ** 2)
    mean = visible.expand_as(truth)
    return tuple(float(torch.nn.functional.mse_loss(o, truth)) for o in (out[hole], torch.zeros_like(truth), mean))


def _beats_baseline(settings: Settings, run, trained) -> tuple[float, str]:
    model, baseline, mean = _held_out(settings, trained)
    if settings.task == "colorize":
        text = (f"on {settings.n_test} held-out crops the MSE is {model:.5f}; the grey copy gives {baseline:.5f} "
                f"(a grey copy tinted by the average colour {mean:.5f})")
    else:
        text = (f"on {settings.n_test} held-out crops the MSE inside the square is {model:.5f}; a zero fill gives "
                f"{baseline:.5f} (each image's mean colour {mean:.5f})")
    if not math.isfinite(model):
        return 0.0, f"{text}: the trained model's output is not finite."
    if model <= 0.95 * baseline:
        return 1.0, f"{text}: {100 * (1 - model / baseline):.0f}% better than the baseline."
    if model < baseline:
        return 0.5, f"{text}: better than the baseline, but by less than 5%."
    return 0.0, f"{text}: not better than the trivial baseline."


# ---------------------------------------------------------------- failed runs
def unreadable(task: str, file: str, error: str, seed: int | None = None) -> CodeGrade:
    """A file that could not even be read: every check 0, with the reason."""
    return _failed(settings_for(task, seed), file, error)


def _failed(settings: Settings, file: str, error: str) -> CodeGrade:
    """A file that does not parse or crashes: every check 0, with the error as the reason."""
    names = _names(settings)
    return report.failed(settings.task, file, error, {names[key]: points for key, points in MAX_POINTS.items()})


def read_input(settings: Settings, source: str) -> tuple[float, str]:
    """The input lines read from the source: 1 when they make the asked grey input / mask."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return 0.0, "the file does not parse."
    train = next((n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name == "train"), None)
    if train is None or not train.args.args:
        return 0.0, "there is no train(X, model) function."
    x_name = train.args.args[0].arg
    if settings.task == "colorize":
        for node in ast.walk(train):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "mean"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == x_name
                    and _is_one(node)):
                return 1.0, f"`{ast.unparse(node)}` is the grey input (mean over RGB)."
        return 0.0, "no grey input as the mean over the colour channel (dim 1) was found."
    return _read_mask(settings, train, x_name)


def _is_one(call: ast.Call) -> bool:
    values = list(call.args[:1]) + [k.value for k in call.keywords if k.arg in ("dim", "axis")]
    return any(isinstance(v, ast.Constant) and v.value == 1 for v in values)


def _read_mask(settings: Settings, train: ast.FunctionDef, x_name: str) -> tuple[float, str]:
    """Evaluate simple integer assignments (S = X.shape[2], start = S // 2 - 8) and find `A[:, :, r, c] = 0`."""
    names: dict[str, int] = {}
    for node in ast.walk(train):
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                value = _int_value(node.value, names, x_name, settings.size)
                if value is not None:
                    names[target.id] = value
            elif (isinstance(target, ast.Subscript) and isinstance(node.value, ast.Constant)
                  and node.value.value == 0 and isinstance(target.slice, ast.Tuple) and len(target.slice.elts) == 4):
                rows, cols = (_slice_value(e, names, x_name, settings.size) for e in target.slice.elts[2:])
                if rows is None or cols is None:
                    return 0.5, f"`{ast.unparse(node)}` zeroes a square, but where could not be read."
                want = square_start(settings.size, settings.mask, settings.offset)
                right = (rows, cols) == ((want[0], want[0] + settings.mask), (want[1], want[1] + settings.mask))
                got = f"rows {rows[0]}:{rows[1]}, columns {cols[0]}:{cols[1]} for S = {settings.size}"
                if right:
                    return 1.0, f"`{ast.unparse(node)}` zeroes {got}: the right square."
                return 0.0, f"`{ast.unparse(node)}` zeroes {got}, not {_square_text(settings, settings.mask, settings.offset)}."
    return 0.0, "no line zeroing a square of the images was found."


def _int_value(node, names: dict[str, int], x_name: str, size: int) -> int | None:
    match node:
        case ast.Constant(value=int() as v) if not isinstance(v, bool):
            return v
        case ast.Name(id=name):
            return names.get(name)
        case ast.Subscript(value=ast.Attribute(value=ast.Name(id=x), attr="shape")) if x == x_name:
            return size
        case ast.Call(func=ast.Attribute(value=ast.Name(id=x), attr="size"), args=[_]) if x == x_name:
            return size
        case ast.BinOp(left=left, op=op, right=right):
            a, b = _int_value(left, names, x_name, size), _int_value(right, names, x_name, size)
            if a is None or b is None:
                return None
            ops = {ast.Add: int.__add__, ast.Sub: int.__sub__, ast.Mult: int.__mul__, ast.FloorDiv: int.__floordiv__}
            if type(op) in ops and not (type(op) is ast.FloorDiv and b == 0):
                return ops[type(op)](a, b)
    return None


def _slice_value(node, names, x_name, size) -> tuple[int, int] | None:
    if not isinstance(node, ast.Slice) or node.step is not None:
        return None
    low = 0 if node.lower is None else _int_value(node.lower, names, x_name, size)
    high = size if node.upper is None else _int_value(node.upper, names, x_name, size)
    return None if low is None or high is None else (low, high)


def small_settings(task: str, **changes) -> Settings:
    """A cheaper grading run with the exam's task (1000 steps, lr 0.004) on fewer, smaller crops."""
    cheaper = {"colorize": {"n_images": 16}, "inpaint": {"n_images": 8, "hidden": 2}}[task]
    return replace(exam_settings(task), **{**cheaper, **changes})
