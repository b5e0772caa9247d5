"""An answer as a student types it — in the terminal, with `dlexam grade --answer`, or in a browser's
form — read for its family: the family's own typed form, or JSON {"part": value, ...}."""

from __future__ import annotations

import json

from dlexam.errors import InputError
from dlexam.tasks.model import Answer, TaskFamily, Variant


def read_answer(family: TaskFamily, variant: Variant, text: str) -> Answer:
    """`family.parse_answer(variant, text)`, or the parts of a JSON object; InputError if unreadable."""
    if text.lstrip().startswith("{"):
        from dlexam.engines.bounded import check_json_depth

        check_json_depth(text, "The JSON answer")
        try:
            parts = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            parts = None   # not JSON: a typed answer such as {a, c}
        if isinstance(parts, dict):
            return Answer(parts)
        if parts is not None:
            raise InputError("A JSON answer must be an object of parts.")
    return family.parse_answer(variant, text)
