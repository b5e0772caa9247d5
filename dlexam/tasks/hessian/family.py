"""Exam task 3 (optimization variant): the Hessian of an error function, its eigenvalues and
condition number, what centring / input noise / weight decay do to them, and the pros and cons
of adding noise to the data.

Kinds of error function (w = (w1, w2)):
- `data`: linear regression E(w) = 1/N Σ_n (w·x_n − t_n)² on a given small data set: H = 2/N XᵀX;
  the change asked for is Gaussian noise of variance σ² on every input (the expected error):
  H → H + 2σ²I, so κ = λ_max/λ_min falls.
- `scaled`: the same error and data; the change is scaling the inputs, x → (s1·x1, s2·x2):
  H → DHD with D = diag(s1, s2). A common factor s multiplies every eigenvalue by s² (κ stays,
  the stable learning rate shrinks by s²); different factors change κ.
- `gaussian`: the same error for inputs x ~ N(μ, Σ): H = 2(Σ + μμᵀ); the change is centring
  the inputs (μ → 0): H → 2Σ.
- `logistic`: E(w) = 1/N Σ log(1 + exp(−t_n w·x_n)) at w = 0: H = 1/(4N) XᵀX; noise σ² adds σ²/4·I.
- `quadratic`: a given quadratic form; the change is weight decay (λ/2)‖w‖²: H → H + λI.

Parts and points (8): (a) 2 — H, entrywise; (b) 1 — its eigenvalues, as a set; (c) 1 — κ;
(d) 1 — κ after the change; (e) 1 — the largest stable learning rate of gradient descent, 2/λ_max;
(f) 2 — pros and cons of adding noise, select all that apply (each option judged right earns
1/n, each judged wrong costs 1/n, never below 0). Numbers are right within 0.01 + 2 %.
Error carried forward: (b) may be the eigenvalues of the student's own H, (c), (d) and (e) may
follow from the student's own eigenvalues.

One-line answer: `a) [[2, 1], [1, 3]] ; b) 1.38, 3.62 ; c) 2.62 ; d) 1.9 ; e) 0.55 ; f) a,c`.
"""

from __future__ import annotations

import json
import math
import random
import re
from functools import lru_cache
from typing import Any

from dlexam.errors import InputError, VerificationError
from dlexam.tasks.document import Block, Code, Options, Text, option_label
from dlexam.tasks.model import Answer, Grade, PartGrade, Solution, TaskFamily, Variant
from dlexam.grading.numbers import close, number
from dlexam.tasks.parts import check_parts, split_parts, text_part

LABELS = "abcdef"
POINTS = {"a": 2.0, "b": 1.0, "c": 1.0, "d": 1.0, "e": 1.0, "f": 2.0}
REL = 0.02

# statements about adding noise to the inputs: (text, true?, why)
STATEMENTS = [
    ("It acts like an L2 penalty (weight decay) on w: it regularises and reduces overfitting.", True,
     "For squared error the expected noisy error is E(w) + σ²‖w‖² — Tikhonov regularisation (Bishop 1995)."),
    ("It adds a multiple of the identity to the Hessian, so the condition number falls and gradient descent "
     "converges faster.", True, "H → H + 2σ²I raises every eigenvalue by 2σ²: (λmax + 2σ²)/(λmin + 2σ²) < κ."),
    ("Too much noise biases the solution towards w = 0, so the model underfits.", True,
     "The penalty σ²‖w‖² pulls the minimiser towards 0; a large σ² dominates the data term."),
    ("It makes the model less sensitive to small perturbations of the input.", True,
     "Training on perturbed inputs asks for the same output near every x: small ‖w‖, a flat f."),
    ("Fresh noise in every epoch makes the gradients noisier, so more iterations may be needed.", True,
     "The gradient becomes a random estimate of the expected one: more variance, slower settling."),
    ("It increases the condition number of the Hessian, so optimisation gets harder.", False,
     "Adding 2σ²I raises the small eigenvalue relatively more than the large one: κ decreases."),
    ("It leaves the minimiser w* unchanged.", False,
     "The expected error gains σ²‖w‖², so its minimiser shrinks towards 0."),
    ("It multiplies the Hessian by (1 + σ²).", False,
     "Noise adds 2σ²I; it does not scale H (scaling would not change κ at all)."),
    ("It can make the Hessian singular.", False,
     "H + 2σ²I is positive definite for σ > 0 even when H is singular."),
]


