"""Exam task 3, gradient, bound and regularization: ∂f/∂x of a small model, a bound of it in ‖w‖,
and how that bound guides the choice of regularization.

The exam's model (seed 000): f(x) = Σ_j w_j·exp(−½·Σ_i |x_i − c_ij|), so
∂f/∂x_i = −½·Σ_j w_j·exp(…)·sign(x_i − c_ij) and |∂f/∂x_i| ≤ ½‖w‖₁. Variants draw the kind
(that RBF model with a factor s, units φ(v_j·x − b_j) with φ = tanh, sigmoid or ReLU and
|v_ij| ≤ r, or a linear model w·x + b), the sizes n, m (2 or 3), the coordinate asked for,
and whether (b) bounds one coordinate |∂f/∂x_i| or the Euclidean norm ‖∂f/∂x‖₂.

Parts and points (6): (a) 2 — ∂f/∂x_k, by the equivalence checker (the unit outputs a_j may be
used), a counterexample when wrong; (b) 2 — the bound; (c) 2 — the explanation, against three
key points (grading/rubric.py).

The rule for (b). The bound must hold for every x, every choice of the other parameters (centres
c, first-layer weights v, biases b) and every w; it may use ‖w‖₁, ‖w‖₂, ‖w‖∞, n and m.
It is checked by SAMPLING weight vectors (random, sparse, equal magnitudes, scaled) and, for each,
the points where the gradient is largest (all centres at x with signs matching w, units at the
top of φ') plus random points: a point where the gradient exceeds the claimed bound is the
counterexample (0 points). A bound that is never exceeded earns full marks when it is attained
for some w (so ½‖w‖₁ and ½·√m·‖w‖₂ are both fine: Cauchy–Schwarz is tight for equal |w_j|),
and 1 point when it is loose by a constant factor for every w (‖w‖₁ for ½‖w‖₁ misses the
exam's ½). `‖w‖` without an index is read as the Euclidean norm ‖w‖₂, and the feedback says so.

One-line answer: `a) -1/2*w1*a1*sign(x1 - c11) - ... ; b) 1/2*||w||_1 ; c) penalising ||w|| ...`.
"""

from __future__ import annotations

import json
import random
import re
from functools import lru_cache
from typing import Any

from dlexam.errors import InputError, VerificationError
from dlexam.tasks.document import Block, Code, Text
from dlexam.tasks.model import Answer, Grade, PartGrade, Solution, TaskFamily, Variant
from dlexam.grading.rubric import KeyPoint, grade_rubric
from dlexam.tasks.parts import check_parts, split_parts, text_part

LABELS = "abc"
POINTS = {"a": 2.0, "b": 2.0, "c": 2.0}
LIPSCHITZ = {"tanh": 1.0, "sigmoid": 0.25, "relu": 1.0}   # sup |φ'|
NORMS = ("W1", "W2", "Winf")
KEY_POINTS = [
    KeyPoint("Penalise the norm ‖w‖ (weight decay / L1 or L2 regularisation: keep the weights small).",
             (("penal", "regulari", "weight decay", "decay", "constrain", "restrict", "limit", "small", "minimi",
               "shrink", "reduce", "lower", "keep"),
              ("w", "weight", "norm", "||w", "|| w", "‖w", "‖ w", "|w|", "l1", "l2", "parameter"))),
    KeyPoint("Then the gradient ∂f/∂x is bounded (small): f changes slowly with x — smooth, Lipschitz.",
             (("gradient", "derivative", "slope", "lipschitz", "smooth", "steep", "sensitiv", "∂f", "df/dx",
               "changes slow", "change slow", "varies slow", "vary slow"),)),
    KeyPoint("So the model generalises better: less overfitting, more robust to small input perturbations, "
             "noise and adversarial examples.",
             (("overfit", "over-fit", "generali", "robust", "adversar", "perturb", "noise", "variance", "stabl"),)),
]
MODEL_EXPLANATION = ("Penalising ‖w‖ (weight decay) keeps the bound on ‖∂f/∂x‖ small, so f cannot change quickly "
                     "with x: the model is smoother, overfits less and is more robust to small input "
                     "perturbations (and adversarial examples).")


# ---------------------------------------------------------------- posing


