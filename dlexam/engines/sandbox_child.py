"""The side of the sandbox that runs *inside* it: imports torch, waits for one job, runs it.

This file is bind-mounted read-only into the sandbox and executed there by a bare
interpreter (`python -I -S -B sandbox_child.py SITE_PACKAGES RESULT_FD`): the `dlexam`
package is not importable inside, so this module uses only the standard library and torch.
The grader imports it too, for the parts both sides must agree on: the frame format and
`build_model` (the whitelist of layers a job's model may be made of).

Life of one sandbox process:
  1. import torch and do a tiny training step (so the first real call is warm), send READY;
  2. read one job frame from stdin (student source, function name, tensors, model);
  3. lower its resource limits (memory, CPU seconds, processes, file size);
  4. install the observation hooks (optimizer steps, zero_grad, backward, forward);
  5. import the student's source as module `submission`, call the function;
  6. send one result frame (torch.save of plain tensors, numbers and strings) and exit.
Nothing the child sends is trusted: the grader loads it with torch.load(weights_only=True)
and checks every field's type; the hooks' counts inform feedback but a hostile submission can
fake them, so scores rest on what the grader recomputes outside with its own clean copies.
"""

from __future__ import annotations

import io
import os
import struct
import sys
import time

HEADER = struct.Struct(">Q")  # every frame: 8-byte big-endian length, then the payload
READY = b"READY"
EVENT_CAP = 20_000  # characters of the event log kept
SERIES_CAP = 20_000  # losses / learning rates kept

# Layers a job's model may be built from: torch.nn classes with literal arguments.
LAYERS = frozenset({
    "Linear", "Bilinear", "Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d",
    "AdaptiveAvgPool2d", "Upsample", "UpsamplingNearest2d", "BatchNorm1d", "BatchNorm2d",
    "GroupNorm", "LayerNorm", "Dropout", "Dropout2d", "Flatten", "Unflatten", "Identity",
    "ReLU", "LeakyReLU", "ELU", "GELU", "Sigmoid", "Tanh", "Softplus", "Softmax",
})
_LITERALS = (int, float, bool, str, type(None))


# ---------------------------------------------------------------- shared with the grader
def write_frame(fd: int, payload: bytes) -> None:
    data = HEADER.pack(len(payload)) + payload
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def read_exactly(fd: int, n: int) -> bytes:
    chunks, left = [], n
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError(f"stream ended {left} bytes early")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def read_frame(fd: int, limit: int) -> bytes:
    (size,) = HEADER.unpack(read_exactly(fd, HEADER.size))
    if size > limit:
        raise ValueError(f"frame of {size} bytes is larger than the limit of {limit}")
    return read_exactly(fd, size)


def _literal(value, depth=0):
    if isinstance(value, _LITERALS):
        return True
    return depth < 2 and isinstance(value, (list, tuple)) and all(_literal(v, depth + 1) for v in value)


def build_model(layers):
    """`[["Conv2d", [1, 8, 3], {"padding": 1}], ["ReLU", [], {}], ...]` -> nn.Sequential.

    Only names in LAYERS and literal arguments are accepted, on both sides of the sandbox.
    """
    import torch.nn as nn

    modules = []
    for entry in layers:
        entry = list(entry)
        name, args, kwargs = entry[0], (entry[1:2] or [[]])[0], (entry[2:3] or [{}])[0]
        if name not in LAYERS:
            raise ValueError(f"layer {name!r} is not in the sandbox's whitelist")
        if not (_literal(list(args)) and all(isinstance(k, str) and _literal(v) for k, v in kwargs.items())):
            raise ValueError(f"layer {name!r} has non-literal arguments")
        modules.append(getattr(nn, name)(*args, **kwargs))
    return nn.Sequential(*modules)