# ---------------------------------------------------------------- posing


def _matrix_ok(h) -> bool:
    import numpy as np

    lam = np.linalg.eigvalsh(np.asarray(h, dtype=float))
    return lam[0] > 0.05 and lam[-1] / lam[0] < 80


def _draw(rng: random.Random, kind: str) -> dict[str, Any]:
    if kind in ("data", "logistic", "scaled"):
        n = rng.choice([3, 4])
        rows = [[rng.randint(-2, 3), rng.randint(-2, 3)] for _ in range(n)]
        targets = [rng.choice([-1, 1]) if kind == "logistic" else rng.randint(-2, 3) for _ in range(n)]
        change = rng.choice([[2, 1], [1, 2], [0.5, 1], [2, 2], [3, 3]]) if kind == "scaled" else \
            rng.choice([0.25, 0.5, 1.0])
        return {"X": rows, "t": targets, "change": change}
    if kind == "gaussian":
        s1, s2 = rng.choice([1, 2, 4]), rng.choice([1, 2, 4])
        r = rng.choice([v for v in (0, 0.5, -0.5, 1, -1) if v * v < s1 * s2])  # Σ positive definite
        return {"mu": [rng.randint(-2, 2), rng.randint(-2, 2)], "Sigma": [[s1, r], [r, s2]], "change": 0}
    a, c = rng.choice([0.5, 1, 2, 3]), rng.choice([0.5, 1, 2, 3])
    return {"q": [a, rng.choice([-2, -1, 0, 1, 2]), c, rng.randint(-3, 3), rng.randint(-3, 3)],
            "change": rng.choice([0.5, 1.0, 2.0])}


