"""POST /api/preview: a typed answer (or one part of it) read by the family's own parser, shown back
typeset — what the student sees is what is graded — or the parser's error, word for word.

    {"family": "rnn", "seed": 7, "part": "c", "text": "delta3*x3*tanh'(x3*w + h2)"}
    -> {"latex": "...", "text": null, "error": null}

A part is checked by the family's `grading.read` (the grader's own check of that part); formulas
(`tasks.formulas.read_formula`, the notation parser of dlexam/engines) and bounds are typeset with
SymPy's LaTeX. Without a part, the whole text goes through `read_answer` (as the grader reads it).
Nothing of the key is computed or returned.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from dlexam.errors import InputError
from dlexam.store.users import User
from dlexam.tasks.registry import FAMILIES, family
from dlexam.web.auth import current_user
from dlexam.web.inputs import PARTS

router = APIRouter()
MAX_TEXT = 2000
NORMS = {"W1": r"\|w\|_1", "W2": r"\|w\|_2", "Winf": r"\|w\|_\infty"}


class PreviewRequest(BaseModel):
    family: str = Field(max_length=40)
    seed: int = Field(ge=0, lt=2**32)
    text: str = Field(max_length=MAX_TEXT)
    part: str | None = Field(default=None, max_length=12)


@router.post("/api/preview")
def preview(body: PreviewRequest, user: User = Depends(current_user)) -> dict[str, Any]:
    if body.family not in FAMILIES:
        raise HTTPException(404)
    fam = family(body.family)
    variant = fam.generate(body.seed)
    try:
        if body.part is None:
            from dlexam.tasks.typed_answer import read_answer

            read_answer(fam, variant, body.text)
            return {"latex": None, "text": "Readable.", "error": None}
        return _part(fam, variant, body.part, body.text)
    except InputError as exc:
        return {"latex": None, "text": None, "error": str(exc)}


def _part(fam, variant, label: str, text: str) -> dict[str, Any]:
    kinds = {lab: kind for lab, kind, _ in PARTS.get(fam.name, [])}
    if fam.name == "pieces" and label == "function":
        return {"latex": _affine_latex(text), "text": None, "error": None}
    if label not in kinds:
        raise HTTPException(404)
    read = fam.grading.read(variant.data, {label: text})     # the grader's own check of this part
    if kinds[label] != "formula":
        shown = read.get(label, text)
        return {"latex": None, "text": shown if isinstance(shown, str) else _plain(shown), "error": None}
    return {"latex": _latex(fam.name, label, text), "text": None, "error": None}


def _latex(name: str, label: str, text: str) -> str:
    if name == "gradient-bound" and label == "b":
        from dlexam.tasks.gradient_bound.bound import parse_bound

        expr, _ = parse_bound(text)
        names = {s: NORMS[s.name] for s in expr.free_symbols if s.name in NORMS}
        return _printer(symbol_names=names).doprint(expr)
    from dlexam.tasks.formulas import read_formula

    return _printer().doprint(read_formula(text))


def _printer(**settings):
    """SymPy's LaTeX, with the step written H(z) as the exam writes it (SymPy's own is θ(z))."""
    from sympy.printing.latex import LatexPrinter

    class Printer(LatexPrinter):
        def _print_Heaviside(self, expr, exp=None):
            body = r"\operatorname{H}\left(%s\right)" % self._print(expr.args[0])
            return body if exp is None else r"%s^{%s}" % (body, exp)

    return Printer(settings)


def _affine_latex(text: str) -> str:
    """A piece's function as the pieces grader reads it (`y = ` optional)."""
    import sympy

    from dlexam.engines.pwl_compare import parse_affine
    from dlexam.tasks.pieces.answer import OUTPUT_NAME, normalize

    f = parse_affine(OUTPUT_NAME.sub("", normalize(text)))
    return "y = " + sympy.latex(sympy.sympify(f.text().replace("·", "*")))


def _plain(value: Any) -> str:
    """Numbers as read: `0.96, 3.7`; a matrix `[[2, 4/3], [4/3, 8/3]]`."""
    if isinstance(value, list):
        if any(isinstance(v, list) for v in value):
            return "[" + ", ".join("[" + _plain(v) + "]" for v in value) + "]"
        return ", ".join(_plain(v) for v in value)
    return str(value)
