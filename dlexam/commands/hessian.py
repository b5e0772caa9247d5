"""`dlexam hessian EXPRESSION --wrt w1,w2 [--at w1=0,w2=0]`: your own exercise-sheet numbers.

The Hessian of an error function at a point, its eigenvalues, the condition number and the
largest stable learning rate, exact where possible, with the steps; checked by torch autograd.
"""

from __future__ import annotations

import argparse

from dlexam.commands.common import add_time_limit, bounded
from dlexam.commands.leading_minus import allow_leading_minus

HELP = "Hessian, eigenvalues, condition number and largest stable learning rate of an error function."


def configure(parser: argparse.ArgumentParser) -> None:
    allow_leading_minus(parser)
    parser.add_argument("expression", help='the error function, e.g. "((w1 - 2)**2 + (3*w2 + 2)**2)/2"')
    parser.add_argument("--wrt", required=True, help="the weights, comma-separated: w1,w2")
    parser.add_argument("--at", default=None, help="the point, e.g. w1=0,w2=1/2 (default: all zeros)")
    add_time_limit(parser, 20.0)


def run(args: argparse.Namespace) -> dict:
    import torch  # noqa: F401  (imported before the fork: not in the time limit)

    from dlexam.engines import curvature  # noqa: F401

    return bounded(_hessian, args.expression, args.wrt, args.at, seconds=args.time_limit, what="The Hessian")


def _hessian(expression: str, wrt: str, at_text: str | None) -> dict:
    from dlexam.engines import curvature

    names = [name.strip() for name in wrt.split(",") if name.strip()]
    at = curvature.parse_point(at_text, names)
    result = curvature.curvature(expression, names, at)
    curvature.check_with_autograd(result)
    h = result.hessian
    kappa, lr = result.condition_number, result.max_learning_rate
    exact: dict = {}
    if curvature.is_exact(h):
        exact["hessian"] = [[curvature.exact_text(h[i, j]) for j in range(h.cols)] for i in range(h.rows)]
    if result.exact_eigenvalues is not None:
        exact["eigenvalues"] = [curvature.exact_text(x) for x in result.exact_eigenvalues]
        low, high = result.exact_eigenvalues[0], result.exact_eigenvalues[-1]
        exact["condition_number"] = curvature.exact_text(high / low) if kappa is not None else None
        exact["max_learning_rate"] = curvature.exact_text(2 / high) if lr is not None else None
    return {"expression": expression, "wrt": names, "at": {k: float(v) for k, v in at.items()},
            "hessian": [[float(h[i, j]) for j in range(h.cols)] for i in range(h.rows)],
            "eigenvalues": result.eigenvalues, "condition_number": kappa, "max_learning_rate": lr,
            "exact": exact, "verified_by": "torch.autograd.functional.hessian", "steps": result.steps}


def show(result: dict) -> str:
    kappa, lr = result["condition_number"], result["max_learning_rate"]
    lines = [*result["steps"], "",
             f"κ = {kappa:.6g}" if kappa is not None else "κ is not defined (λmin <= 0)",
             f"largest stable learning rate 2/λmax = {lr:.6g}" if lr is not None else
             "no learning rate makes gradient descent converge from every start",
             "(Hessian checked by torch autograd)"]
    return "\n".join(lines)
