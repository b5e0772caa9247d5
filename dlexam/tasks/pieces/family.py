"""Exam task 2, decision boundary: the linear pieces of a max/ReLU program and its boundary y = C.

As on the exam sheet (`h = max(0, x1); y = max(x2, h)`): (a) give the 4 pieces on which y is
linear, the first given as an example in the exam's own wording (`x1 > 0 and x2 > h`);
(b) draw the boundary y = C on each piece, the given piece's part again as the example.
Pieces are activation regions (as the exam counts them), looked at in the box
-5 <= x1, x2 <= 5.

Points (6 in all, with 4 pieces): (a) 3 points, one per piece to find, half for its region and
half for the function y on it; (b) 3 points, split equally over the pieces (other than the
given one) that the boundary crosses; every segment drawn must lie on y = C, and one that does
not costs a share. The given piece earns nothing and need not be repeated. Details:
`pieces.grading` and `pieces.boundary`.
Answer syntax (one line works): `pieces.answer` and `answer_hint`.
"""

from __future__ import annotations

import random
from dataclasses import replace
from enum import StrEnum
from fractions import Fraction
from pathlib import Path
from typing import Any, cast

from dlexam.engines import pwl
from dlexam.engines.pwl_geometry import centroid, inequality_text, segment_text
from dlexam.errors import InputError, VerificationError
from dlexam.tasks.document import Block, Code, Math, Text
from dlexam.tasks.model import Answer, Grade, Solution, TaskFamily, Variant
from dlexam.tasks.pieces.answer import Part, parse_text, read_parts
from dlexam.tasks.pieces.data import DEFAULT_BOX, PiecesData, answer_order, solved
from dlexam.tasks.pieces.programs import draw_program
from dlexam.tasks.pieces.solution import exam_wording, fraction_text, solution


class Mistake(StrEnum):
    """What `perturb` gets wrong, as students do."""
    FUNCTION = "function"       # y off by ±1 on one piece
    CONDITION = "condition"     # one inequality of a piece turned round
    BOUNDARY = "boundary"       # a piece's boundary moved sideways by 1


