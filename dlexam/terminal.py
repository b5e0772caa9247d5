"""A task's blocks as rich renderables for the terminal (lighter than rendering Markdown)."""

from __future__ import annotations

import re

from rich.console import Group
from rich.padding import Padding
from rich.text import Text as RichText

from dlexam.tasks.document import Block, Code, Math, Options, Text, option_label


def _inline(text: str) -> RichText:
    out = RichText()
    for i, part in enumerate(re.split(r"`([^`]*)`", text)):
        out.append(part, style="bold cyan" if i % 2 else None)
    return out


def _block(block: Block):
    match block:
        case Text(text):
            return _inline(text)
        case Code(source):
            return Padding(RichText(source, style="cyan"), (0, 0, 0, 4))
        case Math(_, plain):
            return Padding(RichText(plain, style="italic"), (0, 0, 0, 4))
        case Options(items, multiple):
            hint = RichText("Select all that apply." if multiple else "Select one.", style="dim italic")
            rows = [RichText.assemble((f"  {option_label(i)}) ", "bold"), _inline(item)) for i, item in enumerate(items)]
            return Group(hint, *rows)
    raise TypeError(block)


def renderable(blocks: list[Block]) -> Group:
    parts = []
    for block in blocks:
        if parts:
            parts.append(RichText(""))
        parts.append(_block(block))
    return Group(*parts)
