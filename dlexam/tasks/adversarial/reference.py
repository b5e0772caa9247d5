"""What the attack is graded against: the task's settings, the test digits and the posed attack on them.

The grader attacks B correctly classified test digits with the posed reference (`posed_attack`)
and keeps only digits it takes at least to the boundary, so every input is attackable the way
the task asks. A "probe" — a few of the same digits with f scaled down — puts the optimum of
‖x − z‖² + max(0, t·f(z) + κ) *before* the boundary: only there do a missing distance term, a
mean instead of a sum or a wrong norm show in the result.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache

import torch

from dlexam.engines.threads import torch_threads
from dlexam.solutions.attack import posed_attack, posed_objective
from dlexam.solutions.classifier import binary_classifier, correctly_classified
from dlexam.tasks.adversarial.settings import EXAM, Optimizer, Settings  # noqa: F401 - re-exported

BOUNDARY_SHARE = 0.1     # with κ = 0, t·f(z) ≤ 10 % of t·f(x) counts as reaching the boundary
PROBE_RATIO = 0.3        # the probe's ‖∇f‖² / (2·t·f(x)): its optimum lies 30 % of the way


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
    probe_z: torch.Tensor | None = None   # the posed reference attack on the probe


def model_of(settings: Settings) -> torch.nn.Module:
    """A fresh copy of the classifier the task attacks."""
    return binary_classifier(settings.positive, settings.negative).build()


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
    model = model_of(settings)
    x, t = correctly_classified(binary_classifier(settings.positive, settings.negative), 3 * settings.count)
    kwargs = {"steps": settings.steps, "optimizer": str(settings.optimizer), "kappa": settings.kappa}
    with torch_threads(1):
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
    return Reference(x, t, z, px, pt, scale, objective, start, pz.detach().clone())
