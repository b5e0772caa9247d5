"""Exam task 2, decision boundary: the linear pieces of a max/ReLU program and its boundary y = C.

As on the exam sheet (`h = max(0, x1); y = max(x2, h)`): (a) give the 4 pieces on which y is
linear, the first given as an example in the exam's own wording (`x1 > 0 and x2 > h`);
(b) draw the boundary y = C on each piece, the given piece's part again as the example.
Pieces are activation regions (as the exam counts them), looked at in the box
-5 <= x1, x2 <= 5.

Points (6 in all, with 4 pieces): (a) 3 points, one per piece to find, half for its region and
half for the function y on it; (b) 3 points, split equally over the pieces (other than the
given one) that the boundary crosses; a segment drawn on a piece it does not cross costs a
share. The given piece earns nothing and need not be repeated. Details: `pieces_grading`.
Answer syntax (one line works): `pieces_answer` and `answer_hint`.
"""

from __future__ import annotations

import random
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from dlexam.engines import pwl
from dlexam.engines.pwl_compare import grid, parse_affine, parse_condition, polygon_contains
from dlexam.engines.pwl_geometry import inequality_text, segment_length2, segment_text
from dlexam.errors import InputError, VerificationError
from dlexam.tasks.document import Block, Code, Math, Text
from dlexam.tasks.model import Answer, Grade, Solution, TaskFamily, Variant
from dlexam.tasks.pieces_answer import parse_text, read_parts, read_segment
from dlexam.tasks.pieces_grading import grade_boundary, grade_pieces
from dlexam.tasks.pieces_programs import draw_program, op_values

DEFAULT_BOX = (-5, 5, -5, 5)


