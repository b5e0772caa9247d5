"""`dlexam equiv EXPECTED ANSWER [--vars x,y]`: are two formulas mathematically equal?"""

from __future__ import annotations

import argparse

from dlexam.commands.leading_minus import allow_leading_minus

HELP = "Decide whether two expressions are equal, with a counterexample when they are not."


def configure(parser: argparse.ArgumentParser) -> None:
    allow_leading_minus(parser)
    parser.add_argument("expected", help="the reference expression, e.g. \"2*(y - t)\"")
    parser.add_argument("answer", help="the expression to check, e.g. \"2(y-t)\" or \"tanh'(z)\"")
    parser.add_argument("--vars", default=None, help="comma-separated variable names, e.g. x,y "
                        "(lets `xy` read as x*y)")
    parser.add_argument("--time-limit", type=float, default=2.0, help="seconds (default 2)")


def run(args: argparse.Namespace) -> dict:
    from dlexam.engines import equivalence
    from dlexam.errors import InputError

    if not 0 < args.time_limit <= 600:
        raise InputError("--time-limit must be between 0 and 600 seconds.")
    variables = equivalence.parse_variables(args.vars)
    verdict = equivalence.check(args.expected, args.answer, variables, time_limit=args.time_limit)
    return verdict.as_dict()


def show(result: dict) -> str:
    if result["equivalent"] is None:
        return f"Could not decide: {result['reason']}"
    if result["equivalent"]:
        return f"Equivalent. {result['reason']}"
    point = ", ".join(f"{k} = {v:g}" for k, v in (result["counterexample"] or {}).items())
    lines = [f"Not equivalent: {result['reason']}", f"  at {point}" if point else ""]
    lines += [f"  with {name}{body}" for name, body in result.get("functions", {}).items()]
    return "\n".join(line for line in lines if line)
