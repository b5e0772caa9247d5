"""Verify's second method: judge an attack's z without torch's forward pass or optimisers.

The solution's code runs on four test digits with the classifier f and on the probe's four
(f scaled down so the optimum lies before the boundary); the family's own code in-process, any
other code in the sandbox. The family's own posed attack is not run again: its z are the
reference's (`reference`, the same attack on a larger batch; each input's z depends on that input
alone), judged here like any other. Its z is then judged in float64 NumPy, from the classifier's weights:

- on every digit the posed objective ‖x − z‖² + max(0, t·f(z) + κ) is lower at z than at x;
- on at least three of four digits z reaches the boundary (t·f(z) ≤ 10 % of t·f(x) with κ = 0,
  t·f(z) < 0 otherwise);
- on every probe digit z achieves ≥ 70 % of the possible decrease of the objective, the minimum
  found by SciPy's L-BFGS with the gradient written out by hand (no autograd).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.optimize import minimize

from dlexam.engines.sandbox import RunResult, SandboxPool
from dlexam.errors import VerificationError
from dlexam.grading.code import parse_error, run_submission, run_trusted
from dlexam.solutions.attack import posed_source
from dlexam.solutions.classifier import binary_classifier
from dlexam.tasks.adversarial import running
from dlexam.tasks.adversarial.reference import BOUNDARY_SHARE, Settings, reference

DIGITS = 4
REACHED = 3            # digits of DIGITS that must reach the boundary
PROGRESS = 0.7         # share of the possible decrease on the probe
TIMEOUT = 30.0


class Net:
    """f(x) = w2·relu(W1·x + b1) + b2 in float64, times a scale (1 for f, the probe's for s·f)."""

    def __init__(self, settings: Settings, scale: float = 1.0):
        state = binary_classifier(settings.positive, settings.negative).spec.state_dict
        self.w1, self.b1, self.w2, self.b2 = (v.numpy().astype(np.float64) for v in state.values())
        self.scale = scale

    def margin(self, z: np.ndarray, t: np.ndarray) -> np.ndarray:
        """t·f(z) for each row."""
        hidden = np.maximum(0, z @ self.w1.T + self.b1)
        return self.scale * ((hidden @ self.w2.T + self.b2) * t).ravel()

    def objective(self, x: np.ndarray, z: np.ndarray, t: np.ndarray, kappa: float) -> np.ndarray:
        return ((x - z) ** 2).sum(1) + np.maximum(0, self.margin(z, t) + kappa)

    def minimum(self, x: np.ndarray, t: float, kappa: float) -> float:
        """min over z of the objective for one input, by L-BFGS with the hand-written gradient."""
        def value_and_gradient(z: np.ndarray) -> tuple[float, np.ndarray]:
            before = self.w1 @ z + self.b1
            hinge = self.scale * t * (self.w2[0] @ np.maximum(0, before) + self.b2[0]) + kappa
            slope = (self.scale * t * self.w2[0] * (before > 0)) @ self.w1 if hinge > 0 else 0.0
            return float(((x - z) ** 2).sum() + max(0.0, hinge)), 2 * (z - x) + slope

        return float(minimize(value_and_gradient, x.copy(), jac=True, method="L-BFGS-B").fun)


def check(settings: Settings, code: str, trusted: bool, pool: SandboxPool | None = None) -> None:
    """Raise VerificationError unless `code`'s attack passes the three judgements above."""
    z, pz, (x, t, px, pt, scale) = _run(settings, code, trusted, pool)
    net, kappa = Net(settings), settings.kappa
    if not (net.objective(x, z, t, kappa) < net.objective(x, x, t, kappa)).all():
        raise VerificationError("the attack did not lower the posed objective on every digit")
    before, after = net.margin(x, t), net.margin(z, t)
    limit = BOUNDARY_SHARE * before if kappa == 0 else np.zeros_like(before)
    if (after <= limit).sum() < REACHED:
        raise VerificationError(f"the attack reached the boundary on too few digits: t·f(z) = {after.round(3)}")
    probe = Net(settings, scale)
    start, end = probe.objective(px, px, pt, kappa), probe.objective(px, pz, pt, kappa)
    best = np.array([probe.minimum(xi, float(ti[0]), kappa) for xi, ti in zip(px, pt)])
    progress = (start - end) / np.maximum(start - best, 1e-12)
    if not (progress >= PROGRESS).all():
        raise VerificationError(f"on the probe the attack achieved {progress.round(3)} of the possible "
                                f"decrease of the objective (at least {PROGRESS:.0%} needed)")


def _run(settings: Settings, code: str, trusted: bool, pool: SandboxPool | None):
    """The code's z on the digits and on the probe, as float64 arrays, with the inputs used."""
    if (error := parse_error(code)) is not None:
        raise VerificationError(error)
    static = running.read_source(code)
    if static.function is None:
        raise VerificationError(f"the code defines no function {running.FUNCTION}()")
    ref = reference(settings)
    inputs = ref.x[:DIGITS], ref.t[:DIGITS], ref.probe_x[:DIGITS], ref.probe_t[:DIGITS]
    arrays = tuple(v.double().numpy() for v in inputs)
    if trusted and code.strip() == posed_source(settings.steps, str(settings.optimizer), settings.kappa).strip():
        # the family's own posed attack: its z are the reference's (each input's z depends on it alone)
        return ref.z[:DIGITS].double().numpy(), ref.probe_z[:DIGITS].double().numpy(), (*arrays, ref.probe_scale)
    job = running.job(settings, *inputs, ref.probe_scale)
    source = running.wrapped(code, static.function)
    try:
        result = run_trusted(source, job) if trusted else run_submission(source, job, TIMEOUT, pool)
    except Exception as exc:  # noqa: BLE001 - the family's own wrong code may crash in-process
        raise VerificationError(f"the code failed: {type(exc).__name__}: {exc}") from None
    z, pz = _returned(result, ref.x[:DIGITS].shape)
    return z, pz, (*arrays, ref.probe_scale)


def _returned(result: RunResult, shape: torch.Size) -> tuple[np.ndarray, np.ndarray]:
    if result.status != "ok":
        raise VerificationError(f"the code did not run: {running.clean_message(result.message)}")
    returned = result.returned if isinstance(result.returned, dict) else {}
    values = [returned.get("z"), returned.get("probe_z")]
    if not all(type(v) is torch.Tensor and v.shape == shape and torch.isfinite(v).all() for v in values):
        raise VerificationError("the code did not return a finite z shaped like x")
    return tuple(v.detach().double().numpy() for v in values)
