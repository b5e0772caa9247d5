"""The second methods `verify` uses, each on one part of the solution it is given:
(a) the Hessian of the error itself by torch.autograd; (b) the roots of the characteristic polynomial
of that Hessian; (c) their ratio; (d) the same for torch's Hessian of the changed error (input noise
averaged exactly over sigma points); (e) gradient descent run just below and just above the rate;
(f) the statements' key."""

from __future__ import annotations

import math
from typing import Any

from dlexam.grading.numbers import number
from dlexam.tasks.hessian.data import ErrorKind, HessianData
from dlexam.tasks.hessian.solution import true_options
from dlexam.tasks.model import Answer
from dlexam.tasks.multipart import PartCheck, verify_parts

REL = 1e-7   # the solution's numbers are rounded to 10 decimals


def _sigma_points(mean: Any, cov: Any) -> Any:
    """2d points whose mean and covariance are exactly `mean` and `cov` (the unscented transform)."""
    import numpy as np

    root = np.linalg.cholesky(np.asarray(cov, dtype=float)) * math.sqrt(len(mean))
    return np.concatenate([mean + root.T, mean - root.T])


def _inputs(d: HessianData, changed: bool) -> tuple[Any, Any]:
    """The inputs and targets the error averages over (after the change, with `changed`)."""
    import numpy as np

    if d["kind"] == ErrorKind.GAUSSIAN:
        x = _sigma_points(np.zeros(2) if changed else np.asarray(d["mu"], dtype=float), d["Sigma"])
        return x, np.zeros(len(x))
    x, t = np.asarray(d["X"], dtype=float), np.asarray(d["t"], dtype=float)
    if changed and d["kind"] == ErrorKind.SCALED:
        return x * np.asarray(d["change"], dtype=float), t
    if changed:   # noise: every input with every sigma point of N(0, σ²I) added
        noise = _sigma_points(np.zeros(2), np.eye(2) * d["change"])
        return (x[:, None, :] + noise[None, :, :]).reshape(-1, 2), np.repeat(t, len(noise))
    return x, t


def torch_hessian(d: HessianData, changed: bool) -> Any:
    """The Hessian of the error function itself (after the change, with `changed`) by
    torch.autograd.functional.hessian, at w = 0."""
    import torch

    w0 = torch.zeros(2, dtype=torch.float64)
    if d["kind"] == ErrorKind.QUADRATIC:
        a, b, c, p, q = d["q"]
        decay = d["change"] if changed else 0.0
        f = lambda w: a * w[0] ** 2 + b * w[0] * w[1] + c * w[1] ** 2 + p * w[0] + q * w[1] + decay / 2 * (w ** 2).sum()
        return torch.autograd.functional.hessian(f, w0).numpy()
    x, t = (torch.tensor(a) for a in _inputs(d, changed))
    if d["kind"] == ErrorKind.LOGISTIC:
        f = lambda w: torch.nn.functional.softplus(-t * (x @ w)).mean()
    else:
        f = lambda w: ((x @ w - t) ** 2).mean()
    return torch.autograd.functional.hessian(f, w0).numpy()


def closed_form_eigenvalues(h: Any) -> list[float]:
    """The roots of λ² − tr·λ + det (2×2), smallest first."""
    tr, det = h[0][0] + h[1][1], h[0][0] * h[1][1] - h[0][1] * h[1][0]
    root = math.sqrt(max(tr * tr / 4 - det, 0.0))
    return [tr / 2 - root, tr / 2 + root]


def gradient_descent_converges(h: Any, lr: float, steps: int = 400) -> bool:
    import numpy as np

    w = np.array([1.0, 0.37])   # not orthogonal to either eigenvector of a 2×2 H with rational entries
    start = np.linalg.norm(w)
    with np.errstate(over="ignore", invalid="ignore"):   # a diverging run may overflow: it still diverges
        for _ in range(steps):
            w = w - lr * h @ w
        return bool(np.linalg.norm(w) < start)


def _differs(given: Any, expected: list[float]) -> bool:
    flat = [number(x, "?") for x in given]
    return len(flat) != len(expected) or not all(
        math.isclose(a, b, rel_tol=REL, abs_tol=1e-9) for a, b in zip(flat, expected))


def _check_matrix(h: Any, auto: Any) -> str | None:
    if _differs([x for row in h for x in row], auto.ravel().tolist()):
        return f"is not torch.autograd's Hessian {auto.tolist()}"
    return None


def _check_eigenvalues(lam: Any, expected: list[float]) -> str | None:
    given = sorted(number(x, "b") for x in lam)
    return f"are not the roots {expected} of the characteristic polynomial" if _differs(given, expected) else None


def _check_ratio(kappa: Any, lam: list[float], what: str) -> str | None:
    return f"is not {what} = {lam[1] / lam[0]:.8g}" if _differs([kappa], [lam[1] / lam[0]]) else None


def _check_rate(lr: Any, auto: Any) -> str | None:
    rate = number(lr, "e")
    for factor, converges in ((0.98, True), (1.02, False)):
        if gradient_descent_converges(auto, factor * rate) != converges:
            return f"is not the limit: gradient descent with η = {factor}·{rate:.6g} " + \
                ("diverges" if converges else "still converges")
    return None


def verify_answer(d: HessianData, answer: Answer) -> None:
    auto, after = torch_hessian(d, changed=False), torch_hessian(d, changed=True)
    lam = closed_form_eigenvalues(auto)
    checks: dict[str, PartCheck] = {
        "a": lambda h: _check_matrix(h, auto),
        "b": lambda b: _check_eigenvalues(b, lam),
        "c": lambda c: _check_ratio(c, lam, "λmax/λmin of torch's Hessian"),
        "d": lambda k: _check_ratio(k, closed_form_eigenvalues(after), "λmax/λmin after the change"),
        "e": lambda e: _check_rate(e, auto),
        "f": lambda f: None if sorted(f) == true_options(d) else "are not the true statements",
    }
    verify_parts(answer, checks)