def make_data(kind: str, n: int, m: int, k: int, quantity: str, scale: str = "1",
              activation: str = "tanh") -> dict[str, Any]:
    """Variant data. kind: rbf | unit | linear; quantity: coordinate | euclidean; scale: s (rbf) or r (unit)."""
    if kind == "linear":
        m = n
        lines = ["f = " + " + ".join(f"w{i}*x{i}" for i in range(1, n + 1)) + " + b"]
    elif kind == "rbf":
        lines = [f"a{j} = exp(-{scale}*(" + " + ".join(f"abs(x{i} - c{i}{j})" for i in range(1, n + 1)) + "))"
                 for j in range(1, m + 1)]
    else:
        lines = [f"a{j} = {activation}(" + " + ".join(f"v{i}{j}*x{i}" for i in range(1, n + 1)) + f" - b{j})"
                 for j in range(1, m + 1)]
    if kind != "linear":
        lines.append("f = " + " + ".join(f"w{j}*a{j}" for j in range(1, m + 1)))
    return {"kind": kind, "n": n, "m": m, "k": k, "quantity": quantity, "scale": scale, "activation": activation,
            "program": "; ".join(lines)}


def exam_variant() -> Variant:
    """Seed 000's model: f(x) = Σ_j w_j·exp(−½·Σ_i |x_i − c_ij|), bound for |∂f/∂x_i|."""
    return Variant("gradient-bound", 0, make_data("rbf", 2, 2, 1, "coordinate", "1/2"))


