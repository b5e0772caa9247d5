"""What crosses the sandbox's wall: the job going in, the result coming out, read safely.

Both are one frame (`sandbox_child.HEADER`: 8-byte length, then a torch.save of plain data).
`encode_job` writes the job; `decode_result` reads the child's answer with
torch.load(weights_only=True) and checks the type of every field, so a hostile child can at
worst send wrong numbers, which the grader's own checks judge as such.
"""

from __future__ import annotations

import io
import math
import warnings
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from dlexam.engines import sandbox_child as child
from dlexam.engines.sandbox_isolation import Limits
from dlexam.engines.sandbox_text import clean_block, clean_line, quote

if TYPE_CHECKING:   # torch is imported where a frame is written or read: posing a task needs none of it
    import torch

    from dlexam.engines.sandbox_decode import Budget

build_model = child.build_model


class Status(StrEnum):
    """How a run ended (a str: `result.status == "ok"` and JSON keep working)."""

    OK = "ok"                  # the function returned
    ERROR = "error"            # it raised
    TIMEOUT = "timeout"        # out of wall or CPU time
    KILLED = "killed"          # the process died of a signal
    NO_RESULT = "no_result"    # no readable answer (exit, garbage, wrong shape)
    MEMORY = "memory"          # out of memory
    BLOCKED = "blocked"        # it tried something the sandbox forbids (`RunResult.blocked` names it)


STATUSES = tuple(Status)


@dataclass
class ModelSpec:
    """A model the grader hands to the student: `build_model(layers)` + this state_dict.

    `layers` is `[[name, args, kwargs], ...]` with names from `sandbox_child.LAYERS`,
    e.g. `[["Linear", [4, 8]], ["ReLU"], ["Linear", [8, 1]]]`.
    """

    layers: list
    state_dict: dict[str, torch.Tensor]

    def build(self) -> torch.nn.Module:
        """A clean copy of the model, as the grader judges with it."""
        model = build_model(self.layers)
        model.load_state_dict(self.state_dict)
        return model


@dataclass
class Job:
    """What to call: `function(*[tensors[name] or the model for name in args])`."""

    function: str
    args: tuple[str, ...]
    tensors: dict[str, torch.Tensor | int | float] = field(default_factory=dict)  # tensors (or numbers)
    model: ModelSpec | None = None
    return_state: bool = False     # send back model.state_dict() after the call (train in place)
    seed: int = 0                  # torch.manual_seed inside, before the call
    sheet_aliases: bool = True     # make the exam skeleton's torch.nn.SGD mean torch.optim.SGD


@dataclass
class Observations:
    """What the hooks inside saw during the call (a hostile submission can fake these)."""

    zero_grad: int = 0             # optimizer.zero_grad() calls
    module_zero_grad: int = 0      # model.zero_grad() calls
    steps: int = 0                 # optimizer.step() calls
    backward: int = 0              # loss.backward() / torch.autograd.backward() calls
    forward: int = 0               # calls of the job's model
    optimizers_created: int = 0
    optimizers: list[str] = field(default_factory=list)     # class names, e.g. ["SGD"]
    lrs: list[float] = field(default_factory=list)          # lr of param group 0 at each step
    losses: list[float] = field(default_factory=list)       # value of each scalar backward()
    events: str = ""               # Z zero_grad, z model.zero_grad, F forward, B backward, S step
    forward_input_shapes: list[list[int]] = field(default_factory=list)
    used_sheet_alias: bool = False
    tampered: list[str] = field(default_factory=list)  # torch functions the submission replaced


@dataclass
class RunResult:
    status: Status
    message: str                   # one sentence for the student / the grade's feedback
    stdout: str = ""
    stderr: str = ""
    returned: Any = None           # plain tensors / numbers / lists / dicts, or None
    state_dict: dict[str, torch.Tensor] | None = None
    observations: Observations = field(default_factory=Observations)
    traceback: str = ""            # the student's frames only
    seconds: float = 0.0           # wall time from sending the job to the answer
    call_seconds: float = 0.0      # time inside the student's function, as measured inside
    cpu_seconds: float | None = None   # CPU time of the whole sandbox during the job (its cgroup)
    blocked: list[str] = field(default_factory=list)  # forbidden attempts, one clean line each
    notes: list[str] = field(default_factory=list)    # protections not in force here (degraded)

    @property
    def ok(self) -> bool:
        return self.status == Status.OK


