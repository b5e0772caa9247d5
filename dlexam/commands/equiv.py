"""`dlexam equiv EXPECTED ANSWER [--vars x,y]`: are two formulas mathematically equal?"""

from __future__ import annotations

import argparse

from dlexam.commands.common import add_time_limit
from dlexam.commands.leading_minus import allow_leading_minus

HELP = "Decide whether two expressions are equal, with a counterexample when they are not."


def configure(parser: argparse.ArgumentParser) -> None:
    allow_leading_minus(parser)
    parser.add_argument("expected", help="the reference expression, e.g. \"2*(y - t)\"")
    parser.add_argument("answer", help="the expression to check, e.g. \"2(y-t)\" or \"tanh'(z)\"")
    parser.add_argument("--vars", default=None, help="comma-separated variable names, e.g. x,y "
                        "(lets `xy` read as x*y)")
    add_time_limit(parser, 2.0)


GRACE = 0.5  # seconds the child may take beyond the limit to hand over its "undecided"


def run(args: argparse.Namespace) -> dict:
    from dlexam.engines import bounded, equivalence

    variables = equivalence.parse_variables(args.vars)
    try:   # parsing and deciding in a child that cannot outlive the limit or take all memory
        return bounded.run_bounded(_decide, args.expected, args.answer, variables, args.time_limit,
                                   seconds=args.time_limit + GRACE, what="The comparison")
    except bounded.TooSlow:
        return equivalence.Verdict(None, None, f"The time limit of {args.time_limit:g} s ran out.",
                                   equivalence.Method.UNDECIDED).as_dict()


def _decide(expected: str, answer: str, variables: list[str], time_limit: float) -> dict:
    from dlexam.engines import equivalence

    return equivalence.check(expected, answer, variables, time_limit=time_limit).as_dict()


def show(result: dict) -> str:
    if result["equivalent"] is None:
        return f"Could not decide: {result['reason']}"
    if result["equivalent"]:
        return f"Equivalent. {result['reason']}"
    point = ", ".join(f"{k} = {v:g}" for k, v in (result["counterexample"] or {}).items())
    lines = [f"Not equivalent: {result['reason']}", f"  at {point}" if point else ""]
    lines += [f"  with {name}{body}" for name, body in result.get("functions", {}).items()]
    return "\n".join(line for line in lines if line)