class GradientBound(TaskFamily):
    name = "gradient-bound"
    title = "Gradient, bound and regularization"
    topic = "Task 3: gradient, bound and regularization"
    points = sum(POINTS.values())

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        kind = rng.choice(["rbf", "rbf", "unit", "unit", "linear"])
        n = rng.choice([2, 2, 3])
        m = rng.choice([2, 3]) if n == 2 else 2
        quantity = rng.choice(["coordinate", "coordinate", "euclidean"])
        scale = rng.choice(["1/2", "1", "2"]) if kind == "rbf" else rng.choice(["1", "2"])
        return make_data(kind, n, m, rng.randint(1, n), quantity, scale, rng.choice(list(LIPSCHITZ)))

    def document(self, variant: Variant) -> list[Block]:
        d = variant.data
        n, m, k = d["n"], d["m"], d["k"]
        xs = ", ".join(f"x{i}" for i in range(1, n + 1))
        code = d["program"].replace("; ", "\n").replace("*", "·")
        if d["kind"] == "rbf":
            where = (f"with centres c_ij (c{1}{1}, …: any real numbers) and weights w = (w1, …, w{m}), i.e. "
                     f"f(x) = Σ_j w_j·exp(−{d['scale']}·Σ_i |x_i − c_ij|).")
        elif d["kind"] == "unit":
            where = (f"with first-layer weights v_ij where |v_ij| <= {d['scale']}, any biases b_j and output "
                     f"weights w = (w1, …, w{m}).")
        else:
            where = f"with weights w = (w1, …, w{n}) and any bias b."
        what = ("|∂f/∂x_i| (for every coordinate i)" if d["quantity"] == "coordinate"
                else "the Euclidean norm ‖∂f/∂x‖₂ of the gradient")
        return [
            Text(f"A model computes f from the input x = ({xs}):"),
            Code(code, "text"),
            Text(where),
            Text(f"(a) Calculate ∂f/∂x{k}." + (" You may use the unit outputs a1, a2, …" if d["kind"] != "linear"
                                               else "")),
            Text(f"(b) Give an upper bound of {what} in terms of ‖w‖ that holds for every x and every choice of "
                 f"the other parameters. Write norms as `||w||_1`, `||w||_2`, `||w||_inf`; n = {n} and m = {m} "
                 f"may be used."),
            Text("(c) Explain in 1-2 sentences how this bound helps with choosing the regularization."),
        ]

    def answer_hint(self, variant: Variant) -> str:
        return ("one line `a) ∂f/∂x… ; b) bound such as 1/2*||w||_1 ; c) your explanation` "
                "(sign(z), Heaviside(z), tanh'(z), a1, a2 may be used)")

    # --- solving ----------------------------------------------------------------------------

    def solve(self, variant: Variant) -> Solution:
        s = _solved(variant.data)
        d = variant.data
        steps = [f"(a) f = Σ_j w_j·a_j, so ∂f/∂x{d['k']} = Σ_j w_j·∂a_j/∂x{d['k']} = {s['gradient']}.",
                 f"(b) {s['why']} So {s['quantity']} <= {s['bound_text']}.",
                 f"(c) {MODEL_EXPLANATION}"]
        return Solution(Answer({"a": s["gradient"], "b": s["bound"], "c": MODEL_EXPLANATION}), steps)

    def verify(self, variant: Variant, solution: Solution) -> None:
        data = variant.data
        s = _solved(data)
        for seed in range(3):   # the symbolic gradient against torch.autograd at random points
            rng = random.Random(seed)
            values = {name: rng.uniform(-2, 2) for name in _program(data["program"]).inputs}
            for name in values:
                if name.startswith("v"):
                    values[name] = rng.uniform(-1, 1) * _scale(data)
            auto = _torch_gradient(data, values)
            sym = _gradient_values(data, {kk: [vv] for kk, vv in values.items()})
            if any(abs(a - b[0]) > 1e-8 * (1 + abs(a)) for a, b in zip(auto, sym)):
                raise VerificationError(f"At {values}: torch.autograd {auto}, symbolic {sym}.")
        bound = parse_bound(s["bound"])[0]
        report = check_bound(data, bound)
        if report["counterexample"] is not None:
            raise VerificationError(f"The model bound is exceeded: {report['counterexample']}.")
        if report["tightness"] < 0.99:
            raise VerificationError(f"The model bound is not attained (ratio {report['tightness']:.3f}).")

    # --- grading ----------------------------------------------------------------------------

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        parts = split_parts(text, LABELS)
        _validate(parts)
        return Answer(parts)

    def grade(self, variant: Variant, answer: Answer) -> Grade:
        parts = check_parts(answer.parts, LABELS)
        _validate(parts)
        s = _solved(variant.data)
        c_points, c_feedback, c_evidence = (0.0, "c) Not answered.", {}) if "c" not in parts else \
            grade_rubric(KEY_POINTS, parts["c"], POINTS["c"], "c")
        if "c" in parts:
            c_feedback = "c) " + c_feedback + f"\n   Model answer: {MODEL_EXPLANATION}"
        return Grade([_grade_a(parts.get("a"), variant.data, s), _grade_b(parts.get("b"), variant.data, s),
                      PartGrade("c", c_points, POINTS["c"], c_feedback, c_evidence)])

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        parts = dict(answer.parts)
        kind = rng.choice(["sign", "half", "double", "explanation"])
        if kind == "sign":
            parts["a"] = f"-({parts['a']})"
        elif kind in ("half", "double"):
            parts["b"] = f"{'1/2' if kind == 'half' else '2'}*({parts['b']})"
        else:
            parts["c"] = "It makes the training faster."
        return Answer(parts)


# ---------------------------------------------------------------- the solution


@lru_cache(maxsize=64)
def _program(source: str):
    from dlexam.engines.calculus import parse_program

    return parse_program(source)


def _scale(data: dict[str, Any]) -> float:
    a, _, b = data["scale"].partition("/")
    return float(a) / float(b or 1)


def _solved(data: dict[str, Any]) -> dict[str, str]:
    return _solved_cached(json.dumps(data, sort_keys=True))


