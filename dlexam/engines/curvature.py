"""The curvature of an error function at a point: Hessian, eigenvalues, condition number and
the largest stable learning rate, exact where SymPy can, checked by torch autograd.

    curvature("((w1 - 2)**2 + (3*w2 + 2)**2)/2", ["w1", "w2"]) -> Curvature(H = [[1, 0], [0, 9]], ...)

Gradient descent w ← w − η∇E on a quadratic error converges from every start iff every
eigenvalue λ of H satisfies |1 − ηλ| < 1, i.e. 0 < η < 2/λmax (and H is positive definite);
κ = λmax/λmin says how much slower the flattest direction converges than the steepest.
For a non-quadratic E these are the local facts at the point.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import sympy

from dlexam.engines.notation import parse_expression, sigmoid, symbol
from dlexam.errors import InputError, VerificationError

MAX_TEXT = 2000
MAX_VARIABLES = 8
EXACT_UP_TO = 3           # exact eigenvalues (radicals) for matrices up to 3×3 with exact entries
TOLERANCE = 1e-7
MAX_EXPONENT = 1000       # x**10**9 at x = 3 would be an exact integer of a billion digits


@dataclass(frozen=True)
class Curvature:
    expr: sympy.Expr                      # the error function, parsed
    point: dict[sympy.Symbol, sympy.Expr]  # the weights and their values, in --wrt order
    hessian: sympy.Matrix                 # exact entries at the point
    eigenvalues: list[float]              # ascending
    exact_eigenvalues: list[sympy.Expr] | None
    steps: list[str] = field(default_factory=list)

    @property
    def condition_number(self) -> float | None:
        """λmax/λmin, or None when λmin <= 0 (no minimum in every direction: κ is not defined)."""
        low, high = self.eigenvalues[0], self.eigenvalues[-1]
        return None if low <= TOLERANCE * max(1.0, abs(high)) else high / low

    @property
    def max_learning_rate(self) -> float | None:
        """2/λmax: gradient descent converges from every start for every η below it; None when
        some λ < 0 (it diverges along that direction for every η) or every λ is 0."""
        low, high = self.eigenvalues[0], self.eigenvalues[-1]
        if low < -TOLERANCE * max(1.0, abs(high)) or high <= TOLERANCE:
            return None
        return 2.0 / high


def parse_point(text: str | None, names: Sequence[str]) -> dict[str, sympy.Expr]:
    """`w1=0,w2=1/2` -> exact values; every name defaults to 0."""
    point = {name: sympy.Integer(0) for name in names}
    for item in filter(None, (part.strip() for part in (text or "").split(","))):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in point:
            raise InputError(f"--at takes name=value pairs of the --wrt variables ({', '.join(names)}), not {item!r}.")
        number = parse_expression(value)
        if number.free_symbols or not number.is_finite:
            raise InputError(f"The value of {name} in --at must be a number, not {value.strip()!r}.")
        point[name] = sympy.nsimplify(number, rational=True) if number.is_Float else number
    return point


def curvature(text: str, names: Sequence[str], at: dict[str, sympy.Expr] | None = None) -> Curvature:
    """The Hessian of the expression in the variables `names` at the point `at` (default 0)."""
    symbols, expr = _parse(text, names)
    at = at or {name: sympy.Integer(0) for name in names}
    values = {s: at[s.name] for s in symbols}
    h = sympy.hessian(expr, symbols).xreplace(values)
    try:
        numeric = np.array(h.evalf(), dtype=float)
    except TypeError:   # DiracDelta(0), zoo, nan: a kink or pole at the point
        raise InputError("The expression is not twice differentiable at that point (try another --at).") from None
    if not np.isfinite(numeric).all():
        raise InputError("The Hessian at that point is too large for floating point (try another --at).")
    exact = _exact_eigenvalues(h)
    eigenvalues = ([float(x) for x in exact] if exact is not None
                   else sorted(float(x) for x in np.linalg.eigvalsh(numeric)))
    result = Curvature(expr, values, h, eigenvalues, exact)
    return replace(result, steps=_steps(expr, symbols, result, values))


def _parse(text: str, names: Sequence[str]) -> tuple[list[sympy.Symbol], sympy.Expr]:
    if len(text) > MAX_TEXT:
        raise InputError(f"The expression is longer than {MAX_TEXT} characters.")
    if not names or len(names) > MAX_VARIABLES or len(set(names)) != len(names):
        raise InputError(f"--wrt takes 1 to {MAX_VARIABLES} different variable names, such as w1,w2.")
    expr = parse_expression(text, set(names))
    symbols = [symbol(name) for name in names]
    if any(p.exp.is_number and abs(p.exp) > MAX_EXPONENT for p in expr.atoms(sympy.Pow)):
        raise InputError(f"Exponents above {MAX_EXPONENT} are not supported.")
    unknown = sorted({str(f.func) for f in expr.atoms(sympy.Function) if f.func not in _KNOWN})
    if unknown:
        raise InputError(f"The Hessian needs a concrete error function; {unknown[0]} is not one this command knows.")
    extra = sorted(str(s) for s in expr.free_symbols - set(symbols))
    if extra:
        raise InputError(f"The expression has symbols besides --wrt ({', '.join(extra)}); give them numbers.")
    return symbols, expr


def is_exact(h: sympy.Matrix) -> bool:
    """Entries that are algebraic numbers (fractions, roots): worth writing exactly."""
    return all(entry.is_algebraic and not entry.has(sympy.Float) for entry in h)


def _exact_eigenvalues(h: sympy.Matrix) -> list[sympy.Expr] | None:
    """The roots of det(H − λI) in radicals, for small matrices with exact entries."""
    if h.rows > EXACT_UP_TO or not is_exact(h):
        return None
    roots = sympy.roots(h.charpoly(sympy.Symbol("lambda")).as_expr(), sympy.Symbol("lambda"), multiple=True)
    roots = [sympy.radsimp(sympy.expand(r)) for r in roots]
    if len(roots) != h.rows or any(r.has(sympy.I) for r in roots):   # casus irreducibilis: numbers only
        return None
    return sorted(roots, key=float)


def _steps(expr, symbols, result: Curvature, values) -> list[str]:
    h, exact, lam = result.hessian, result.exact_eigenvalues, sympy.Symbol("λ")
    at = ", ".join(f"{s} = {v}" for s, v in values.items())
    steps = [f"E = {expr}"]
    steps += [f"∂E/∂{s} = {sympy.factor_terms(sympy.diff(expr, s))}" for s in symbols]
    steps.append(f"H = [∂²E/∂wi∂wj] at ({at}) = {_matrix_text(h)}")
    if exact is not None:
        steps.append(f"det(H − λI) = {sympy.factor(h.charpoly(lam).as_expr())} = 0")
    shown = exact if exact is not None else [sympy.Float(x, 6) for x in result.eigenvalues]
    steps.append("Eigenvalues: " + ", ".join(_number_text(x) for x in shown))
    low, high = shown[0], shown[-1]
    if result.condition_number is not None:
        steps.append(f"κ = λmax/λmin = {_operand(high)}/{_operand(low)} = {_number_text(high / low)}")
    elif result.eigenvalues[0] < 0:
        steps.append("λmin < 0: the point is a saddle or a maximum along its eigenvector, so κ is not defined.")
    else:
        steps.append("λmin = 0: E is flat along its eigenvector (a valley, no unique minimum), so κ is "
                     "not defined (it grows without bound).")
    if result.max_learning_rate is not None:
        steps.append(f"Gradient descent converges from every start iff 0 < η < 2/λmax = {_number_text(2 / high)}.")
    elif result.eigenvalues[-1] > TOLERANCE:
        steps.append("λmin < 0: along its eigenvector every step moves further away, for every η > 0; "
                     "no learning rate makes gradient descent converge from every start.")
    return steps


def _matrix_text(h: sympy.Matrix) -> str:
    entry = exact_text if is_exact(h) else (lambda x: f"{float(x):.6g}")
    return "[" + ", ".join("[" + ", ".join(entry(h[i, j]) for j in range(h.cols)) + "]" for i in range(h.rows)) + "]"


def _number_text(x: sympy.Expr) -> str:
    """`7/5`, `1 + sqrt(2) ≈ 2.41421`, or `0.550519`."""
    if x.is_Float:
        return f"{float(x):.6g}"
    x = sympy.expand(sympy.radsimp(x))
    return str(x) if x.is_Rational else f"{x} ≈ {float(x):.6g}"


def _operand(x: sympy.Expr) -> str:
    text = f"{float(x):.6g}" if x.is_Float else exact_text(x)
    return text if x.is_Atom or x.is_Float or x.is_Rational and x.q == 1 else f"({text})"


def exact_text(x: sympy.Expr) -> str:
    """A number as SymPy writes it exactly (`5/2 - sqrt(13)/2`), for the JSON's exact keys."""
    return str(x if x.is_Float else sympy.expand(sympy.radsimp(x)))