class Hessian(TaskFamily):
    name = "hessian"
    title = "Hessian, condition number and noise"
    topic = "Task 3: optimization"
    points = sum(POINTS.values())

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        kind = rng.choice(["data", "data", "scaled", "gaussian", "logistic", "quadratic"])
        while True:
            data = {"kind": kind, **_draw(rng, kind)}
            if _matrix_ok(hessian_matrix(data)):
                break
        true = [s for s in STATEMENTS if s[1]]
        false = [s for s in STATEMENTS if not s[1]]
        k = rng.choice([2, 3])
        chosen = rng.sample(true, k) + rng.sample(false, 5 - k)
        rng.shuffle(chosen)
        data["options"] = [s[0] for s in chosen]
        return data

    def document(self, variant: Variant) -> list[Block]:
        d = variant.data
        blocks: list[Block] = []
        if d["kind"] in ("data", "logistic", "scaled"):
            rows = "\n".join(f"x{i + 1} = ({x[0]}, {x[1]})   t{i + 1} = {t}" for i, (x, t) in enumerate(zip(d["X"], d["t"])))
            error = ("E(w) = 1/N Σ_n (w·x_n − t_n)²" if d["kind"] != "logistic"
                     else "E(w) = 1/N Σ_n log(1 + exp(−t_n·w·x_n)), looked at in w = 0")
            blocks += [Text(f"Error function {error} of w = (w1, w2), on the N = {len(d['X'])} examples:"),
                       Code(rows, "text")]
            if d["kind"] == "scaled":
                s1, s2 = d["change"]
                change = f"scale the inputs: multiply every first component by {s1:g} and every second by {s2:g}"
            else:
                change = (f"add Gaussian noise of variance σ² = {d['change']:g} to every input component "
                          f"(independent, mean 0; take the expected error)")
        elif d["kind"] == "gaussian":
            (s11, s12), (_, s22) = d["Sigma"]
            blocks.append(Text(f"Error function E(w) = E[(w·x − t)²] of w = (w1, w2) for inputs x ~ N(μ, Σ) with "
                               f"μ = ({d['mu'][0]}, {d['mu'][1]}) and Σ = [[{s11}, {s12}], [{s12}, {s22}]]."))
            change = "centre the inputs (subtract the mean μ from every x)"
        else:
            a, b, c, p, q = d["q"]
            blocks.append(Text(f"Error function E(w1, w2) = {a}·w1² + {b}·w1·w2 + {c}·w2² + {p}·w1 + {q}·w2."))
            change = f"add weight decay (λ/2)·‖w‖² with λ = {d['change']:g}"
        blocks += [
            Text("(a) Calculate the Hessian H of E" + (" at w = 0." if d["kind"] == "logistic" else ".")),
            Text("(b) Give its eigenvalues."),
            Text("(c) Give the condition number κ = λmax/λmin."),
            Text(f"(d) Now {change}. What is the condition number now?"),
            Text("(e) Gradient descent w ← w − η·∇E on the original E: what is the largest learning rate η up to "
                 "which it converges from every start?"),
            Text("(f) Which statements about adding noise to the input data are true?"),
            Options(tuple(d["options"]), True),
        ]
        return blocks

    def answer_hint(self, variant: Variant) -> str:
        return ("one line `a) [[h11, h12], [h21, h22]] ; b) λ1, λ2 ; c) κ ; d) κ' ; e) η ; f) a,c` "
                "(numbers like 0.25 or 1/4)")

    # --- solving ----------------------------------------------------------------------------

    def solve(self, variant: Variant) -> Solution:
        d = variant.data
        s = _solved(d)
        h, lam = s["H"], s["eigenvalues"]
        fmt = lambda x: f"{x:.4g}"
        matrix = f"[[{fmt(h[0][0])}, {fmt(h[0][1])}], [{fmt(h[1][0])}, {fmt(h[1][1])}]]"
        tr, det = h[0][0] + h[1][1], h[0][0] * h[1][1] - h[0][1] * h[1][0]
        steps = [f"(a) {s['why_H']} H = {matrix}.",
                 f"(b) det(H − λI) = λ² − {fmt(tr)}·λ + {fmt(det)} = 0, so λ = {fmt(tr / 2)} ± "
                 f"√({fmt(tr * tr / 4)} − {fmt(det)}): λ = {fmt(lam[0])}, {fmt(lam[1])}.",
                 f"(c) κ = {fmt(lam[1])}/{fmt(lam[0])} = {fmt(s['kappa'])}.",
                 f"(d) {s['why_change']} κ' = {fmt(s['kappa_after'])}.",
                 f"(e) Along the eigenvector of λmax each step multiplies the error by (1 − η·λmax); it shrinks "
                 f"only while |1 − η·λmax| < 1, so η < 2/λmax = {fmt(s['lr'])}."]
        key = _key(d)
        steps += [f"(f) {option_label(i)}) {'true' if ok else 'false'}: {why}" for i, (ok, why) in enumerate(key)]
        answer = {"a": [[round(x, 10) for x in row] for row in h], "b": [round(x, 10) for x in lam],
                  "c": round(s["kappa"], 10), "d": round(s["kappa_after"], 10), "e": round(s["lr"], 10),
                  "f": [option_label(i) for i, (ok, _) in enumerate(key) if ok]}
        return Solution(Answer(answer), steps)

    def verify(self, variant: Variant, solution: Solution) -> None:
        import numpy as np

        d = variant.data
        s = _solved(d)
        auto = torch_hessian(d, changed=False)
        if not np.allclose(auto, s["H"], atol=1e-9):
            raise VerificationError(f"torch.autograd's Hessian {auto.tolist()} differs from {s['H']}.")
        after = torch_hessian(d, changed=True)
        lam_after = _closed_form_eigenvalues(after)
        if not math.isclose(lam_after[1] / lam_after[0], s["kappa_after"], rel_tol=1e-7):  # sqrt of a ~0 discriminant
            raise VerificationError("The changed Hessian's condition number disagrees with torch.")
        if not np.allclose(_closed_form_eigenvalues(np.asarray(s["H"])), s["eigenvalues"], atol=1e-9):
            raise VerificationError("numpy's eigenvalues disagree with the characteristic polynomial.")
        for factor, converges in ((0.98, True), (1.02, False)):
            if _gradient_descent_converges(np.asarray(s["H"]), factor * s["lr"]) != converges:
                raise VerificationError(f"Gradient descent with η = {factor}·2/λmax does not behave as stated.")
        if solution.answer.parts["f"] != [option_label(i) for i, (ok, _) in enumerate(_key(d)) if ok]:
            raise VerificationError("The chosen statements are not the true ones.")

    # --- grading ----------------------------------------------------------------------------

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        parts = split_parts(text, LABELS)
        return Answer(_read(parts, len(variant.data["options"])))

    def grade(self, variant: Variant, answer: Answer) -> Grade:
        import numpy as np

        d = variant.data
        parts = _read(check_parts(answer.parts, LABELS), len(d["options"]))
        s = _solved(d)
        grades = [_grade_matrix(parts.get("a"), s["H"])]
        own_lam = None
        if parts.get("a") is not None:
            h = np.asarray(parts["a"], dtype=float)
            own_lam = sorted(np.linalg.eigvals((h + h.T) / 2).real.tolist())
        grades.append(_grade_eigenvalues(parts.get("b"), s["eigenvalues"], own_lam))
        lam = sorted(parts["b"]) if parts.get("b") is not None and len(parts["b"]) == 2 else None
        own = lambda f: f(lam) if lam and lam[0] > 0 else None
        shift = s["shift"]
        grades.append(_grade_number("c", parts.get("c"), s["kappa"], own(lambda l: l[1] / l[0]), "κ"))
        grades.append(_grade_number("d", parts.get("d"), s["kappa_after"],
                                    own(lambda l: (l[1] + shift) / (l[0] + shift)) if shift is not None else None,
                                    "κ after the change"))
        grades.append(_grade_number("e", parts.get("e"), s["lr"], own(lambda l: 2 / l[1]), "2/λmax"))
        grades.append(_grade_choice(parts.get("f"), d))
        return Grade(grades)

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        parts = json.loads(json.dumps(answer.parts))
        kind = rng.choice(["half", "kappa", "lr", "choice"])
        if kind == "half":   # forgetting the factor 2 of the squared error, carried through consistently
            parts["a"] = [[x / 2 for x in row] for row in parts["a"]]
            parts["b"] = [x / 2 for x in parts["b"]]
            parts["e"] = parts["e"] * 2
        elif kind == "kappa":  # 1/κ, or the difference of the eigenvalues where κ = 1
            parts["c"] = 1 / parts["c"] if parts["c"] != 1 else parts["b"][-1] - parts["b"][0]
        elif kind == "lr":
            parts["e"] = parts["e"] / 2     # 1/λmax instead of 2/λmax
        else:
            flip = option_label(rng.randrange(len(variant.data["options"])))
            parts["f"] = sorted(set(parts["f"]) ^ {flip})
        return Answer(parts)


