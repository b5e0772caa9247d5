"""How each task family's answer is entered in the browser: which input template, and what it needs.

Every input template (templates/inputs/<kind>.html) ends in one form field `answer` holding a string
the family's `parse_answer` reads — the same text a terminal user types — so the browser adds no
grading of its own. `input_context` carries only what the question itself shows (never the key):
the options, the box and the given piece, the graph's nodes, the skeleton.
"""

from __future__ import annotations

from typing import Any

from dlexam.tasks.choice import MultipleChoice
from dlexam.tasks.document import Code, option_label
from dlexam.tasks.model import TaskFamily, Variant

# The multi-part families of tasks 3 and 4: each part's kind of entry and a placeholder saying what
# goes there (never a formula: a worked example could be some variant's answer). "formula" parts get
# a live typeset preview (POST /api/preview); every part is checked there. {e} and {p}: the RNN's
# error and parameter.
PARTS: dict[str, list[tuple[str, str, str]]] = {
    "gradient-bound": [("a", "formula", "the derivative, as a formula (a1, a2, …, sign(z) may be used)"),
                       ("b", "formula", "a bound in terms of ‖w‖, its norms written as the question says"),
                       ("c", "text", "how the bound guides the regularization")],
    "hessian": [("a", "number", "the matrix [[h11, h12], [h21, h22]]"), ("b", "number", "λ1, λ2"),
                ("c", "number", "κ"), ("d", "number", "κ'"), ("e", "number", "η"),
                ("f", "choice", "the letters of the true statements")],
    "rnn": [("b", "formula", "∂{e}/∂y as a formula"),
            ("c", "formula", "∂{e}/∂{p}: expanded, or with delta1, delta2, …"), ("d", "number", "a number")],
}
KINDS = {"pieces": "pieces", "rnn": "rnn_graph", "gradient-bound": "formula", "hessian": "formula"}
CODE_FAMILIES = ("adversarial", "colorize", "inpaint")
GRID = 0.5          # the pieces drawing snaps to this grid (the exam's corners are halves at worst)


def input_kind(family: TaskFamily) -> str:
    """The input template for a family: choice, pieces, rnn_graph, formula, code, or text."""
    if isinstance(family, MultipleChoice):
        return "choice"
    if family.name in CODE_FAMILIES:
        return "code"
    return KINDS.get(family.name, "text")


def input_context(family: TaskFamily, variant: Variant) -> dict[str, Any]:
    """What the family's input template needs, from what the question shows (never the key)."""
    kind = input_kind(family)
    context: dict[str, Any] = {"kind": kind, "family": family.name, "seed": variant.seed,
                               "hint": family.answer_hint(variant)}
    if kind == "choice":
        context.update(_choice(variant))
    elif kind == "pieces":
        context.update(pieces_context(variant))
    elif kind == "rnn_graph":
        context.update(rnn_context(variant))
        context["parts"] = part_rows(family.name, variant)
    elif kind == "formula":
        context["parts"] = part_rows(family.name, variant)
    elif kind == "code":
        context["skeleton"] = skeleton(family, variant)
    return context


def part_rows(name: str, variant: Variant) -> list[dict[str, str]]:
    names = {"e": variant.data.get("error", "E"), "p": "θ" if variant.data.get("param") == "theta" else "w"}
    return [{"label": label, "kind": kind, "placeholder": placeholder.format(**names)}
            for label, kind, placeholder in PARTS[name]]


def _choice(variant: Variant) -> dict[str, Any]:
    options = list(variant.data["options"])
    return {"options": [{"label": option_label(i), "text": text} for i, text in enumerate(options)],
            "multiple": bool(variant.data["multiple"])}


def pieces_context(variant: Variant) -> dict[str, Any]:
    """The box, the level, and the given piece 1 (its polygon and boundary: the question states both)."""
    from dlexam.tasks.pieces.data import solved

    partition, given = solved(variant.data)
    piece = partition.pieces[given]
    floats = lambda points: [[float(x), float(y)] for x, y in points]  # noqa: E731
    return {"box": [float(v) for v in variant.data["box"]], "level": str(variant.data["level"]),
            "count": int(variant.data["count"]), "grid": GRID,
            "given": {"polygon": floats(piece.polygon), "function": piece.function.text(),
                      "boundary": [floats(s) for s in piece.boundary]}}


def rnn_context(variant: Variant) -> dict[str, Any]:
    """The unrolled graph's nodes placed in rows: inputs below, states in the middle, the weight above,
    target and error at the right. Which edges join them is the question."""
    d = variant.data
    steps, param, error = int(d["steps"]), str(d["param"]), str(d["error"])
    nodes = [{"name": f"x{t}", "x": 2 * t, "y": 0} for t in range(1, steps + 1)]
    nodes += [{"name": f"h{t}", "x": 2 * t, "y": 2} for t in range(steps + 1)]
    nodes += [{"name": param, "x": steps + 1, "y": 4}, {"name": "t", "x": 2 * steps + 2, "y": 0},
              {"name": error, "x": 2 * steps + 2, "y": 2}]
    return {"nodes": nodes, "width": 2 * steps + 3, "error": error, "steps": steps}


def skeleton(family: TaskFamily, variant: Variant) -> str:
    """The exam's skeleton: the task's first block of Python (what the sheet prints)."""
    for block in family.document(variant):
        if isinstance(block, Code) and block.language == "python" and "def " in block.source:
            return block.source
    return ""