# ---------------------------------------------------------------- child only
def _warm_up(torch) -> None:
    """One tiny training step so lazy imports and kernels are loaded before a job arrives."""
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 2, 3, padding=1), torch.nn.ReLU(),
                                torch.nn.Flatten(), torch.nn.Linear(2 * 4 * 4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    opt.zero_grad()
    torch.nn.functional.mse_loss(model(torch.rand(2, 1, 4, 4)), torch.zeros(2, 1)).backward()
    opt.step()
    torch.optim.Adam(model.parameters())


def _set_limits(job) -> None:
    import resource

    def lower(kind, value):
        """Set soft and hard limit to `value` (hard one more second for CPU: SIGXCPU, then SIGKILL)."""
        _, hard = resource.getrlimit(kind)
        cap = (lambda v: v) if hard == resource.RLIM_INFINITY else (lambda v: min(v, hard))
        value = int(value)
        resource.setrlimit(kind, (cap(value), cap(value + 1 if kind == resource.RLIMIT_CPU else value)))

    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_used = used.ru_utime + used.ru_stime
    lower(resource.RLIMIT_CPU, int(cpu_used) + 1 + int(job["cpu_seconds"]))
    lower(resource.RLIMIT_AS, job["memory_bytes"])
    lower(resource.RLIMIT_NPROC, job["processes"])
    lower(resource.RLIMIT_FSIZE, job["file_bytes"])
    lower(resource.RLIMIT_NOFILE, job["open_files"])
    lower(resource.RLIMIT_CORE, 0)


class Recorder:
    """Counts what the training loop does; installed before the student's code runs."""

    def __init__(self, torch):
        self.torch = torch
        self.events: list[str] = []
        self.counts = {"zero_grad": 0, "module_zero_grad": 0, "steps": 0, "backward": 0,
                       "forward": 0, "optimizers_created": 0}
        self.losses: list[float] = []
        self.lrs: list[float] = []
        self.optimizers: list[str] = []
        self.forward_input_shapes: list[list[int]] = []
        self.used_sheet_alias = False
        self._in_backward = False

    def note(self, char: str) -> None:
        if len(self.events) < EVENT_CAP:
            self.events.append(char)

    def install(self, model, sheet_aliases: bool) -> None:
        torch, rec = self.torch, self
        optimizer = torch.optim.Optimizer

        original_init = optimizer.__init__
        def init(self, *args, **kwargs):
            rec.counts["optimizers_created"] += 1
            rec.optimizers.append(type(self).__name__)
            original_init(self, *args, **kwargs)
        optimizer.__init__ = init

        original_zero = optimizer.zero_grad
        def zero_grad(self, *args, **kwargs):
            rec.counts["zero_grad"] += 1
            rec.note("Z")
            return original_zero(self, *args, **kwargs)
        optimizer.zero_grad = zero_grad

        original_module_zero = torch.nn.Module.zero_grad
        def module_zero_grad(self, *args, **kwargs):
            rec.counts["module_zero_grad"] += 1
            rec.note("z")
            return original_module_zero(self, *args, **kwargs)
        torch.nn.Module.zero_grad = module_zero_grad

        def after_step(opt, args, kwargs):
            rec.counts["steps"] += 1
            rec.note("S")
            if len(rec.lrs) < SERIES_CAP and opt.param_groups:
                try:
                    rec.lrs.append(float(opt.param_groups[0].get("lr", float("nan"))))
                except Exception:  # noqa: BLE001 - an lr that is not a number
                    rec.lrs.append(float("nan"))
        from torch.optim.optimizer import register_optimizer_step_post_hook
        register_optimizer_step_post_hook(after_step)

        original_backward = torch.Tensor.backward
        def backward(self, *args, **kwargs):
            rec._record_backward(self)
            rec._in_backward = True
            try:
                return original_backward(self, *args, **kwargs)
            finally:
                rec._in_backward = False
        torch.Tensor.backward = backward

        original_autograd_backward = torch.autograd.backward
        def autograd_backward(tensors, *args, **kwargs):
            if not rec._in_backward:
                rec._record_backward(tensors[0] if isinstance(tensors, (list, tuple)) and tensors else tensors)
            return original_autograd_backward(tensors, *args, **kwargs)
        torch.autograd.backward = autograd_backward

        if model is not None:
            def forward_hook(module, inputs, output):
                rec.counts["forward"] += 1
                rec.note("F")
                if len(rec.forward_input_shapes) < 4 and inputs and isinstance(inputs[0], torch.Tensor):
                    rec.forward_input_shapes.append(list(inputs[0].shape))
            model.register_forward_hook(forward_hook)

        if sheet_aliases and not hasattr(torch.nn, "SGD"):
            # The exam's skeleton writes torch.nn.SGD; a line the sheet gives must not crash.
            class SGD(torch.optim.SGD):
                def __init__(self, *args, **kwargs):
                    rec.used_sheet_alias = True
                    super().__init__(*args, **kwargs)
            torch.nn.SGD = SGD

    def _record_backward(self, tensor) -> None:
        self.counts["backward"] += 1
        self.note("B")
        torch = self.torch
        if len(self.losses) < SERIES_CAP and isinstance(tensor, torch.Tensor) and tensor.numel() == 1:
            try:  # an observation must never break the student's own call
                self.losses.append(float(tensor.detach().reshape(()).real))
            except Exception:  # noqa: BLE001
                pass

    def observations(self) -> dict:
        return {**self.counts, "events": "".join(self.events), "losses": self.losses,
                "lrs": self.lrs, "optimizers": self.optimizers,
                "forward_input_shapes": self.forward_input_shapes,
                "used_sheet_alias": self.used_sheet_alias}


def _plain(torch, value, depth=0):
    """The returned value as plain tensors / numbers / containers, or raise TypeError."""
    if isinstance(value, torch.Tensor):
        return value.detach().to("cpu").clone().contiguous().as_subclass(torch.Tensor)
    if isinstance(value, (bool, int, float, str, type(None))):
        return value
    if depth < 3 and isinstance(value, (list, tuple)):
        return [_plain(torch, v, depth + 1) for v in value]
    if depth < 3 and isinstance(value, dict):
        return {str(k): _plain(torch, v, depth + 1) for k, v in value.items()}
    raise TypeError(f"the function returned a {type(value).__name__}, which cannot be sent back")


def _short_traceback(exc: BaseException) -> str:
    import traceback

    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "submission.py"]
    lines = traceback.format_list(frames) + traceback.format_exception_only(type(exc), exc)
    return "".join(lines)[-8000:]


