"""Reference adversarial attacks (exam task 5a) on the digit classifiers.

The exam asks: given a trained model f, inputs x (B×D in [0, 1]) and targets t = ±1,
find z close to x with the decision flipped (t·f(z) < 0) by minimising

    ‖x − z‖² + max(0, t·f(z) + κ)          (the exam: κ = 0, SGD, 1000 iterations)

over z with a gradient method. Two references:

1. `posed_attack`: exactly as posed — z starts at x, one optimiser on z, a fixed number of
   steps, the last iterate returned. `POSED_SOURCE` is the same program as a student writes it.
2. `strong_attack`: Adam on z (kept in [0, 1]), a per-input binary search on the weight c of
   the hinge term (Carlini & Wagner's idea), and the best adversarial seen is kept: the last
   iterate of a hinge objective hovers around the boundary, so returning it loses successes.
   It works for any "margin" m(z) > 0 while the decision is unchanged: t·f(z) for the binary
   task, the true class's logit minus the best other one for ten classes.

Limitations of the posed attack (`LIMITATIONS`; with `posed_source` in `attack_source`, torch-free):
- max(0, t·f(z)) has its kink exactly at the boundary, so gradient steps zigzag across it:
  outside, a hinge step jumps over; inside only the distance term acts and pulls z back.
  The last iterate is on the wrong side only some of the time; a margin κ > 0 or keeping the
  best flipped iterate fixes it.
- The weight of the two terms is fixed at 1: where the slope ‖∇f‖ is small compared with the
  score (‖∇f‖² < 2·t·f(x) for a linear f), the minimiser lies before the boundary and the
  attack does not flip at all; a larger weight c (searched per input) fixes it.
- Nothing keeps z in [0, 1] (a valid image); clamp or reparametrise.
- SGD's step size interacts with the slope of f: too large overshoots and oscillates, too
  small does not reach the boundary in 1000 steps; Adam is far less sensitive.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from dlexam.solutions.attack_source import LIMITATIONS, POSED_LR, posed_source  # noqa: F401 - re-exported


def posed_objective(x: torch.Tensor, z: torch.Tensor, t: torch.Tensor, model, kappa: float = 0.0) -> torch.Tensor:
    """Per input: ‖x − z‖² + max(0, t·f(z) + κ), a B-vector."""
    with torch.no_grad():
        return ((x - z) ** 2).sum(1) + torch.clamp(t * model(z) + kappa, min=0).squeeze(1)


def posed_attack(x: torch.Tensor, t: torch.Tensor, model: torch.nn.Module, steps: int = 1000,
                 optimizer: str = "SGD", kappa: float = 0.0, lr: float | None = None) -> torch.Tensor:
    """The exam's attack: minimise ‖x − z‖² + max(0, t·f(z) + κ) over z; the last iterate."""
    lr = POSED_LR[optimizer] if lr is None else lr
    z = x.clone().detach().requires_grad_(True)
    optim = getattr(torch.optim, optimizer)([z], lr=lr)
    for _ in range(steps):
        optim.zero_grad()
        loss = torch.sum((x - z) ** 2) + torch.clamp(t * model(z) + kappa, min=0).sum()
        loss.backward()
        optim.step()
    return z.detach()


Margin = Callable[[torch.Tensor], torch.Tensor]   # model output B×K -> B margins, > 0 = unchanged


def binary_margin(t: torch.Tensor) -> Margin:
    return lambda scores: (t * scores).squeeze(1)


def class_margin(labels: torch.Tensor) -> Margin:
    """The true class's logit minus the largest other logit."""
    def margin(logits: torch.Tensor) -> torch.Tensor:
        true = logits.gather(1, labels[:, None]).squeeze(1)
        others = logits.scatter(1, labels[:, None], float("-inf"))
        return true - others.max(1).values
    return margin


@dataclass
class StrongResult:
    z: torch.Tensor            # B×D; x itself where no adversarial was found
    success: torch.Tensor      # B bools
    distance: torch.Tensor     # B L2 norms ‖x − z‖ (0 where not found)


def strong_attack(x: torch.Tensor, model: torch.nn.Module, margin: Margin, search_steps: int = 7,
                  steps: int = 150, lr: float = 0.02, initial_c: float = 1.0, kappa: float = 0.0,
                  box: tuple[float, float] | None = (0.0, 1.0)) -> StrongResult:
    """Adam on z with a binary search on c in ‖x − z‖² + c·max(0, m(z) + κ); best flipped z kept."""
    batch = x.shape[0]
    c = torch.full((batch,), float(initial_c))
    low, high = torch.zeros(batch), torch.full((batch,), float("inf"))
    best_z, best_d2 = x.clone(), torch.full((batch,), float("inf"))
    for _ in range(search_steps):
        delta = torch.zeros_like(x, requires_grad=True)
        optim = torch.optim.Adam([delta], lr=lr)
        found = torch.zeros(batch, dtype=torch.bool)
        for _ in range(steps):
            z = x + delta if box is None else torch.clamp(x + delta, *box)
            m = margin(model(z))
            d2 = ((z - x) ** 2).sum(1)
            with torch.no_grad():
                better = (m < 0) & (d2 < best_d2)
                best_d2 = torch.where(better, d2, best_d2)
                best_z[better] = z[better]
                found |= m < 0
            optim.zero_grad()
            (d2 + c * torch.clamp(m + kappa, min=0)).sum().backward()
            optim.step()
        # found: c can shrink (smaller perturbations); not found: c must grow
        high = torch.where(found, torch.minimum(high, c), high)
        low = torch.where(found, low, torch.maximum(low, c))
        c = torch.where(torch.isinf(high), c * 10, (low + high) / 2)
    success = torch.isfinite(best_d2)
    distance = torch.where(success, best_d2.sqrt(), torch.zeros(batch))
    return StrongResult(best_z.detach(), success, distance)


def attack_picture(path: str, count: int = 4) -> None:
    """Save a PNG: original / adversarial / difference for a few digits of the exam's task (3 vs 8)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from dlexam.solutions.classifier import binary_classifier, correctly_classified

    classifier = binary_classifier(3, 8)
    model = classifier.build()
    x, t = correctly_classified(classifier, 48)
    attacked = posed_attack(x, t, model)
    with torch.no_grad():   # digits the posed attack takes at least to the boundary, as the grader uses
        before, after = (t * model(x)).squeeze(1), (t * model(attacked)).squeeze(1)
    keep = torch.nonzero(after <= 0.1 * before).squeeze(1)[:count]
    x, t = x[keep], t[keep]
    z = posed_attack(x, t, model)
    with torch.no_grad():
        fx, fz = model(x).squeeze(1), model(z).squeeze(1)
    figure, axes = plt.subplots(count, 3, figsize=(6.6, 2.2 * count))
    for row in range(count):
        diff = (z[row] - x[row]).reshape(8, 8)
        limit = float(diff.abs().max())
        panels = [(x[row].reshape(8, 8), "gray_r", 0, 1, f"x: f = {fx[row]:+.1f}"),
                  (z[row].reshape(8, 8), "gray_r", 0, 1, f"z: f = {fz[row]:+.1f}"),
                  (diff, "RdBu_r", -limit, limit, f"z − x: ‖·‖ = {diff.norm():.2f}")]
        for ax, (image, cmap, low, high, title) in zip(axes[row], panels):
            ax.imshow(image.numpy(), cmap=cmap, vmin=low, vmax=high)
            ax.set_title(title, fontsize=9)
            ax.set_xticks([])
            ax.set_yticks([])
    figure.suptitle("Posed SGD attack on the 3-vs-8 classifier (t = +1 for 3)", fontsize=10)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