class LinearPieces(TaskFamily):
    name = "pieces"
    title = "Linear pieces and decision boundary"
    topic = "Task 2: decision boundary"

    def __init__(self, count: int = 4) -> None:
        self.count = count
        self.points = 2.0 * (count - 1)      # (a) and (b): one point per piece to find, each

    # --- posing -----------------------------------------------------------------------------

    def _generate(self, rng: random.Random) -> dict[str, Any]:
        program, level, given = draw_program(rng, self.count, pwl.make_box(DEFAULT_BOX))
        return {"program": program, "level": level, "box": list(DEFAULT_BOX), "count": self.count,
                "given": list(given)}

    def variant_for(self, program: str, level: Any = 1, given: str | None = None, seed: int = 0) -> Variant:
        """A variant of a program of one's own (an exam's), the example piece chosen by its condition."""
        partition = pwl.program_pieces(program, DEFAULT_BOX, level)
        index = 0
        if given is not None:
            condition = parse_condition(given, partition.program)
            inside = [condition.holds(np.asarray([[float(x) for x in _inner(p)]]))[0] for p in partition.pieces]
            if sum(inside) != 1:
                raise InputError(f"The condition `{given}` does not pick out one piece.")
            index = inside.index(True)
        level = pwl.to_fraction(level)
        data = {"program": program, "level": int(level) if level.denominator == 1 else str(level),
                "box": list(DEFAULT_BOX),
                "count": len(partition.pieces), "given": list(partition.pieces[index].pattern)}
        return Variant(self.name, seed, data)

    def document(self, variant: Variant) -> list[Block]:
        partition, given = _solved(variant.data)
        piece = partition.pieces[given]
        level, count = _num(partition.level), len(partition.pieces)
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
        partition, given = _solved(variant.data)
        piece = partition.pieces[given]
        example = exam_wording(partition, piece)
        segment = segment_text(piece.boundary[0]) if piece.boundary else "x2 = 1 for 0 < x1 < 1"
        return (f"pieces `condition: y = function` and boundary segments `x2 = 1 for 0 < x1 < 1`, on one "
                f"line separated by `;` — e.g. `{example}: y = {piece.function.text()}; ...; {segment}; ...` "
                f"(piece 1 may be left out; `and`, `∧`, `&` all work)")

    # --- solving ----------------------------------------------------------------------------

    def solve(self, variant: Variant) -> Solution:
        partition, given = _solved(variant.data)
        order = [given] + [i for i in range(len(partition.pieces)) if i != given]
        pieces = [{"condition": partition.pieces[i].condition,
                   "function": f"y = {partition.pieces[i].function.text()}"} for i in order]
        boundary = [segment_text(s) for i in order for s in partition.pieces[i].boundary]
        steps = [f"Every max/ReLU has one active argument on each piece; {len(partition.pieces)} "
                 f"combinations occur in the box, so y has {len(partition.pieces)} linear pieces."]
        steps += [_piece_step(partition, n, partition.pieces[i]) for n, i in enumerate(order, start=1)]
        steps.append(f"Together the boundary y = {_num(partition.level)} is: "
                     + "; ".join(segment_text(s) for s in partition.boundary) + ".")
        return Solution(Answer({"pieces": pieces, "boundary": boundary}), steps)

    def verify(self, variant: Variant, solution: Solution) -> None:
        """Sample the program directly on a grid (floating point, no polygons from the solver)."""
        partition, _ = _solved(variant.data)
        data = variant.data
        if len(partition.pieces) != data["count"]:
            raise VerificationError(f"{data['program']}: {len(partition.pieces)} pieces, not {data['count']}.")
        n = 151
        points, _ = grid(partition.box, n)
        values, patterns = pwl.evaluate_points(partition.program, points)
        seen = {tuple(int(v) for v in row) for row in np.unique(patterns, axis=0)}
        if seen != {p.pattern for p in partition.pieces}:
            raise VerificationError(f"{data['program']}: sampling finds patterns {sorted(seen)}.")
        for text, piece in zip(solution.answer.parts["pieces"], _answer_order(partition, data)):
            _check_piece(partition, piece, text, points, values, patterns)
        _check_boundary(partition, solution.answer.parts["boundary"], points, values, n)

    # --- grading ----------------------------------------------------------------------------

    def grade(self, variant: Variant, answer: Answer) -> Grade:
        partition, given = _solved(variant.data)
        student = read_parts(answer.parts, partition.program, partition.box)
        half = self.points / 2
        return Grade([grade_pieces(partition, given, student, half),
                      grade_boundary(partition, given, student, half)])

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        partition, _ = _solved(variant.data)
        parts = parse_text(text)
        read_parts(parts, partition.program, partition.box)     # every item must read
        return Answer(parts)

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        partition, given = _solved(variant.data)
        others = [i for i in range(len(partition.pieces)) if i != given]
        crossed = [i for i in others if partition.pieces[i].boundary]
        i = rng.choice(others)
        piece = partition.pieces[i]
        pieces = [dict(p) for p in answer.parts["pieces"]]
        boundary = list(answer.parts["boundary"])
        entry = next(p for p in pieces if p["condition"] == piece.condition)
        kind = rng.choice(["function", "condition"] + ["boundary"] * bool(crossed))
        if kind == "function":
            wrong = piece.function - pwl.Affine(Fraction(0), Fraction(0), Fraction(rng.choice([1, -1])))
            entry["function"] = f"y = {wrong.text()}"
        elif kind == "condition":
            facets = list(piece.facets)
            k = rng.randrange(len(facets))
            entry["condition"] = " and ".join(inequality_text(-h if j == k else h) for j, h in enumerate(facets))
        else:
            target = partition.pieces[rng.choice(crossed)]
            for s in target.boundary:     # moved by 1 across itself, well beyond the tolerance
                boundary.remove(segment_text(s))
                (ax, ay), (bx, by) = s
                length = float(segment_length2(s)) ** 0.5
                nx, ny = float(ay - by) / length, float(bx - ax) / length
                boundary.append([[float(x) + nx, float(y) + ny] for x, y in s])
        return Answer({"pieces": pieces, "boundary": boundary})

    # --- the picture ------------------------------------------------------------------------

    def picture(self, variant: Variant, path: str | Path) -> Path:
        """The solution drawn as a model answer: pieces, functions, the boundary in bold."""
        from dataclasses import replace

        from dlexam.engines import pwl_plot
        partition, _ = _solved(variant.data)
        numbered = replace(partition, pieces=_answer_order(partition, variant.data))   # piece 1 is the given one
        return pwl_plot.draw(numbered, path, title=f"{partition.program.source}:  boundary y = "
                                                   f"{_num(partition.level)}")


# --- helpers --------------------------------------------------------------------------------

@lru_cache(maxsize=256)
def _partition(program: str, box: tuple, level: str) -> pwl.Partition:
    return pwl.program_pieces(program, box, level)


def _solved(data: dict[str, Any]) -> tuple[pwl.Partition, int]:
    """The exact partition and the index of the given piece (data are checked: they may come from JSON)."""
    try:
        partition = _partition(data["program"], tuple(str(v) for v in data["box"]), str(data["level"]))
        given = [p.pattern for p in partition.pieces].index(tuple(data["given"]))
    except (KeyError, TypeError, ValueError):
        raise InputError("This variant's data are incomplete or do not fit its program.") from None
    return partition, given


def _answer_order(partition: pwl.Partition, data: dict[str, Any]) -> list[pwl.Piece]:
    given = [p.pattern for p in partition.pieces].index(tuple(data["given"]))
    return [partition.pieces[given]] + [p for i, p in enumerate(partition.pieces) if i != given]


def exam_wording(partition: pwl.Partition, piece: pwl.Piece) -> str:
    """The piece's condition in the program's names, as the exam writes it (`x1 > 0 and x2 > h`);
    comparisons of x1 and x2 alone are tidied (`-x1 < 0` reads `x1 > 0`)."""
    return " and ".join(_tidy(part, partition.program) for part in piece.condition_named.split(" and "))


