"""The trusted replay: the asked training, redone in the grader's own process.

What a submission's process reports (optimizer, lr, steps, zero_grad calls, losses) can be
faked; the weights it sends back are what it did. So the grader replays the asked procedure —
the exam's input (grey = mean over RGB, or the asked square zeroed in a copy), MSE, SGD at the
asked lr for the asked number of steps, zero_grad before every backward — from the same initial
weights on the same data, torch seeded as in the sandbox, and compares the weights:

    distance = ‖w_student − w_replay‖ / ‖w_replay − w_start‖       match: distance ≤ MATCH (1 %)

(1 % of the way the weights travelled: float noise between two correct loops — MSELoss or
`((out - X) ** 2).mean()`, 1 thread here and there — stays below 1e-4; a wrong lr, a tenth of
the steps, no zero_grad or another input land far from it.)

When the weights do not match, the observations may say *which* step differs: they propose a
`Procedure` (the observed lr, step count, optimizer, missing zero_grad, the input the first loss
points to), which is replayed here too. If the weights match that, each of its steps that equals
the asked one is established as a fact, and those points are given; the steps it changes are
not. If they match nothing, no procedural point is given: observations explain, never award.
The grader's model and data are small by design, so a replay takes a second or a few; it is
cached per (settings, procedure).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass
from functools import lru_cache

import torch

from dlexam.engines.threads import torch_threads
from dlexam.solutions.autoencoder import mask_square
from dlexam.tasks.autoencoder.grader_data import data, model, model_state, task_input
from dlexam.tasks.autoencoder.settings import Settings

MATCH = 0.01            # distance to the replay's weights that still counts as the same training
MAX_STEPS_FACTOR = 2    # a proposed step count beyond this many times the asked one is not replayed
LUMINANCE = (0.299, 0.587, 0.114)


@dataclass(frozen=True)
class Procedure:
    """One training procedure; the default fields are the asked ones (None: as the settings say)."""

    input: str = "asked"              # asked | luminance | sum | complete (X itself) | square
    square: tuple[int, int, int] = (0, 0, 0)   # input "square": (side, row shift, column shift)
    lr: float | None = None
    steps: int | None = None
    optimizer: str = "SGD"
    zero_grad: bool = True
    loss_scale: float = 1.0           # e.g. a summed instead of a mean squared error

    def differences(self, settings: Settings) -> dict[str, str]:
        """Which steps differ from the asked ones, in words (keys: input, lr, iterations, zero_grad)."""
        out: dict[str, str] = {}
        if self.input != "asked" or self.loss_scale != 1.0:
            out["input"] = self.describe_input(settings)
        if self.optimizer != "SGD" or (self.lr is not None and not _same_lr(self.lr, settings.lr)):
            out["lr"] = f"{self.optimizer} with lr {self.lr if self.lr is not None else settings.lr:g}"
        if self.steps is not None and self.steps != settings.iterations:
            out["iterations"] = f"{self.steps} steps"
        if not self.zero_grad:
            out["zero_grad"] = "no zero_grad"
        return out

    def describe_input(self, settings: Settings) -> str:
        scale = f", loss {self.loss_scale:g}× the mean squared error (a sum?)" if self.loss_scale != 1.0 else ""
        words = {"asked": "the asked input", "luminance": "grey by luminance weights",
                 "sum": "the sum over RGB", "complete": "the complete images (nothing zeroed)",
                 "square": f"a {self.square[0]}×{self.square[0]} square shifted by {self.square[1:]} from the centre"}
        return words[self.input] + scale


ASKED = Procedure()


def _same_lr(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-9 + 1e-6 * abs(b)


def procedure_input(settings: Settings, proc: Procedure, X: torch.Tensor) -> torch.Tensor:
    match proc.input:
        case "asked":
            return task_input(settings, X)
        case "luminance":
            return (X * torch.tensor(LUMINANCE).view(1, 3, 1, 1)).sum(dim=1, keepdim=True)
        case "sum":
            return X.sum(dim=1, keepdim=True)
        case "complete":
            return X.clone()
        case "square":
            return mask_square(X, proc.square[0], proc.square[1:])
    raise ValueError(f"unknown input {proc.input!r}")


def replayable(settings: Settings, proc: Procedure) -> bool:
    steps = settings.iterations if proc.steps is None else proc.steps
    return 0 < steps <= MAX_STEPS_FACTOR * settings.iterations and proc.optimizer in ("SGD", "Adam") \
        and (proc.lr is None or (math.isfinite(proc.lr) and 0 < proc.lr < 10))


_lock = threading.Lock()


def replay(settings: Settings, proc: Procedure = ASKED) -> dict[str, torch.Tensor]:
    """The weights after `proc` from the grader's initial weights on its data (trusted, in-process);
    computed once per (settings, procedure), also when files are graded in parallel."""
    with _lock:
        return _replay(settings, proc)


@lru_cache(maxsize=32)
def _replay(settings: Settings, proc: Procedure) -> dict[str, torch.Tensor]:
    X, _ = data(settings)
    net = model(settings).train()
    inputs = procedure_input(settings, proc, X)
    lr = settings.lr if proc.lr is None else proc.lr
    steps = settings.iterations if proc.steps is None else proc.steps
    optimizer = {"SGD": torch.optim.SGD, "Adam": torch.optim.Adam}[proc.optimizer](net.parameters(), lr=lr)
    torch.manual_seed(settings.seed)
    with torch_threads(1):
        for _ in range(steps):
            if proc.zero_grad:
                optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(net(inputs), X) * proc.loss_scale
            loss.backward()
            optimizer.step()
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def distance(settings: Settings, state: dict[str, torch.Tensor], proc: Procedure = ASKED) -> float:
    """‖w − w_replay‖ / ‖w_replay − w_start‖ over all parameters (inf when not finite)."""
    _, start = model_state(settings)
    replayed = replay(settings, proc)
    apart = sum(float(((state[k].double() - replayed[k].double()) ** 2).sum()) for k in replayed)
    travelled = sum(float(((replayed[k].double() - start[k].double()) ** 2).sum()) for k in replayed)
    value = math.sqrt(apart) / max(math.sqrt(travelled), 1e-12)
    return value if math.isfinite(value) else math.inf


@dataclass(frozen=True)
class Replayed:
    """What the replays established: the procedure the weights match (None: none of them)."""

    matched: Procedure | None
    proposed: Procedure            # what the observations describe
    asked_distance: float
    proposed_distance: float | None

    def established(self, step: str, settings: Settings) -> bool:
        """Whether the step (input, lr, iterations, zero_grad) is the asked one, as a fact."""
        return self.matched is not None and step not in self.matched.differences(settings)


def establish(settings: Settings, state: dict[str, torch.Tensor], proposed: Procedure) -> Replayed:
    """Compare the returned weights with the asked replay, then with the proposed one."""
    asked = distance(settings, state)
    if asked <= MATCH:
        return Replayed(ASKED, proposed, asked, None)
    if proposed == ASKED or not replayable(settings, proposed):
        return Replayed(None, proposed, asked, None)
    other = distance(settings, state, proposed)
    return Replayed(proposed if other <= MATCH else None, proposed, asked, other)
