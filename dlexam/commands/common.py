"""Argument types and helpers shared by the task commands."""

from __future__ import annotations

import argparse
import json

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


def add_family_and_seed(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("family", help="a task family (see `dlexam families`)")
    parser.add_argument("--seed", type=seed, required=True, help="which variant: 0 <= N < 2**32")


def read_answer(family, variant, text: str):
    """An answer typed as the family expects it, or as JSON {"part": value, ...}."""
    from dlexam.errors import InputError
    from dlexam.tasks.model import Answer

    if text.lstrip().startswith("{"):
        try:
            parts = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            parts = None   # not JSON: a typed answer such as {a, c}
        if isinstance(parts, dict):
            return Answer(parts)
        if parts is not None:
            raise InputError("A JSON answer must be an object of parts.")
    return family.parse_answer(variant, text)