# ---------------------------------------------------------------- the second method
_TORCH_FUNCTIONS = {
    sympy.exp: "exp", sympy.log: "log", sympy.tanh: "tanh", sympy.sin: "sin", sympy.cos: "cos",
    sympy.Abs: "abs", sympy.cosh: "cosh", sympy.sinh: "sinh", sigmoid: "sigmoid",
}
_KNOWN = {*_TORCH_FUNCTIONS, sympy.Max, sympy.Min}


def check_with_autograd(result: Curvature) -> None:
    """Recompute H by torch autograd on the expression evaluated with torch operations, and its
    eigenvalues by numpy (against the exact roots of det(H − λI) where there are any); raise
    VerificationError where they disagree."""
    import torch

    symbols = list(result.point)
    point = torch.tensor([float(v) for v in result.point.values()], dtype=torch.float64)
    autograd = torch.autograd.functional.hessian(lambda w: _torch_eval(result.expr, dict(zip(symbols, w))), point)
    expected = np.array(result.hessian.evalf(), dtype=float)
    if not np.allclose(autograd.numpy(), expected, rtol=1e-6, atol=1e-8):
        raise VerificationError(f"autograd's Hessian {autograd.tolist()} differs from SymPy's {expected.tolist()}")
    numpy_eigenvalues = sorted(np.linalg.eigvalsh(autograd.numpy()))
    if not np.allclose(numpy_eigenvalues, result.eigenvalues, rtol=1e-6, atol=1e-8):
        raise VerificationError(f"the eigenvalues of autograd's Hessian {numpy_eigenvalues} differ from "
                                f"{result.eigenvalues}")


def _torch_eval(expr: sympy.Expr, values: dict):
    """The expression as torch operations (so autograd differentiates it, not SymPy)."""
    import torch

    if expr in values:
        return values[expr]
    if expr.is_number:
        return torch.tensor(float(expr), dtype=torch.float64)
    args = [_torch_eval(a, values) for a in expr.args]
    if isinstance(expr, sympy.Add):
        return sum(args[1:], args[0])
    if isinstance(expr, sympy.Mul):
        return math.prod(args[1:], start=args[0])
    if isinstance(expr, sympy.Pow):
        return torch.pow(args[0], args[1])
    if isinstance(expr, (sympy.Max, sympy.Min)):
        pick = torch.maximum if isinstance(expr, sympy.Max) else torch.minimum
        out = args[0]
        for a in args[1:]:
            out = pick(out, a)
        return out
    name = _TORCH_FUNCTIONS.get(expr.func)
    if name is None:
        raise VerificationError(f"autograd cannot evaluate {expr.func} here")
    return getattr(torch, name)(*args)
