"""Python's parser for untrusted text: the tree only, never evaluated, and no warnings."""

from __future__ import annotations

import ast
import warnings


def parse_quietly(source: str, mode: str = "eval") -> ast.AST:
    """ast.parse without the SyntaxWarnings (`1is 2`, bad escapes) that odd input provokes.

    Raises SyntaxError (and ValueError for NUL bytes) like ast.parse; callers turn those
    into their own one-sentence InputError.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        return ast.parse(source, mode=mode)
