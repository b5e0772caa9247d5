"""The data of a Hessian variant: the kind of error function, its numbers, the change asked
about in (d), and the statements about input noise offered in (f)."""

from __future__ import annotations

import random
from enum import StrEnum
from typing import Any, NamedTuple, Required, TypedDict


class ErrorKind(StrEnum):
    DATA = "data"            # squared error on a small data set; (d) input noise σ²
    SCALED = "scaled"        # the same; (d) scaling the inputs by (s1, s2)
    GAUSSIAN = "gaussian"    # squared error for x ~ N(μ, Σ); (d) centring
    LOGISTIC = "logistic"    # logistic error at w = 0 on a data set; (d) input noise σ²
    QUADRATIC = "quadratic"  # a quadratic form; (d) weight decay λ

    @property
    def on_data(self) -> bool:
        """Posed on a data set X, t (rather than a distribution or a formula)."""
        return self in (ErrorKind.DATA, ErrorKind.LOGISTIC, ErrorKind.SCALED)


class HessianData(TypedDict, total=False):
    kind: Required[ErrorKind]
    change: Required[Any]      # σ² (data, logistic), λ (quadratic), [s1, s2] (scaled), 0 (gaussian)
    options: Required[list[str]]   # the statements of (f), in the order shown
    X: list[list[int]]         # data kinds: the inputs x_n (rows of 2)
    t: list[int]               # data kinds: the targets t_n
    mu: list[int]              # gaussian: the mean μ
    Sigma: list[list[float]]   # gaussian: the covariance Σ (positive definite)
    q: list[float]             # quadratic: a, b, c, p, q of a·w1² + b·w1·w2 + c·w2² + p·w1 + q·w2


class Statement(NamedTuple):
    text: str
    true: bool
    why: str


STATEMENTS = [
    Statement("It acts like an L2 penalty (weight decay) on w: it regularises and reduces overfitting.", True,
              "For squared error the expected noisy error is E(w) + σ²‖w‖² — Tikhonov regularisation (Bishop 1995)."),
    Statement("It adds a multiple of the identity to the Hessian, so the condition number falls and gradient "
              "descent converges faster.", True,
              "H → H + 2σ²I raises every eigenvalue by 2σ²: (λmax + 2σ²)/(λmin + 2σ²) < κ."),
    Statement("Too much noise biases the solution towards w = 0, so the model underfits.", True,
              "The penalty σ²‖w‖² pulls the minimiser towards 0; a large σ² dominates the data term."),
    Statement("It makes the model less sensitive to small perturbations of the input.", True,
              "Training on perturbed inputs asks for the same output near every x: small ‖w‖, a flat f."),
    Statement("Fresh noise in every epoch makes the gradients noisier, so more iterations may be needed.", True,
              "The gradient becomes a random estimate of the expected one: more variance, slower settling."),
    Statement("It increases the condition number of the Hessian, so optimisation gets harder.", False,
              "Adding 2σ²I raises the small eigenvalue relatively more than the large one: κ decreases."),
    Statement("It leaves the minimiser w* unchanged.", False,
              "The expected error gains σ²‖w‖², so its minimiser shrinks towards 0."),
    Statement("It multiplies the Hessian by (1 + σ²).", False,
              "Noise adds 2σ²I; it does not scale H (scaling would not change κ at all)."),
    Statement("It can make the Hessian singular.", False,
              "H + 2σ²I is positive definite for σ > 0 even when H is singular."),
]


def draw(rng: random.Random, kind: ErrorKind) -> dict[str, Any]:
    """The numbers of one kind (its H may still be rejected by the caller)."""
    if kind.on_data:
        n = rng.choice([3, 4])
        rows = [[rng.randint(-2, 3), rng.randint(-2, 3)] for _ in range(n)]
        targets = [rng.choice([-1, 1]) if kind == ErrorKind.LOGISTIC else rng.randint(-2, 3) for _ in range(n)]
        change = rng.choice([[2, 1], [1, 2], [0.5, 1], [2, 2], [3, 3]]) if kind == ErrorKind.SCALED else \
            rng.choice([0.25, 0.5, 1.0])
        return {"X": rows, "t": targets, "change": change}
    if kind == ErrorKind.GAUSSIAN:
        s1, s2 = rng.choice([1, 2, 4]), rng.choice([1, 2, 4])
        r = rng.choice([v for v in (0, 0.5, -0.5, 1, -1) if v * v < s1 * s2])  # Σ positive definite
        return {"mu": [rng.randint(-2, 2), rng.randint(-2, 2)], "Sigma": [[s1, r], [r, s2]], "change": 0}
    a, c = rng.choice([0.5, 1, 2, 3]), rng.choice([0.5, 1, 2, 3])
    return {"q": [a, rng.choice([-2, -1, 0, 1, 2]), c, rng.randint(-3, 3), rng.randint(-3, 3)],
            "change": rng.choice([0.5, 1.0, 2.0])}


def draw_options(rng: random.Random) -> list[str]:
    """Five statements for (f): 2 or 3 true ones, shuffled."""
    true = [s for s in STATEMENTS if s.true]
    false = [s for s in STATEMENTS if not s.true]
    k = rng.choice([2, 3])
    chosen = rng.sample(true, k) + rng.sample(false, 5 - k)
    rng.shuffle(chosen)
    return [s.text for s in chosen]


def key(d: HessianData) -> list[Statement]:
    """The statements shown, in order, with whether each is true and why."""
    by_text = {s.text: s for s in STATEMENTS}
    return [by_text[text] for text in d["options"]]