def _is_memory_error(exc: BaseException) -> bool:
    text = str(exc)
    return isinstance(exc, MemoryError) or "can't allocate memory" in text or "not enough memory" in text


def _watched(torch, model) -> dict:
    """torch's functions a fake result would replace; a changed one means the run lied.

    (A determined student can hide this too: the grader never relies on it for points,
    it only lets an obvious fake end with 0 and a clear reason.)"""
    places = {"Tensor": (torch.Tensor, ("__lt__", "__le__", "__gt__", "__ge__", "__eq__", "__ne__", "__mul__",
                                        "__rmul__", "__add__", "__sub__", "__neg__", "__matmul__", "backward",
                                        "detach", "clone", "sum", "norm")),
              "Module": (torch.nn.Module, ("__call__", "_call_impl", "parameters", "state_dict")),
              "torch": (torch, ("relu", "clamp", "sum", "norm", "max", "sign", "mean")),
              "optim.Optimizer": (torch.optim.Optimizer, ("step", "zero_grad"))}
    seen = {f"{label}.{name}": getattr(owner, name, None) for label, (owner, names) in places.items() for name in names}
    if model is not None:
        seen.update({f"model.{name}": model.__dict__.get(name) for name in ("forward", "__call__")})
        seen.update({f"model.{type(m).__name__}.forward": type(m).forward for m in model.modules()})
    return seen


