"""Answers to the programming tasks: Python code, typed in or given as a .py file's path."""

from __future__ import annotations

import ast
from pathlib import Path

from dlexam.errors import InputError


def read_code(text: str, function: str) -> str:
    """The answer's source; InputError unless it parses and defines `function` at top level."""
    text = text.strip()
    if text.endswith(".py") and "\n" not in text:
        try:
            text = Path(text).expanduser().read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise InputError(f"The file {text} cannot be read ({type(exc).__name__}).") from None
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError) as exc:
        line = f" (line {exc.lineno})" if getattr(exc, "lineno", None) else ""
        raise InputError(f"The answer is not valid Python{line}; give the code or a .py file's path.") from None
    if not any(isinstance(node, ast.FunctionDef) and node.name == function for node in tree.body):
        raise InputError(f"The code must define a function {function}(...) at the top level.")
    return text