def encode_job(source: str, job: Job, limits: Limits, timeout: float, token: str = "") -> bytes:
    """The job as one frame for the child's stdin, with the limits it lowers itself to and the
    token that closes its report pipe."""
    payload = {
        "source": source, "function": job.function, "args": list(job.args),
        "tensors": dict(job.tensors), "return_state": job.return_state, "seed": job.seed,
        "sheet_aliases": job.sheet_aliases, "threads": limits.threads,
        "model": None if job.model is None else {"layers": job.model.layers,
                                                 "state_dict": dict(job.model.state_dict)},
        "cpu_seconds": cpu_seconds(timeout), "memory_bytes": limits.memory_bytes,
        "processes": limits.processes, "file_bytes": limits.file_bytes,
        "open_files": limits.open_files, "report_token": token,
    }
    import torch

    buffer = io.BytesIO()
    torch.save(payload, buffer)
    data = buffer.getvalue()
    return child.HEADER.pack(len(data)) + data


def cpu_seconds(timeout: float) -> int:
    """The CPU budget of a call with this wall-clock timeout (one second of slack)."""
    return math.ceil(timeout) + 1


def decode_result(frame: bytes) -> RunResult:
    """The child's answer, read under a budget (`sandbox_decode`): plain tensors and data only."""
    import torch

    from dlexam.engines.sandbox_decode import Budget, Refused, check_archive, plain

    try:
        check_archive(frame)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            data = torch.load(io.BytesIO(frame), weights_only=True, map_location="cpu")
    except Refused as exc:
        return RunResult(Status.NO_RESULT, f"the submission's answer was refused: {exc}")
    except Exception as exc:  # noqa: BLE001 - anything a hostile child may have sent
        return RunResult(Status.NO_RESULT, f"the submission's answer could not be read ({type(exc).__name__})")
    if not isinstance(data, dict) or data.get("status") not in STATUSES or data.get("status") == Status.BLOCKED:
        return RunResult(Status.NO_RESULT, "the submission's answer was not in the expected form")
    budget = Budget()
    try:
        state = _state_dict(data.get("state_dict"), budget)
        returned = plain(data.get("returned"), budget)
    except Refused as exc:
        return RunResult(Status.NO_RESULT, f"the submission's answer was refused: {exc}")
    seconds = data.get("call_seconds")
    return RunResult(
        status=Status(data["status"]),
        message=clean_line(_text(data.get("message"), 2000), 500) or "the function returned normally",
        returned=returned, state_dict=state, traceback=clean_block(_text(data.get("traceback"), 8000)),
        observations=_observations(data.get("observations")),
        call_seconds=seconds if type(seconds) is float and seconds >= 0 else 0.0)


def _state_dict(state, budget: Budget) -> dict[str, torch.Tensor] | None:
    import torch

    from dlexam.engines.sandbox_decode import Refused, tensor

    if state is None:
        return None
    if not (type(state) is dict and len(state) <= 1000 and all(type(k) is str for k in state)):
        raise Refused("the model's state sent back was not a set of named tensors")
    out = {}
    for key, value in state.items():
        budget.visit()
        if not isinstance(value, torch.Tensor):
            raise Refused(f"the model's state sent back holds a {type(value).__name__} for {quote(key, 60)}")
        out[key] = tensor(value, budget)
    return out


def _text(value, limit: int) -> str:
    return value[:limit] if type(value) is str else ""


def _observations(data) -> Observations:
    """Observations from the child's dict, keeping only fields of the right type."""
    seen = Observations()
    if not isinstance(data, dict):
        return seen
    for name in ("zero_grad", "module_zero_grad", "steps", "backward", "forward", "optimizers_created"):
        if type(data.get(name)) is int:
            setattr(seen, name, data[name])
    for name in ("lrs", "losses"):
        values = data.get(name)
        if type(values) is list and all(type(v) is float for v in values[: child.SERIES_CAP]):
            setattr(seen, name, values[: child.SERIES_CAP])
    if type(data.get("optimizers")) is list:
        seen.optimizers = [clean_line(v, 100) for v in data["optimizers"][:100] if type(v) is str]
    seen.events = "".join(c for c in _text(data.get("events"), child.EVENT_CAP) if c in "ZzFBS")
    shapes = data.get("forward_input_shapes")
    if type(shapes) is list:
        seen.forward_input_shapes = [s[:8] for s in shapes[:4] if type(s) is list and all(type(d) is int for d in s[:8])]
    seen.used_sheet_alias = data.get("used_sheet_alias") is True
    if type(data.get("tampered")) is list:
        seen.tampered = [clean_line(v, 100) for v in data["tampered"][:50] if type(v) is str]
    return seen
