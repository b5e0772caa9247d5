"""The computed solution: H by each kind's closed form, its eigenvalues by numpy, κ, κ after the
change, and the largest stable learning rate 2/λmax."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dlexam.tasks.document import option_label
from dlexam.tasks.hessian.data import ErrorKind, HessianData, key
from dlexam.tasks.multipart import solved_per_variant

WHY_H = {ErrorKind.DATA: "∂²E/∂w∂wᵀ = 2/N Σ_n x_n x_nᵀ = 2/N·XᵀX.",
         ErrorKind.SCALED: "∂²E/∂w∂wᵀ = 2/N Σ_n x_n x_nᵀ = 2/N·XᵀX.",
         ErrorKind.LOGISTIC: "∂²E/∂w∂wᵀ = 1/N Σ_n σ'(t_n w·x_n)·x_n x_nᵀ (t_n² = 1), and σ'(0) = 1/4: "
                             "H = 1/(4N)·XᵀX.",
         ErrorKind.GAUSSIAN: "∂²E/∂w∂wᵀ = 2·E[xxᵀ] = 2(Σ + μμᵀ).",
         ErrorKind.QUADRATIC: "The second derivatives: ∂²E/∂w1² = 2a, ∂²E/∂w1∂w2 = b, ∂²E/∂w2² = 2c."}


@dataclass(frozen=True)
class Solved:
    H: list[list[float]]
    eigenvalues: list[float]      # smallest first
    kappa: float
    kappa_after: float            # κ after the change of (d)
    lr: float                     # 2/λmax
    shift: float | None           # what the change adds to every eigenvalue (None: it does not shift)
    why_H: str
    why_change: str


def hessian_matrix(d: HessianData) -> Any:
    """H by the closed form of each kind (numpy 2×2)."""
    import numpy as np

    if ErrorKind(d["kind"]).on_data:
        x = np.asarray(d["X"], dtype=float)
        return (0.25 if d["kind"] == ErrorKind.LOGISTIC else 2.0) / len(x) * x.T @ x
    if d["kind"] == ErrorKind.GAUSSIAN:
        mu = np.asarray(d["mu"], dtype=float)
        return 2 * (np.asarray(d["Sigma"], dtype=float) + np.outer(mu, mu))
    a, b, c, _, _ = d["q"]
    return np.array([[2 * a, b], [b, 2 * c]], dtype=float)


def matrix_ok(h: Any) -> bool:
    """Well posed: clearly positive definite and not too badly conditioned."""
    import numpy as np

    lam = np.linalg.eigvalsh(np.asarray(h, dtype=float))
    return lam[0] > 0.05 and lam[-1] / lam[0] < 80


def _shift(d: HessianData) -> float | None:
    factor = {ErrorKind.DATA: 2.0, ErrorKind.LOGISTIC: 0.25, ErrorKind.QUADRATIC: 1.0}.get(d["kind"])
    return None if factor is None else factor * d["change"]


@solved_per_variant
def solved(d: HessianData) -> Solved:
    import numpy as np

    h = hessian_matrix(d)
    lam = np.linalg.eigvalsh(h)
    after, why = _after_change(d, h, lam)
    return Solved(h.tolist(), lam.tolist(), float(lam[1] / lam[0]), float(after[1] / after[0]), float(2 / lam[1]),
                  _shift(d), WHY_H[d["kind"]], why)


def _after_change(d: HessianData, h: Any, lam: Any) -> tuple[Any, str]:
    """The eigenvalues after the change of (d), and why."""
    import numpy as np

    kind, change, shift = d["kind"], d["change"], _shift(d)
    if kind == ErrorKind.GAUSSIAN:
        after = np.linalg.eigvalsh(2 * np.asarray(d["Sigma"], dtype=float))
        return after, "Centring removes μμᵀ: H' = 2Σ, with eigenvalues " + ", ".join(f"{x:.4g}" for x in after) + "."
    if kind == ErrorKind.SCALED:
        scale = np.diag(np.asarray(change, dtype=float))
        after = np.linalg.eigvalsh(scale @ h @ scale)
        return after, (f"x → Dx with D = diag({change[0]:g}, {change[1]:g}) gives H' = DHD, eigenvalues "
                       + ", ".join(f"{x:.4g}" for x in after)
                       + (": a common factor scales every eigenvalue alike, so κ stays." if change[0] == change[1]
                          else ": different factors stretch the axes differently, so κ changes."))
    after = lam + shift
    what = {ErrorKind.DATA: f"Noise adds σ²‖w‖² to the expected error, so H' = H + 2σ²I = H + {shift:g}·I",
            ErrorKind.LOGISTIC: f"At w = 0, E[x̃x̃ᵀ] = xxᵀ + σ²I, so H' = H + σ²/4·I = H + {shift:g}·I",
            ErrorKind.QUADRATIC: f"(λ/2)‖w‖² adds λI: H' = H + {shift:g}·I"}[kind]
    return after, f"{what}: every eigenvalue grows by {shift:g}, to {after[0]:.4g} and {after[1]:.4g}."


def true_options(d: HessianData) -> list[str]:
    return [option_label(i) for i, s in enumerate(key(d)) if s.true]


def answer(d: HessianData) -> dict[str, Any]:
    s = solved(d)
    return {"a": [[round(x, 10) for x in row] for row in s.H], "b": [round(x, 10) for x in s.eigenvalues],
            "c": round(s.kappa, 10), "d": round(s.kappa_after, 10), "e": round(s.lr, 10), "f": true_options(d)}


def answer_text(parts: dict[str, Any]) -> dict[str, str]:
    """The parts as typed at the prompt (full precision, so they read back to the same numbers)."""
    (h11, h12), (h21, h22) = parts["a"]
    return {"a": f"[[{h11!r}, {h12!r}], [{h21!r}, {h22!r}]]", "b": ", ".join(map(repr, parts["b"])),
            **{label: repr(parts[label]) for label in "cde"}, "f": ",".join(parts["f"])}


def steps(d: HessianData) -> list[str]:
    s = solved(d)
    h, lam = s.H, s.eigenvalues
    tr, det = h[0][0] + h[1][1], h[0][0] * h[1][1] - h[0][1] * h[1][0]
    return [f"(a) {s.why_H} H = [[{_f(h[0][0])}, {_f(h[0][1])}], [{_f(h[1][0])}, {_f(h[1][1])}]].",
            f"(b) det(H − λI) = λ² − {_f(tr)}·λ + {_f(det)} = 0, so λ = {_f(tr / 2)} ± "
            f"√({_f(tr * tr / 4)} − {_f(det)}): λ = {_f(lam[0])}, {_f(lam[1])}.",
            f"(c) κ = {_f(lam[1])}/{_f(lam[0])} = {_f(s.kappa)}.",
            f"(d) {s.why_change} κ' = {_f(s.kappa_after)}.",
            f"(e) Along the eigenvector of λmax each step multiplies the error by (1 − η·λmax); it shrinks "
            f"only while |1 − η·λmax| < 1, so η < 2/λmax = {_f(s.lr)}.",
            *[f"(f) {option_label(i)}) {'true' if st.true else 'false'}: {st.why}" for i, st in enumerate(key(d))]]


def _f(x: float) -> str:
    return f"{x:.4g}"
