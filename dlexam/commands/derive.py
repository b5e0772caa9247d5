"""`dlexam derive PROGRAM --wrt VAR [--of NAME]`: a derivative and its chain-rule steps."""

from __future__ import annotations

import argparse

from dlexam.commands.common import add_time_limit, bounded
from dlexam.commands.leading_minus import allow_leading_minus

HELP = "Differentiate a program of assignments and show the chain rule step by step."


def configure(parser: argparse.ArgumentParser) -> None:
    allow_leading_minus(parser)
    parser.add_argument("program", help='assignments separated by ";" or newlines, e.g. '
                        '"h1 = tanh(x1*w + h0); h2 = tanh(x2*w + h1); y = h2; E = (y - t)**2"')
    parser.add_argument("--wrt", required=True, help="the variable to differentiate by")
    parser.add_argument("--of", default=None, help="the assigned name to differentiate (default: the last)")
    add_time_limit(parser, 20.0)


def run(args: argparse.Namespace) -> dict:
    from dlexam.engines import calculus  # noqa: F401  (imported before the fork: not in the time limit)

    return bounded(_derive, args.program, args.wrt, args.of, seconds=args.time_limit, what="The derivative")


def _derive(text: str, wrt: str, of: str | None) -> dict:
    from dlexam.engines import calculus, notation

    program = calculus.parse_program(text)
    of = of or program.output
    chain = calculus.chain_rule(program, wrt, of)
    derivative = calculus.derivative(program, wrt, of)
    return {
        "of": of,
        "wrt": wrt,
        "derivative": notation.sympy_text(derivative),
        "steps": chain.texts,
        "exam_form": calculus.show(chain.total.full),  # intermediate names, tanh'/g' kept
        "inputs": program.inputs,
    }


def show(result: dict) -> str:
    lines = [f"d{result['of']}/d{result['wrt']} by the chain rule:"]
    lines += [f"  {step}" for step in result["steps"]]
    lines += ["", f"In the inputs: d{result['of']}/d{result['wrt']} = {result['derivative']}"]
    return "\n".join(lines)
