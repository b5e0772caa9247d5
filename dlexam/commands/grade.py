"""`dlexam grade FAMILY --seed N --answer TEXT`: grade one answer and keep the attempt."""

from __future__ import annotations

import argparse

from dlexam.commands.common import add_family_and_seed, read_answer
from dlexam.commands.leading_minus import allow_leading_minus

HELP = "Grade an answer to one task variant, with partial credit and reasons."


def configure(parser: argparse.ArgumentParser) -> None:
    allow_leading_minus(parser)   # answers such as -t*1[yt<0]
    add_family_and_seed(parser)
    parser.add_argument("--answer", required=True, help="as the question's hint says, or JSON of parts")
    parser.add_argument("--no-record", action="store_true", help="do not keep the attempt in the store")


def run(args: argparse.Namespace) -> dict:
    from dlexam.store import Attempt, Store
    from dlexam.tasks.registry import family

    fam = family(args.family)
    variant = fam.generate(args.seed)
    answer = read_answer(fam, variant, args.answer)
    grade = fam.grade(variant, answer)
    result = {"family": fam.name, "seed": args.seed, **grade.to_json(), "feedback": grade.feedback}
    if not args.no_record:
        with Store() as store:
            result["attempt"] = store.record(
                Attempt(fam.name, args.seed, variant.to_json(), answer.to_json(), grade.to_json()))
    return result


def show(result: dict) -> str:
    return f"{result['points']:g} of {result['max_points']:g} points\n{result['feedback']}"
