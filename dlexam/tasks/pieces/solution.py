"""The solution of a linear-pieces variant: the answer, the steps that explain it, and the answer as a
student types it (`piece: y = function; … | segment; …`, which `answer.parse_text` reads back).

The steps follow the exam's reasoning: on each piece every max/ReLU has one active argument,
so y is one affine function there, and y = C is a segment of it.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from dlexam.engines import pwl
from dlexam.engines.pwl_compare import parse_condition
from dlexam.engines.pwl_geometry import inequality_text, segment_text
from dlexam.errors import InputError
from dlexam.tasks.model import Answer, Solution
from dlexam.tasks.pieces.answer import Part
from dlexam.tasks.pieces.data import answer_order
from dlexam.tasks.pieces.programs import op_values


def solution(partition: pwl.Partition, given: int) -> Solution:
    """The pieces (the given one first) with their functions, and every boundary segment."""
    order = answer_order(partition, given)
    pieces = [{"condition": p.condition, "function": f"y = {p.function.text()}"} for p in order]
    boundary = [segment_text(s) for p in order for s in p.boundary]
    steps = [f"Every max/ReLU has one active argument on each piece; {len(order)} "
             f"combinations occur in the box, so y has {len(order)} linear pieces."]
    steps += [_piece_step(partition, n, piece) for n, piece in enumerate(order, start=1)]
    steps.append(f"Together the boundary y = {fraction_text(partition.level)} is: "
                 + "; ".join(segment_text(s) for s in partition.boundary) + ".")
    typed = "; ".join(f"{p['condition']}: {p['function']}" for p in pieces)
    typed += " | " + "; ".join(boundary) if boundary else ""
    return Solution(Answer({Part.PIECES.value: pieces, Part.BOUNDARY.value: boundary}), steps, typed)


def exam_wording(partition: pwl.Partition, piece: pwl.Piece) -> str:
    """The piece's condition in the program's names, as the exam writes it (`x1 > 0 and x2 > h`);
    comparisons of x1 and x2 alone are tidied (`-x1 < 0` reads `x1 > 0`)."""
    return " and ".join(_tidy(part, partition.program) for part in piece.condition_named.split(" and "))


def fraction_text(value: Any) -> str:
    return str(Fraction(value))


def _tidy(comparison: str, program: Any) -> str:
    try:
        (h,) = parse_condition(comparison, program).halfplanes()
        return inequality_text(h)
    except (InputError, ValueError):   # it names a max/ReLU value: keep the exam's words
        return comparison


def _piece_step(partition: pwl.Partition, n: int, piece: pwl.Piece) -> str:
    """`Piece 2: x1 < 0 and x2 > 0 [...]: h = max(0, x1) = 0 since x1 < 0, …, so y = x2; boundary …`."""
    program = partition.program
    named = {lin.terms[0][0]: name for name, lin in program.names.items()
             if len(lin.terms) == 1 and lin.terms[0][1] == 1 and lin.const == 0 and isinstance(lin.terms[0][0], int)}
    parts = []
    for k, (i, value) in op_values(partition, piece).items():
        op = program.operations[k]
        label = f"{named[k]} = {op.text}" if k in named else op.text
        result = value.text() if op.arg_texts[i] == value.text() else f"{op.arg_texts[i]} = {value.text()}"
        parts.append(f"{label} = {result} since {_tidy(_wins(op, i), program)}")
    level = fraction_text(partition.level)
    boundary = "; ".join(segment_text(s) for s in piece.boundary) or f"none (y never equals {level} here)"
    return (f"Piece {n}{' (given)' if n == 1 else ''}: {piece.condition}  [{exam_wording(partition, piece)}]: "
            + ", ".join(parts) + f", so y = {piece.function.text()}; boundary y = {level}: " + boundary + ".")


def _wins(op: Any, i: int) -> str:
    """Why argument i is active: `x1 > 0`, `x2 > h`, `x1 - x2 < 0`."""
    return " and ".join(pwl.active_text(op, i, j) for j in range(len(op.arg_texts)) if j != i)