# ---------------------------------------------------------------- the solution


def hessian_matrix(d: dict[str, Any]):
    """H by the closed form of each kind (numpy 2×2)."""
    import numpy as np

    if d["kind"] in ("data", "logistic", "scaled"):
        x = np.asarray(d["X"], dtype=float)
        return (0.25 if d["kind"] == "logistic" else 2.0) / len(x) * x.T @ x
    if d["kind"] == "gaussian":
        mu = np.asarray(d["mu"], dtype=float)
        return 2 * (np.asarray(d["Sigma"], dtype=float) + np.outer(mu, mu))
    a, b, c, _, _ = d["q"]
    return np.array([[2 * a, b], [b, 2 * c]], dtype=float)


def _solved(d: dict[str, Any]) -> dict[str, Any]:
    return _solved_cached(json.dumps({k: v for k, v in d.items() if k != "options"}, sort_keys=True))


@lru_cache(maxsize=256)
def _solved_cached(key: str) -> dict[str, Any]:
    import numpy as np

    d = json.loads(key)
    h = hessian_matrix(d)
    lam = np.linalg.eigvalsh(h)
    kind, change = d["kind"], d["change"]
    shift = None if kind in ("gaussian", "scaled") else \
        {"data": 2 * change, "logistic": change / 4, "quadratic": change}[kind]
    if kind == "gaussian":
        after = np.linalg.eigvalsh(2 * np.asarray(d["Sigma"], dtype=float))
        why = "Centring removes μμᵀ: H' = 2Σ, with eigenvalues " + ", ".join(f"{x:.4g}" for x in after) + "."
    elif kind == "scaled":
        scale = np.diag(np.asarray(change, dtype=float))
        after = np.linalg.eigvalsh(scale @ h @ scale)
        why = (f"x → Dx with D = diag({change[0]:g}, {change[1]:g}) gives H' = DHD, eigenvalues "
               + ", ".join(f"{x:.4g}" for x in after)
               + (": a common factor scales every eigenvalue alike, so κ stays." if change[0] == change[1]
                  else ": different factors stretch the axes differently, so κ changes."))
    else:
        after = lam + shift
        what = {"data": f"Noise adds σ²‖w‖² to the expected error, so H' = H + 2σ²I = H + {shift:g}·I",
                "logistic": f"At w = 0, E[x̃x̃ᵀ] = xxᵀ + σ²I, so H' = H + σ²/4·I = H + {shift:g}·I",
                "quadratic": f"(λ/2)‖w‖² adds λI: H' = H + {shift:g}·I"}[kind]
        why = f"{what}: every eigenvalue grows by {shift:g}, to {after[0]:.4g} and {after[1]:.4g}."
    why_h = {"data": "∂²E/∂w∂wᵀ = 2/N Σ_n x_n x_nᵀ = 2/N·XᵀX.",
             "scaled": "∂²E/∂w∂wᵀ = 2/N Σ_n x_n x_nᵀ = 2/N·XᵀX.",
             "logistic": "∂²E/∂w∂wᵀ = 1/N Σ_n σ'(t_n w·x_n)·x_n x_nᵀ (t_n² = 1), and σ'(0) = 1/4: H = 1/(4N)·XᵀX.",
             "gaussian": "∂²E/∂w∂wᵀ = 2·E[xxᵀ] = 2(Σ + μμᵀ).",
             "quadratic": "The second derivatives: ∂²E/∂w1² = 2a, ∂²E/∂w1∂w2 = b, ∂²E/∂w2² = 2c."}[kind]
    return {"H": h.tolist(), "eigenvalues": lam.tolist(), "kappa": float(lam[1] / lam[0]),
            "kappa_after": float(after[1] / after[0]), "lr": float(2 / lam[1]), "shift": shift,
            "why_H": why_h, "why_change": why}