@lru_cache(maxsize=256)
def _solved_cached(key: str) -> dict[str, str]:
    import sympy

    from dlexam.engines.calculus import diff
    from dlexam.engines.notation import symbol

    d = json.loads(key)
    program, k, n, kind, s = _program(d["program"]), d["k"], d["n"], d["kind"], d["scale"]
    x = symbol(f"x{k}")
    if kind == "linear":
        gradient = f"w{k}"
    else:   # Σ_j w_j·∂a_j/∂x_k, written with the unit outputs a_j where they appear
        terms = []
        for j in range(1, d["m"] + 1):
            a = program.expr(f"a{j}")
            terms.append(symbol(f"w{j}") * diff(a, x, primed=True).xreplace({a: symbol(f"a{j}")}))
        gradient = str(sympy.Add(*terms))
    coordinate = d["quantity"] == "coordinate"
    root = "" if coordinate else f"sqrt({n})*"
    if kind == "rbf":
        bound = f"{root}{s}*||w||_1"
        why = (f"|sign| <= 1 and 0 < exp(…) <= 1, so |∂f/∂x_i| <= {s}·Σ_j |w_j| = {s}·‖w‖₁ (equality in the limit "
               f"where all centres sit at x with sign(x_i − c_ij) = sign(w_j))"
               + ("." if coordinate else f"; the {n} coordinates together give ‖∂f/∂x‖₂ <= √{n}·{s}·‖w‖₁."))
    elif kind == "unit":
        lip = LIPSCHITZ[d["activation"]]
        factor = _fmt(lip * float(s))
        bound = f"{root}{factor}*||w||_1"
        why = (f"∂f/∂x_i = Σ_j w_j·{d['activation']}'(z_j)·v_ij with |{d['activation']}'| <= {_fmt(lip)} and "
               f"|v_ij| <= {s}, so |∂f/∂x_i| <= {factor}·‖w‖₁ (attained when v_ij = {s}·sign(w_j) and every z_j "
               f"is where {d['activation']}' is largest)"
               + ("." if coordinate else f"; over {n} coordinates ‖∂f/∂x‖₂ <= √{n}·{factor}·‖w‖₁."))
    else:
        bound = "||w||_inf" if coordinate else "||w||_2"
        why = ("∂f/∂x_i = w_i, so |∂f/∂x_i| <= max_i |w_i| = ‖w‖∞" if coordinate
               else "∂f/∂x = w, so ‖∂f/∂x‖₂ = ‖w‖₂ exactly")
    quantity = "|∂f/∂x_i|" if coordinate else "‖∂f/∂x‖₂"
    return {"gradient": gradient, "bound": bound, "bound_text": bound.replace("*", "·"), "why": why,
            "quantity": quantity}


def _fmt(x: float) -> str:
    return f"{x:g}" if x >= 1 or x * 4 not in (1.0, 2.0) else {0.25: "1/4", 0.5: "1/2"}[x]


def _gradient_values(data: dict[str, Any], values: dict[str, Any]) -> list:
    """∂f/∂x_i for every i (numpy arrays over the sample), from the symbolic gradient."""
    import numpy as np

    from dlexam.engines.calculus_numeric import evaluate
    from dlexam.engines.notation import symbol

    env = {symbol(k): np.asarray(v, dtype=float) for k, v in values.items()}
    size = len(next(iter(values.values())))
    return [np.broadcast_to(np.asarray(evaluate(e, env), dtype=float), (size,)) for e in _gradient_exprs(data["program"], data["n"])]


@lru_cache(maxsize=64)
def _gradient_exprs(source: str, n: int):
    from dlexam.engines.calculus import gradient

    return tuple(gradient(_program(source), [f"x{i}" for i in range(1, n + 1)], "f"))


def _torch_gradient(data: dict[str, Any], values: dict[str, float]) -> list[float]:
    """∂f/∂x by torch.autograd, the model written out again in torch."""
    import torch

    v = {k: torch.tensor(x, dtype=torch.float64) for k, x in values.items()}
    n, m = data["n"], data["m"]
    x = torch.tensor([values[f"x{i}"] for i in range(1, n + 1)], dtype=torch.float64, requires_grad=True)
    if data["kind"] == "linear":
        f = sum(v[f"w{i}"] * x[i - 1] for i in range(1, n + 1)) + v["b"]
    elif data["kind"] == "rbf":
        s = _scale(data)
        f = sum(v[f"w{j}"] * torch.exp(-s * sum(torch.abs(x[i - 1] - v[f"c{i}{j}"]) for i in range(1, n + 1)))
                for j in range(1, m + 1))
    else:
        act = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu}[data["activation"]]
        f = sum(v[f"w{j}"] * act(sum(v[f"v{i}{j}"] * x[i - 1] for i in range(1, n + 1)) - v[f"b{j}"])
                for j in range(1, m + 1))
    f.backward()
    return x.grad.tolist()


# ---------------------------------------------------------------- bounds: reading and sampling