def _tidy(comparison: str, program) -> str:
    try:
        (h,) = parse_condition(comparison, program).halfplanes()
        return inequality_text(h)
    except (InputError, ValueError):   # it names a max/ReLU value: keep the exam's words
        return comparison


def _inner(piece: pwl.Piece) -> tuple[Fraction, Fraction]:
    xs, ys = zip(*piece.polygon)
    return (sum(xs) / len(xs), sum(ys) / len(ys))


def _num(v: Any) -> str:
    return str(Fraction(v))


def _latex(text: str) -> str:
    out = text.replace("x1", "x_1").replace("x2", "x_2").replace("∧", r"\wedge")
    out = out.replace("<=", r"\le").replace(">=", r"\ge").replace("*", " ").replace("max", r"\max")
    return out


def _piece_step(partition: pwl.Partition, n: int, piece: pwl.Piece) -> str:
    program = partition.program
    named = {lin.terms[0][0]: name for name, lin in program.names.items()
             if len(lin.terms) == 1 and lin.terms[0][1] == 1 and lin.const == 0 and isinstance(lin.terms[0][0], int)}
    parts = []
    for k, (i, value) in op_values(partition, piece).items():
        op = program.operations[k]
        label = f"{named[k]} = {op.text}" if k in named else op.text
        result = value.text() if op.arg_texts[i] == value.text() else f"{op.arg_texts[i]} = {value.text()}"
        parts.append(f"{label} = {result} since {_tidy(_wins(op, i), program)}")
    boundary = "; ".join(segment_text(s) for s in piece.boundary) or "none (y never equals " \
                                                                     f"{_num(partition.level)} here)"
    return (f"Piece {n}{' (given)' if n == 1 else ''}: {piece.condition}  [{exam_wording(partition, piece)}]: "
            + ", ".join(parts) + f", so y = {piece.function.text()}; boundary y = {_num(partition.level)}: "
            + boundary + ".")


def _wins(op, i: int) -> str:
    """Why argument i is active: `x1 > 0`, `x2 > h`, `x1 - x2 < 0`."""
    return " and ".join(pwl.active_text(op, i, j) for j in range(len(op.arg_texts)) if j != i)


def _check_piece(partition, piece, entry, points, values, patterns) -> None:
    """One piece of the solution against the samples: region, pattern, function, condition text."""
    inside = polygon_contains(piece.polygon, points)
    same = np.all(patterns == np.asarray(piece.pattern), axis=1)
    if not inside.any() or not np.array_equal(inside, same):
        raise VerificationError(f"The polygon of {piece.condition} disagrees with the sampled pattern.")
    f = parse_affine(entry["function"])
    expected = float(f.x1) * points[:, 0] + float(f.x2) * points[:, 1] + float(f.const)
    if not np.allclose(values[inside], expected[inside], atol=1e-9):
        raise VerificationError(f"On {piece.condition} the program is not {entry['function']}.")
    if not np.array_equal(parse_condition(entry["condition"], partition.program).holds(points), inside):
        raise VerificationError(f"The condition {entry['condition']} is not the sampled piece.")


def _check_boundary(partition, texts, points, values, n) -> None:
    """Every stated segment has y = C; every sign change of y - C on the grid lies on one."""
    level = float(partition.level)
    box = partition.box
    segments = [read_segment(t, box) for t in texts]
    ends = np.asarray([[[float(v) for v in p] for p in s] for s in segments]).reshape(-1, 2, 2)
    t = np.linspace(0, 1, 21)[None, :, None]
    along = (ends[:, None, 0] + t * (ends[:, None, 1] - ends[:, None, 0])).reshape(-1, 2)
    on, _ = pwl.evaluate_points(partition.program, along)
    if not np.allclose(on, level, atol=1e-9):
        raise VerificationError(f"A stated boundary point has y = {on[np.argmax(abs(on - level))]}, not {level}.")
    side = (values > level).reshape(n, n)
    pts = points.reshape(n, n, 2)
    mids = np.concatenate([((pts[1:] + pts[:-1]) / 2)[side[1:] != side[:-1]],
                           ((pts[:, 1:] + pts[:, :-1]) / 2)[side[:, 1:] != side[:, :-1]]])
    spacing = float(max(box[1] - box[0], box[3] - box[2])) / n
    for m in mids:
        a, d = ends[:, 0], ends[:, 1] - ends[:, 0]
        s = np.clip(((m - a) * d).sum(axis=1) / np.maximum((d ** 2).sum(axis=1), 1e-300), 0, 1)
        if np.sqrt(((a + s[:, None] * d - m) ** 2).sum(axis=1)).min() > 0.75 * spacing:
            raise VerificationError(f"y crosses {level} near ({m[0]:.2f}, {m[1]:.2f}), off the stated boundary.")