def _key(d: dict[str, Any]) -> list[tuple[bool, str]]:
    by_text = {t: (ok, why) for t, ok, why in STATEMENTS}
    return [by_text[t] for t in d["options"]]


# ---------------------------------------------------------------- second methods (verify)


def _closed_form_eigenvalues(h) -> list[float]:
    """The roots of λ² − tr·λ + det (2×2), smallest first."""
    tr, det = h[0][0] + h[1][1], h[0][0] * h[1][1] - h[0][1] * h[1][0]
    root = math.sqrt(max(tr * tr / 4 - det, 0.0))
    return [tr / 2 - root, tr / 2 + root]


def _gradient_descent_converges(h, lr: float, steps: int = 400) -> bool:
    import numpy as np

    w = np.array([1.0, 0.37])   # not orthogonal to either eigenvector of a 2×2 H with rational entries
    start = np.linalg.norm(w)
    for _ in range(steps):
        w = w - lr * h @ w
    return bool(np.linalg.norm(w) < start)


def _sigma_points(mean, cov):
    """2d points whose mean and covariance are exactly `mean` and `cov` (the unscented transform)."""
    import numpy as np

    root = np.linalg.cholesky(np.asarray(cov, dtype=float)) * math.sqrt(len(mean))
    return np.concatenate([mean + root.T, mean - root.T])


