"""Pages from Jinja2 templates (dlexam/web/templates), with what every page needs: the signed-in
user, the CSRF token (in a <meta> tag and in every form), and the answer input a family wants."""

from __future__ import annotations

import importlib
from datetime import datetime, timezone
from functools import cache
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from dlexam.web.auth import csrf_token

TEMPLATES = Path(__file__).resolve().parent / "templates"
templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.filters["points"] = lambda value: f"{value:g} point{'' if value == 1 else 's'}"
templates.env.filters["datetime"] = lambda seconds: datetime.fromtimestamp(seconds, timezone.utc).strftime(
    "%Y-%m-%d %H:%M")


def page(request: Request, template: str, status: int = 200, user=None, **context):
    """Render `template` for `request` (autoescaped), with the user and the CSRF token."""
    context.update(request=request, user=user, csrf=csrf_token(request))
    return templates.TemplateResponse(request, template, context, status_code=status)


@cache
def _inputs():
    """dlexam.web.inputs (the answer inputs per family), or None until it exists."""
    try:
        return importlib.import_module("dlexam.web.inputs")
    except ModuleNotFoundError as exc:
        if exc.name == "dlexam.web.inputs":
            return None
        raise


def answer_input(family, variant) -> tuple[str, dict]:
    """(kind, context) of the input template for this family: `inputs/<kind>.html`; `text` (a
    textarea named `answer`) when no fitting template exists."""
    inputs = _inputs()
    if inputs is None:
        return "text", {}
    kind = inputs.input_kind(family)
    if not (TEMPLATES / "inputs" / f"{kind}.html").is_file():
        return "text", {}
    return kind, inputs.input_context(family, variant)


def question_html(family, variant, kind: str) -> str:
    """The family's question as HTML for a page whose answer input is `kind`. The plain rendering's
    option boxes are themselves the input only for the `text` fallback; the choice input draws its
    own boxes (the options are left out here), and other inputs list the options as text."""
    from dlexam.tasks.document import Options, Text, option_label, render

    if kind == "text":
        return family.render(variant, "html")
    blocks = []
    for block in family.document(variant):
        if isinstance(block, Options):
            if kind != "choice":
                blocks += [Text(f"{option_label(i)}) {item}") for i, item in enumerate(block.items)]
        else:
            blocks.append(block)
    return render(blocks, "html")


def has_feedback(kind: str) -> bool:
    return (TEMPLATES / "inputs" / f"{kind}_feedback.html").is_file()