class LinearPieces(TaskFamily):
    name = "pieces"
    title = "Linear pieces and decision boundary"
    topic = "Task 2: decision boundary"
    # NumPy (sampling, comparing regions) loads while the question is read: posing needs none
    grading_modules = ("dlexam.tasks.pieces.grading", "dlexam.tasks.pieces.boundary")

    def __init__(self, count: int = 4) -> None:
        self.count = count
        self.points = 2.0 * (count - 1)      # (a) and (b): one point per piece to find, each

    # --- posing -----------------------------------------------------------------------------

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        program, level, given = draw_program(rng, self.count, pwl.make_box(DEFAULT_BOX))
        data: PiecesData = {"program": program, "level": level, "box": list(DEFAULT_BOX), "count": self.count,
                            "given": list(given)}
        return dict(data)

    def variant_for(self, program: str, level: Any = 1, given: str | None = None, seed: int = 0) -> Variant:
        """A variant of a program of one's own (an exam's), the example piece chosen by its condition."""
        partition = pwl.program_pieces(program, DEFAULT_BOX, level)
        index = 0
        if given is not None:
            import numpy as np

            from dlexam.engines.pwl_compare import parse_condition

            condition = parse_condition(given, partition.program)
            inside = [condition.holds(np.asarray([[float(x) for x in centroid(p.polygon)]]))[0]
                      for p in partition.pieces]
            if sum(inside) != 1:
                raise InputError(f"The condition `{given}` does not pick out one piece.")
            index = inside.index(True)
        level = pwl.to_fraction(level)
        data: PiecesData = {"program": program, "level": int(level) if level.denominator == 1 else str(level),
                            "box": list(DEFAULT_BOX), "count": len(partition.pieces),
                            "given": list(partition.pieces[index].pattern)}
        return Variant(self.name, seed, dict(data))

    def document(self, variant: Variant) -> list[Block]:
        partition, given = solved(variant.data)
        piece = partition.pieces[given]
        level, count = fraction_text(partition.level), len(partition.pieces)
        lines = "\n".join(s.strip() for s in partition.program.source.split(";"))
        condition = " ∧ ".join(f"({c})" for c in exam_wording(partition, piece).split(" and "))
        blocks: list[Block] = [
            Text("The function y = f(x1, x2) is computed by:"),
            Code(lines),
            Text(f"(a) y is linear on each of {count} pieces of the plane. Give every piece: its condition "
                 f"and the function y on it. Look at the box -5 <= x1 <= 5, -5 <= x2 <= 5. "
                 f"Piece 1 is given as an example:"),
            Math(rf"\text{{Piece 1: }} {_latex(condition)} \quad y = {_latex(piece.function.text())}",
                 f"Piece 1: {condition}   y = {piece.function.text()}"),
            Text(f"(b) Draw the decision boundary y = {level} on each of the {count} pieces. "
                 f"On piece 1 it is:"),
        ]
        for s in piece.boundary:
            text = segment_text(s)
            blocks.append(Math(_latex(text).replace(" for ", r" \quad \text{for } "), text))
        blocks.append(Text("Answer with `condition: y = function` for each piece and "
                           "`x2 = 1 for 0 < x1 < 1` (or `[[x1, x2], [x1, x2]]`) for each boundary "
                           "segment, all separated by semicolons; piece 1 need not be repeated."))
        return blocks

    def answer_hint(self, variant: Variant) -> str:
        partition, given = solved(variant.data)
        piece = partition.pieces[given]
        example = exam_wording(partition, piece)
        segment = segment_text(piece.boundary[0]) if piece.boundary else "x2 = 1 for 0 < x1 < 1"
        return (f"pieces `condition: y = function` and boundary segments `x2 = 1 for 0 < x1 < 1`, on one "
                f"line separated by `;` — e.g. `{example}: y = {piece.function.text()}; ...; {segment}; ...` "
                f"(piece 1 may be left out; `and`, `∧`, `&` all work)")

    # --- solving ----------------------------------------------------------------------------

    def solve(self, variant: Variant) -> Solution:
        return solution(*solved(variant.data))

    def verify(self, variant: Variant, solution: Solution) -> None:
        """Sample the program directly on a grid (floating point, no polygons from the solver)."""
        data = cast(PiecesData, variant.data)
        partition, _ = solved(data)
        if len(partition.pieces) != data["count"]:
            raise VerificationError(f"{data['program']}: {len(partition.pieces)} pieces, not {data['count']}.")
        from dlexam.tasks.pieces.sampling import verify_by_sampling

        verify_by_sampling(partition, solution.answer.parts)

    # --- grading ----------------------------------------------------------------------------

    def grade(self, variant: Variant, answer: Answer) -> Grade:
        from dlexam.tasks.pieces.boundary import grade_boundary
        from dlexam.tasks.pieces.grading import grade_pieces

        partition, given = solved(variant.data)
        student = read_parts(answer.parts, partition.program, partition.box)
        half = self.points / 2
        return Grade([grade_pieces(partition, given, student, half),
                      grade_boundary(partition, given, student, half)])

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        partition, _ = solved(variant.data)
        parts = parse_text(text)
        read_parts(parts, partition.program, partition.box)     # every item must read
        return Answer(parts)

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        partition, given = solved(variant.data)
        others = [i for i in range(len(partition.pieces)) if i != given]
        crossed = [i for i in others if partition.pieces[i].boundary]
        piece = partition.pieces[rng.choice(others)]
        pieces = [dict(p) for p in answer.parts[Part.PIECES]]
        boundary = list(answer.parts[Part.BOUNDARY])
        entry = next(p for p in pieces if p["condition"] == piece.condition)
        mistake = rng.choice([Mistake.FUNCTION, Mistake.CONDITION] + [Mistake.BOUNDARY] * bool(crossed))
        if mistake == Mistake.FUNCTION:
            wrong = piece.function - pwl.Affine(Fraction(0), Fraction(0), Fraction(rng.choice([1, -1])))
            entry["function"] = f"y = {wrong.text()}"
        elif mistake == Mistake.CONDITION:
            k = rng.randrange(len(piece.facets))
            entry["condition"] = " and ".join(inequality_text(-h if j == k else h) for j, h in enumerate(piece.facets))
        else:
            from dlexam.grading.geometry import shifted

            for s in partition.pieces[rng.choice(crossed)].boundary:   # by 1, well beyond the tolerance
                boundary.remove(segment_text(s))
                boundary.append(shifted(s, 1.0))
        return Answer({Part.PIECES.value: pieces, Part.BOUNDARY.value: boundary})

    # --- the picture ------------------------------------------------------------------------

    def picture(self, variant: Variant, path: str | Path) -> Path:
        """The solution drawn as a model answer: pieces, functions, the boundary in bold."""
        from dlexam.engines import pwl_plot   # matplotlib: only when a picture is asked for

        partition, given = solved(variant.data)
        numbered = replace(partition, pieces=answer_order(partition, given))   # piece 1 is the given one
        return pwl_plot.draw(numbered, path, title=f"{partition.program.source}:  boundary y = "
                                                   f"{fraction_text(partition.level)}")


def _latex(text: str) -> str:
    out = text.replace("x1", "x_1").replace("x2", "x_2").replace("∧", r"\wedge")
    return out.replace("<=", r"\le").replace(">=", r"\ge").replace("*", " ").replace("max", r"\max")