def torch_hessian(d: dict[str, Any], changed: bool):
    """The Hessian of the error itself by torch.autograd.functional.hessian; with `changed`, of the
    error after the change (noise: averaged over sigma points of the noise, exactly its expectation)."""
    import numpy as np
    import torch

    kind = d["kind"]
    if kind == "quadratic":
        a, b, c, p, q = d["q"]
        decay = d["change"] if changed else 0.0
        f = lambda w: a * w[0] ** 2 + b * w[0] * w[1] + c * w[1] ** 2 + p * w[0] + q * w[1] + decay / 2 * (w ** 2).sum()
        return torch.autograd.functional.hessian(f, torch.zeros(2, dtype=torch.float64)).numpy()
    if kind == "gaussian":
        mu = np.zeros(2) if changed else np.asarray(d["mu"], dtype=float)
        x = _sigma_points(mu, d["Sigma"])
        t = np.zeros(len(x))
    else:
        x, t = np.asarray(d["X"], dtype=float), np.asarray(d["t"], dtype=float)
        if changed and kind == "scaled":
            x = x * np.asarray(d["change"], dtype=float)
        elif changed:
            noise = _sigma_points(np.zeros(2), np.eye(2) * d["change"])
            x = (x[:, None, :] + noise[None, :, :]).reshape(-1, 2)
            t = np.repeat(t, len(noise))
    xt, tt = torch.tensor(x), torch.tensor(t)
    if kind == "logistic":
        f = lambda w: torch.nn.functional.softplus(-tt * (xt @ w)).mean()
    else:
        f = lambda w: ((xt @ w - tt) ** 2).mean()
    return torch.autograd.functional.hessian(f, torch.zeros(2, dtype=torch.float64)).numpy()


# ---------------------------------------------------------------- reading and grading


_NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?:\s*/\s*(?:\d+\.?\d*|\.\d+))?"


def _numbers(value: Any, label: str, count: int) -> list[float]:
    """`[[2, 1], [1, 3]]`, `1.5, 2` or a JSON list (nested or flat): exactly `count` numbers."""
    if isinstance(value, list):
        flat = [x for row in value for x in (row if isinstance(row, list) else [row])]
        numbers = [number(x, label) for x in flat]
    else:
        text = text_part({label: value}, label)
        rest = re.sub(_NUMBER, " ", text)
        if re.search(r"[^\s\[\]\(\),;]", rest):
            raise InputError(f"Part {label}) must be {count} numbers, such as {'[[2, 1], [1, 3]]' if count == 4 else '1.5, 2'}.")
        numbers = [number(x, label) for x in re.findall(_NUMBER, text)]
    if len(numbers) != count:
        raise InputError(f"Part {label}) must be {count} numbers, not {len(numbers)}.")
    return numbers