_NORM = re.compile(r"(?:‖\s*w\s*‖|\|\|\s*w\s*\|\||\|\s*w\s*\|)\s*(?:_?\s*\{?\s*(1|2|∞|inf|max)\s*\}?|([₁₂]))?")


def parse_bound(text: str):
    """(SymPy expression in W1, W2, Winf, n, m; whether an unindexed ‖w‖ was read as ‖w‖₂)."""
    from dlexam.engines.notation import parse_expression

    if not isinstance(text, str) or not text.strip():
        raise InputError("The bound is empty.")
    plain_norm = False

    def norm(m: re.Match) -> str:
        nonlocal plain_norm
        index = m.group(1) or {"₁": "1", "₂": "2"}.get(m.group(2) or "", "")
        if not index:
            plain_norm = True
        return {"1": " W1 ", "2": " W2 ", "": " W2 "}.get(index, " Winf ")

    clean = text.replace("½", "(1/2)").replace("¼", "(1/4)")
    clean = re.sub(r"√\s*(\w+)", r"sqrt(\1)", clean)
    clean = re.sub(r"norm(1|2|inf)\s*\(\s*w\s*\)", lambda m: f" W{m.group(1)} ", clean)
    clean = _NORM.sub(norm, clean)
    expr = parse_expression(clean, frozenset({"W1", "W2", "Winf", "n", "m"}))
    extra = sorted(s.name for s in expr.free_symbols if s.name not in ("W1", "W2", "Winf", "n", "m"))
    if extra:
        raise InputError(f"A bound may use ||w||_1, ||w||_2, ||w||_inf, n and m, not {extra[0]!r}.")
    return expr, plain_norm


def _weight_samples(m: int, rng) -> Any:
    """Weight vectors: random, sparse, equal magnitudes with random signs, and scaled up and down."""
    import numpy as np

    rows = [np.ones((1, m)), np.eye(m), -np.eye(m) * 3, rng.choice([-1.0, 1.0], size=(6, m)),
            rng.normal(size=(12, m))]   # simple ones first: they make the shortest counterexamples
    w = np.concatenate(rows)
    return np.concatenate([w, w * 20, w * 0.01])


def _worst_points(data: dict[str, Any], w) -> dict[str, Any]:
    """For each weight vector, the other values where the gradient is (nearly) largest."""
    import numpy as np

    n, m, count = data["n"], data["m"], len(w)
    values: dict[str, Any] = {f"x{i}": np.zeros(count) for i in range(1, n + 1)}
    sign = np.where(w >= 0, 1.0, -1.0)
    for j in range(1, m + 1):
        values[f"w{j}"] = w[:, j - 1]
        if data["kind"] == "rbf":   # centres just beside x = 0, sign(x_i − c_ij) = sign(w_j)
            for i in range(1, n + 1):
                values[f"c{i}{j}"] = -1e-9 * sign[:, j - 1]
        elif data["kind"] == "unit":
            for i in range(1, n + 1):
                values[f"v{i}{j}"] = _scale(data) * sign[:, j - 1]
            values[f"b{j}"] = np.full(count, -1.0 if data["activation"] == "relu" else 0.0)
    if data["kind"] == "linear":
        values["b"] = np.zeros(count)
    return values


def _random_points(data: dict[str, Any], w, rng) -> dict[str, Any]:
    values = _worst_points(data, w)
    for name in values:
        if name.startswith(("x", "c", "b")):
            values[name] = rng.normal(size=len(w))
        elif name.startswith("v"):
            values[name] = rng.uniform(-1, 1, size=len(w)) * _scale(data)
    return values


