"""Argument types and helpers shared by the task commands."""

from __future__ import annotations

import argparse

SEED_LIMIT = 2**32


def seed(text: str) -> int:
    """argparse type: an integer 0 <= seed < 2**32."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer seed") from None
    if not 0 <= value < SEED_LIMIT:
        raise argparse.ArgumentTypeError(f"{value} is outside 0 <= seed < 2**32")
    return value


def time_limit(text: str) -> float:
    """argparse type: seconds, 0 < t <= 600 (a finite number)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 600:   # also refuses nan and inf
        raise argparse.ArgumentTypeError("the time limit must be between 0 and 600 seconds")
    return value


def add_time_limit(parser: argparse.ArgumentParser, default: float) -> None:
    parser.add_argument("--time-limit", type=time_limit, default=default, metavar="SECONDS",
                        help=f"give up after this many seconds (default {default:g})")


def bounded(fn, *args, seconds: float, what: str):
    """fn(*args) in a forked child with capped memory, killed after `seconds` (exit 2 then)."""
    from dlexam.engines.bounded import run_bounded

    return run_bounded(fn, *args, seconds=seconds, what=what)


def add_family_and_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("family", help="a task family (see `dlexam families`)")
    parser.add_argument("--seed", type=seed, required=True, help="which variant: 0 <= N < 2**32")


def read_answer(family, variant, text: str):
    """An answer typed as the family expects it, or as JSON {"part": value, ...} (dlexam.tasks.typed_answer)."""
    from dlexam.tasks.typed_answer import read_answer as read

    return read(family, variant, text)
