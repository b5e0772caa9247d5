"""Formulas may start with a minus: `dlexam equiv "a" "-log(x)"` without typing `--`.

argparse takes any argument starting with '-' that is not a negative number for an option.
`allow_leading_minus` makes a command's parser read such an argument as a positional instead,
unless it is one of the parser's own options (`-h`, `--json`) or starts with `--`.
"""

from __future__ import annotations

import argparse
import re

_NUMBER = re.compile(r"-\d*\.?\d+([eE][-+]?\d+)?")
_SHIELD = " "  # argparse reads an argument that starts with a space as a positional


def allow_leading_minus(parser: argparse.ArgumentParser) -> None:
    """Let positional formulas of `parser` start with '-'."""
    parse = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):
        options = parser._option_string_actions  # noqa: SLF001 - the parser's own option strings
        shielded = [_SHIELD + a if _is_formula(a, options) else a for a in (args or [])]
        known, extras = parse(shielded, namespace)
        for key, value in vars(known).items():
            if isinstance(value, str) and value.startswith(_SHIELD + "-"):
                setattr(known, key, value[len(_SHIELD):])
        return known, extras

    parser.parse_known_args = parse_known_args  # type: ignore[method-assign]


def _is_formula(arg: str, options: dict) -> bool:
    if not arg.startswith("-") or arg.startswith("--") or len(arg) < 2:
        return False
    return arg.split("=", 1)[0] not in options and not _NUMBER.fullmatch(arg)