def check_bound(data: dict[str, Any], bound, seed: int = 0) -> dict[str, Any]:
    """Sample: the first point where the gradient exceeds `bound` (or None), and how tight it is
    (max over the sampled w of model bound / claimed bound: 1 when attained for some w)."""
    import numpy as np

    from dlexam.engines.calculus_numeric import evaluate
    from dlexam.engines.notation import symbol

    rng = np.random.default_rng(seed)
    m, n = data["m"], data["n"]
    w = _weight_samples(m, rng)
    norms = {symbol("W1"): np.abs(w).sum(1), symbol("W2"): np.sqrt((w ** 2).sum(1)),
             symbol("Winf"): np.abs(w).max(1), symbol("n"): np.float64(n), symbol("m"): np.float64(m)}
    claimed = np.broadcast_to(np.asarray(evaluate(bound, norms), dtype=float), (len(w),))
    model = np.broadcast_to(np.asarray(evaluate(parse_bound(_solved(data)["bound"])[0], norms), dtype=float),
                            (len(w),))
    for values in (_worst_points(data, w), _random_points(data, w, rng)):
        grad = np.array(_gradient_values(data, values))
        size = np.abs(grad).max(0) if data["quantity"] == "coordinate" else np.sqrt((grad ** 2).sum(0))
        over = ~(size <= claimed * (1 + 1e-9) + 1e-12)   # NaN in the bound counts as exceeded
        if over.any():
            i = int(np.flatnonzero(over)[0])
            point = {k: round(float(v[i]), 9) for k, v in values.items()}
            return {"counterexample": point, "gradient": float(size[i]), "claimed": float(claimed[i]),
                    "tightness": 0.0}
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(claimed > 0, model / claimed, np.inf)
    return {"counterexample": None, "tightness": float(np.nanmax(ratio))}


# ---------------------------------------------------------------- grading the parts


def _validate(parts: dict[str, Any]) -> None:
    from dlexam.engines.notation import parse_expression

    if "a" in parts:
        parse_expression(_clean(text_part(parts, "a")))
    if "b" in parts:
        parse_bound(text_part(parts, "b"))
    if "c" in parts and not isinstance(parts["c"], list):
        text_part(parts, "c")


def _clean(text: str) -> str:
    return re.sub(r"\bH\(", "Heaviside(", text.replace("½", "(1/2)"))


def _grade_a(value, data: dict[str, Any], s: dict[str, str]) -> PartGrade:
    from dlexam.engines.equivalence import check

    points, k = POINTS["a"], data["k"]
    if value is None:
        return PartGrade("a", 0.0, points, "a) Not answered.")
    program = _program(data["program"])
    verdict = check(_gradient_exprs(data["program"], data["n"])[k - 1], _clean(text_part({"a": value}, "a")),
                    program.inputs + program.names, inline=program.substitutions, time_limit=1.0)
    if verdict.equivalent:
        return PartGrade("a", points, points, f"a) Right: ∂f/∂x{k} = {s['gradient']}.")
    if verdict.equivalent is None:
        return PartGrade("a", 0.0, points, f"a) Could not check your answer ({verdict.reason}); expected "
                         f"∂f/∂x{k} = {s['gradient']}.", {"reason": verdict.reason})
    point = ", ".join(f"{n} = {v:g}" for n, v in verdict.counterexample.items())
    values = "" if verdict.expected_value is None or verdict.answer_value is None else \
        f" (the right value is {verdict.expected_value:.6g}, yours {verdict.answer_value:.6g})"
    return PartGrade("a", 0.0, points, f"a) Expected ∂f/∂x{k} = {s['gradient']}; yours differs at {point}{values}.",
                     {"counterexample": verdict.counterexample})


def _grade_b(value, data: dict[str, Any], s: dict[str, str]) -> PartGrade:
    points = POINTS["b"]
    if value is None:
        return PartGrade("b", 0.0, points, "b) Not answered.")
    bound, plain_norm = parse_bound(text_part({"b": value}, "b"))
    note = " (‖w‖ without an index is read as the Euclidean norm ‖w‖₂.)" if plain_norm else ""
    report = check_bound(data, bound)
    if report["counterexample"] is not None:
        point = ", ".join(f"{k} = {v:g}" for k, v in report["counterexample"].items())
        return PartGrade("b", 0.0, points,
                         f"b) Your bound is exceeded: at {point}, {s['quantity']} = {report['gradient']:.6g} > "
                         f"{report['claimed']:.6g}.{note} A valid bound: {s['bound_text']}.", report)
    if report["tightness"] < 0.99:
        return PartGrade("b", points / 2, points,
                         f"b) A valid bound, but looser than needed by a factor of at least "
                         f"{1 / report['tightness']:.3g} for every w;{note} the tight one is {s['bound_text']}.",
                         report)
    return PartGrade("b", points, points, f"b) Right: a valid bound that is attained.{note} "
                     f"(Model answer: {s['bound_text']}.)", report)
