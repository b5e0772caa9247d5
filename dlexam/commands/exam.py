"""`dlexam exam [--seed N] [--minutes M] [--plan] [--resume]`: the mock exam as a whole.

`--plan` prints the plan of the exam for a seed: the same in the terminal, the browser and on
paper (`dlexam paper`).
"""

from __future__ import annotations

import argparse

from dlexam.commands.common import seed

HELP = "The mock exam: five tasks, points and a clock (--plan: what the exam of a seed holds)."


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=seed, default=None, help="which exam (default: a new one)")
    parser.add_argument("--minutes", type=int, default=None, help="the time limit (default 120)")
    parser.add_argument("--plan", action="store_true", help="print the exam's plan and stop")
    parser.add_argument("--resume", action="store_true", help="continue the exam you left")


def run(args: argparse.Namespace) -> dict | None:
    import random

    from dlexam.errors import InputError
    from dlexam.exam.plan import MINUTES, plan

    minutes = MINUTES if args.minutes is None else args.minutes
    if not 1 <= minutes <= 600:
        raise InputError("--minutes must be between 1 and 600.")
    exam_seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    if args.plan:
        return plan(exam_seed, minutes).to_json()
    raise InputError("Taking the exam in the terminal is not built yet; `dlexam exam --seed N --plan` shows one.")


def show(result: dict) -> str:
    lines = [f"Exam {result['seed']}: {result['points']:g} points in {result['minutes']} minutes"]
    for t in result["tasks"]:
        lines.append(f"  {t['label']:>4}  {t['title']}  ({t['family']}, seed {t['seed']}): {t['points']:g} points")
    return "\n".join(lines)