def _read(parts: dict[str, Any], options: int) -> dict[str, Any]:
    """Validate and normalise the parts (InputError for anything unreadable)."""
    out: dict[str, Any] = {}
    if "a" in parts:
        h = _numbers(parts["a"], "a", 4)
        out["a"] = [h[:2], h[2:]]
    if "b" in parts:
        out["b"] = _numbers(parts["b"], "b", 2)
    for label in "cde":
        if label in parts:
            out[label] = number(parts[label], label)
    if "f" in parts:
        value = parts["f"]
        labels = value if isinstance(value, list) else re.split(r"[\s,]+", text_part(parts, "f").strip().lower())
        valid = {option_label(i) for i in range(options)}
        if not all(isinstance(c, str) for c in labels):
            raise InputError("Part f) lists option letters such as a,c.")
        labels = [c.lower() for c in labels if c]
        if any(c not in valid for c in labels):
            raise InputError(f"Part f) lists option letters a-{option_label(options - 1)}, such as a,c.")
        out["f"] = sorted(set(labels))
    return out


def _grade_matrix(h, expected) -> PartGrade:
    points = POINTS["a"]
    if h is None:
        return PartGrade("a", 0.0, points, "a) Not answered.")
    wrong = [(i, j) for i in range(2) for j in range(2) if not close(h[i][j], expected[i][j], REL, 0.01)]
    shown = "[[" + "], [".join(", ".join(f"{x:.4g}" for x in row) for row in expected) + "]]"
    if not wrong:
        return PartGrade("a", points, points, f"a) Right: H = {shown}.")
    score = points * (4 - len(wrong)) / 4 if len(wrong) < 4 else 0.0
    where = ", ".join(f"H{i + 1}{j + 1}" for i, j in wrong)
    return PartGrade("a", score, points, f"a) Wrong entries {where}; H = {shown}.", {"wrong": wrong})


def _grade_eigenvalues(lam, expected, own) -> PartGrade:
    points = POINTS["b"]
    if lam is None:
        return PartGrade("b", 0.0, points, "b) Not answered.")
    got = sorted(lam)
    if all(close(a, b, REL, 0.01) for a, b in zip(got, expected)):
        return PartGrade("b", points, points, f"b) Right: λ = {expected[0]:.4g}, {expected[1]:.4g}.")
    if own is not None and all(close(a, b, REL, 0.01) for a, b in zip(got, own)):
        return PartGrade("b", points, points, "b) The eigenvalues of your H from a) (error carried forward); "
                         f"the right ones are {expected[0]:.4g}, {expected[1]:.4g}.", {"carried_forward": True})
    return PartGrade("b", 0.0, points, f"b) Expected λ = {expected[0]:.4g}, {expected[1]:.4g}, not "
                     f"{got[0]:g}, {got[1]:g}.")


def _grade_number(label: str, x, expected: float, own: float | None, what: str) -> PartGrade:
    points = POINTS[label]
    if x is None:
        return PartGrade(label, 0.0, points, f"{label}) Not answered.")
    if close(x, expected, REL, 0.01):
        return PartGrade(label, points, points, f"{label}) Right: {what} = {expected:.4g}.")
    if own is not None and close(x, own, REL, 0.01):
        return PartGrade(label, points, points, f"{label}) Follows from your eigenvalues in b) (error carried "
                         f"forward); the right value is {expected:.4g}.", {"carried_forward": True})
    return PartGrade(label, 0.0, points, f"{label}) Expected {what} = {expected:.4g}, not {x:g}.")


def _grade_choice(chosen, d: dict[str, Any]) -> PartGrade:
    points = POINTS["f"]
    if chosen is None:
        return PartGrade("f", 0.0, points, "f) Not answered.")
    key = _key(d)
    lines, right = [], 0
    for i, (ok, why) in enumerate(key):
        picked = option_label(i) in chosen
        if picked == ok:
            right += 1
        else:
            lines.append(f"   {option_label(i)}) {'chosen' if picked else 'left out'}, but it is "
                         f"{'true' if ok else 'false'}: {why}")
    score = points * max(0.0, (2 * right - len(key)) / len(key))
    return PartGrade("f", score, points, "\n".join([f"f) {right} of {len(key)} statements judged right.", *lines]),
                     {"correct": [option_label(i) for i, (ok, _) in enumerate(key) if ok]})