def _run(torch, job, reporter) -> io.BytesIO:
    torch.manual_seed(int(job["seed"]))
    torch.set_num_threads(int(job["threads"]))  # by hand: threads.torch_threads is not importable in here
    model = None
    if job.get("model") is not None:
        model = build_model(job["model"]["layers"])
        model.load_state_dict(job["model"]["state_dict"])
    values = dict(job["tensors"])
    args = [model if name == "model" else values[name] for name in job["args"]]
    recorder = Recorder(torch)
    recorder.install(model, bool(job["sheet_aliases"]))
    save = torch.save  # keep our own references before the student's code can replace them
    before = _watched(torch, model)

    result = {"status": "ok", "message": "", "traceback": "", "returned": None, "state_dict": None}
    module = type(sys)("submission")
    module.__file__ = "submission.py"
    sys.modules["submission"] = module
    started = time.perf_counter()
    stage = "importing the file"
    token = job.pop("report_token", "")
    reporter.start()
    try:
        code = compile(job["source"], "submission.py", "exec")
        exec(code, module.__dict__)
        function = module.__dict__.get(job["function"])
        if not callable(function):
            raise LookupError(f"the file defines no function {job['function']}()")
        stage = f"calling {job['function']}()"
        started = time.perf_counter()
        returned = function(*args)
        result["call_seconds"] = time.perf_counter() - started
        result["returned"] = _plain(torch, returned)
        if job["return_state"] and model is not None:
            result["state_dict"] = {k: _plain(torch, v) for k, v in model.state_dict().items()}
    except SystemExit as exc:
        result.update(status="no_result",
                      message=f"the submission called sys.exit({exc.code!r}) while {stage}, before giving a result")
    except BaseException as exc:  # noqa: BLE001 - every failure of student code is reported
        status = "memory" if _is_memory_error(exc) else "error"
        where = f"line {exc.lineno}" if isinstance(exc, SyntaxError) else stage
        result.update(status=status, message=f"{type(exc).__name__} while {where}: {exc}"[:500],
                      traceback=_short_traceback(exc))
    result.setdefault("call_seconds", time.perf_counter() - started)
    reporter.finish(token)
    result["observations"] = recorder.observations()
    after = _watched(torch, model)
    result["observations"]["tampered"] = sorted(name for name in before if after.get(name) is not before[name])
    buffer = io.BytesIO()
    try:
        save(result, buffer)
    except BaseException as exc:  # noqa: BLE001 - e.g. a result too large for the memory limit
        buffer = io.BytesIO()
        save({"status": "memory" if _is_memory_error(exc) else "error", "returned": None,
              "message": f"the result could not be sent back: {type(exc).__name__}: {exc}"[:500]}, buffer)
    return buffer


def _guard(spec: str, report_fd: int):
    """New keyring and seccomp filter (spec 'KEYCTL:SECCOMP:HEX', or '-'), then the audit hook."""
    import sandbox_guard

    if spec != "-":
        keyctl, seccomp, program = spec.split(":")
        sandbox_guard.new_keyring(int(keyctl))
        sandbox_guard.load_filter(int(seccomp), bytes.fromhex(program))
    reporter = sandbox_guard.Reporter(report_fd, os.environ.get("HOME", "/tmp"))
    reporter.install()
    return reporter


def main() -> None:
    site_packages, result_fd, report_fd, spec = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    sys.path.extend(site_packages.split(os.pathsep))
    sys.path.append(os.path.dirname(os.path.abspath(__file__)))
    import torch

    _warm_up(torch)
    reporter = _guard(spec, report_fd)
    write_frame(result_fd, READY)
    job = torch.load(io.BytesIO(read_frame(0, 1 << 34)), weights_only=True)
    os.close(0)
    _set_limits(job)
    buffer = _run(torch, job, reporter)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:  # noqa: BLE001 - the student may have replaced or closed it
            pass
    write_frame(result_fd, buffer.getvalue())
    os._exit(0)  # no atexit handlers or finalizers of the student's


if __name__ == "__main__":
    main()
