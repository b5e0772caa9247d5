"""Exact linear pieces and level sets of max/ReLU functions of two inputs.

`program_pieces(text_or_program, box, level)` splits the box, operation by operation, into
convex polygons on which every max/min/relu/abs the output depends on has one active
argument (ties go to the first argument). Arithmetic is exact (fractions.Fraction), so an
answer reads `x2 = 1 for 0 < x1 < 1`. Networks (thousands of pieces) go through the
floating-point path in `pwl_network`; `pieces()` accepts either.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from dlexam.engines.pwl_geometry import (
    Affine,
    Point,
    Polygon,
    Segment,
    area,
    box_polygon,
    clip,
    inequality_text,
    is_facet,
    line_cut,
    merge_segments,
    normalised,
    segment_length2,
    segment_text,
)
from dlexam.engines.pwl_box import DEFAULT_BOX, Box, make_box, to_fraction
from dlexam.engines.pwl_parse import Lin, Operation, OperationKind, Program, parse_program
from dlexam.errors import InputError

if TYPE_CHECKING:
    from dlexam.engines.pwl_network import NetworkPartition

# the box and number readers are shared with `pwl_network`; re-exported for callers of `pwl`
__all__ = [
    "Affine", "Box", "DEFAULT_BOX", "Partition", "Piece", "activation_pattern", "active_text", "affine_of",
    "count_pieces", "evaluate", "evaluate_points", "lin_values", "make_box", "operation_values",
    "pieces", "program_pieces", "random_program", "to_fraction",
]


@dataclass
class Piece:
    """One activation pattern with a non-empty interior in the box."""

    pattern: tuple[int, ...]          # active argument of each counted operation, in program order
    polygon: Polygon                  # counter-clockwise, exact
    function: Affine                  # the output on this piece
    facets: list[Affine]              # the piece is {h > 0 for h in facets} within the box
    condition: str                    # in x1, x2: `x1 > 0 and x2 > x1`
    condition_named: str              # in the program's own names: `x1 > 0 and x2 > h`
    at_level: bool = False            # f = C on the whole piece
    boundary: list[Segment] = field(default_factory=list)

    @property
    def area(self) -> Fraction:
        return area(self.polygon)


@dataclass
class Partition:
    """All pieces of a program in a box, and the level set f = C when a level is given."""

    program: Program
    box: Box
    pieces: list[Piece]
    level: Fraction | None = None
    boundary: list[Segment] | None = None   # merged segments of {f = C}; None without a level

    @property
    def output(self) -> str:
        return self.program.output

    def __len__(self) -> int:
        return len(self.pieces)

    def piece_at(self, point: Point) -> Piece | None:
        """The piece whose pattern holds at a point (the program decides, ties to the first)."""
        pattern = activation_pattern(self.program, point)
        return next((p for p in self.pieces if p.pattern == pattern), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "output": self.output,
            "kind": "program",
            "box": [float(v) for v in self.box],
            "level": None if self.level is None else float(self.level),
            "level_exact": None if self.level is None else str(self.level),
            "count": len(self.pieces),
            "operations": [op.text for op in _counted(self.program)],
            "pieces": [_piece_json(p, self.level is not None) for p in self.pieces],
            "boundary": None if self.boundary is None else [_seg(s) for s in self.boundary],
            "boundary_exact": None if self.boundary is None else [_seg(s, str) for s in self.boundary],
            "boundary_text": None if self.boundary is None else [segment_text(s) for s in self.boundary],
        }


# --- the exact algorithm --------------------------------------------------------------------

@dataclass
class _Region:
    polygon: Polygon
    pattern: tuple[int, ...]
    values: dict[int, Affine]                 # operation index -> its output on the region
    constraints: list[tuple[Affine, str]]     # (h, named text) with the region inside h >= 0

MAX_PROGRAM_PIECES = 2_000  # exact pieces (fractions); an exam's program has a handful


def program_pieces(program: str | Program, box: Any = None, level: Any = None) -> Partition:
    """Every piece of the program's output in the box, exactly, and the level set f = level."""
    program = _parsed(program)
    box = make_box(box)
    level = None if level is None else to_fraction(level)
    regions = [_Region(box_polygon(box), (), {}, [])]
    for k in program.relevant():
        regions = [child for region in regions for child in _split(program.operations[k], k, region)]
        if len(regions) > MAX_PROGRAM_PIECES:   # refused before the next operation doubles them again
            raise InputError(f"The program has more than {MAX_PROGRAM_PIECES:,} pieces in the box; "
                             f"dlexam draws programs of exam size (or give a smaller --box).")
    pieces = [_finish(program, region, box) for region in regions]
    boundary = None
    if level is not None:
        segments: list[Segment] = []
        for piece in pieces:
            points = _level_on(piece, level)
            segments += points
            piece.boundary = [s for s in points if segment_length2(s) > 0]
        boundary = merge_segments(segments)
    return Partition(program, box, pieces, level, boundary)


def _split(op: Operation, k: int, region: _Region) -> list[_Region]:
    args = [affine_of(arg, region.values) for arg in op.args]
    children = []
    for i, active in enumerate(args):
        poly, constraints, feasible = region.polygon, list(region.constraints), True
        for j, other in enumerate(args):
            if j == i:
                continue
            h = active - other if op.larger_wins else other - active   # active wins where h > 0
            if h.is_constant:
                # a tie everywhere goes to the first argument
                if h.const < 0 or (h.const == 0 and j < i):
                    feasible = False
                    break
                continue
            poly = clip(poly, h)
            if len(poly) < 3:
                feasible = False
                break
            constraints.append((h, active_text(op, i, j)))
        if feasible and area(poly) > 0:
            values = dict(region.values)
            values[k] = active
            children.append(_Region(poly, region.pattern + (i,), values, constraints))
    return children


def affine_of(lin: Lin, values: dict[int, Affine]) -> Affine:
    """A program expression as an affine function of x1, x2, given the operations' values."""
    x1 = x2 = Fraction(0)
    const = lin.const
    for atom, coef in lin.terms:
        if atom == "x1":
            x1 += coef
        elif atom == "x2":
            x2 += coef
        else:
            a = values[atom]
            x1, x2, const = x1 + coef * a.x1, x2 + coef * a.x2, const + coef * a.const
    return Affine(x1, x2, const)


def active_text(op: Operation, i: int, j: int) -> str:
    """`active > other` in the program's own words (relu/abs as `z > 0`, constants on the right)."""
    if op.kind == OperationKind.ABS:
        return f"{op.arg_texts[0]} {'>' if i == 0 else '<'} 0"
    win, lose = op.arg_texts[i], op.arg_texts[j]
    rel = ">" if op.larger_wins else "<"
    if _is_number(win) and not _is_number(lose):
        win, lose, rel = lose, win, "<" if rel == ">" else ">"
    return f"{win} {rel} {lose}"


def _is_number(text: str) -> bool:
    try:
        Fraction(text)
        return True
    except ValueError:
        return False


def _finish(program: Program, region: _Region, box: Box) -> Piece:
    facets: dict[Affine, str] = {}
    for h, named in region.constraints:
        key = normalised(h)
        if key not in facets and is_facet(region.polygon, key, box):
            facets[key] = named
    condition = " and ".join(inequality_text(h) for h in facets) or "true"
    condition_named = " and ".join(dict.fromkeys(facets.values())) or "true"
    function = affine_of(program.output_lin, region.values)
    return Piece(region.pattern, region.polygon, function, list(facets), condition, condition_named)


def _level_on(piece: Piece, level: Fraction) -> list[Segment]:
    g = piece.function - Affine(Fraction(0), Fraction(0), level)
    if g.is_constant:
        piece.at_level = g.const == 0
        return []
    cut = line_cut(piece.polygon, g)
    return [] if cut is None else [cut]


# --- direct evaluation (the second method) --------------------------------------------------

def evaluate(program: str | Program, point: tuple[Any, Any]) -> Fraction:
    """The program's output at a point, exactly, operation by operation."""
    program, x = _parsed(program), _exact(point)
    values = _run(program, x)[0]
    return _lin_value(program.output_lin, x, values)


def activation_pattern(program: str | Program, point: tuple[Any, Any]) -> tuple[int, ...]:
    """The active argument of every counted operation at a point (ties to the first)."""
    program = _parsed(program)
    active = _run(program, _exact(point))[1]
    return tuple(active[k] for k in program.relevant())


def _parsed(program: str | Program) -> Program:
    return parse_program(program) if isinstance(program, str) else program


def _exact(point: tuple[Any, Any]) -> tuple[Fraction, Fraction]:
    return to_fraction(point[0]), to_fraction(point[1])


def _run(program: Program, x: tuple[Fraction, Fraction]) -> tuple[list[Fraction], list[int]]:
    values: list[Fraction] = []
    active: list[int] = []
    for op in program.operations:
        args = [_lin_value(a, x, values) for a in op.args]
        best = max(args) if op.larger_wins else min(args)
        active.append(args.index(best))
        values.append(best)
    return values, active


def _lin_value(lin: Lin, x: tuple[Fraction, Fraction], values: list[Fraction]) -> Fraction:
    total = lin.const
    for atom, coef in lin.terms:
        total += coef * (x[0] if atom == "x1" else x[1] if atom == "x2" else values[atom])
    return total


def evaluate_points(program: str | Program, points: Any) -> tuple[Any, Any]:
    """Outputs (N,) and patterns (N, counted operations) at many points, in float64 NumPy."""
    import numpy as np
    program = _parsed(program)
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    values, active = operation_values(program, pts)
    out = lin_values(program.output_lin, pts, values)
    relevant = program.relevant()
    pattern = np.stack([active[k] for k in relevant], axis=1) if relevant else np.zeros((len(pts), 0), int)
    return out, pattern


def operation_values(program: Program, pts: Any) -> tuple[list[Any], list[Any]]:
    """Each operation's value and active argument (ties to the first) at points (N, 2)."""
    import numpy as np
    values: list[Any] = []
    active: list[Any] = []
    for op in program.operations:
        args = np.stack([lin_values(a, pts, values) for a in op.args], axis=1)
        pick = np.argmax(args, axis=1) if op.larger_wins else np.argmin(args, axis=1)
        active.append(pick)
        values.append(args[np.arange(len(pts)), pick])
    return values, active


def lin_values(lin: Lin, pts: Any, values: list[Any]) -> Any:
    import numpy as np
    total = np.full(len(pts), float(lin.const))
    for atom, coef in lin.terms:
        total += float(coef) * (pts[:, 0] if atom == "x1" else pts[:, 1] if atom == "x2" else values[atom])
    return total


def _counted(program: Program) -> list[Operation]:
    return [program.operations[k] for k in program.relevant()]


# --- one entry point for programs and networks ----------------------------------------------

def pieces(source: Any, box: Any = None, level: Any = None) -> Partition | NetworkPartition:
    """Pieces of a program (text or Program), a network dict/`Network`, or a torch nn.Sequential."""
    if isinstance(source, (str, Program)):
        return program_pieces(source, box, level)
    from dlexam.engines import pwl_network  # lazily: programs need no NumPy
    return pwl_network.network_pieces(pwl_network.as_network(source), box, level)


def count_pieces(source: Any, box: Any = None) -> int:
    return len(pieces(source, box))


def random_program(rng: random.Random, hidden: int = 2, coefficients: tuple[int, ...] = (-1, 0, 1, 1),
                   constants: tuple[int, ...] = (0, 0, 0, 1, -1)) -> str:
    """An exam-style program with small integer coefficients, e.g.
    `a1 = max(0, x1 + x2); a2 = max(0, x1 - x2); y = a1 - a2`. Filter by `count_pieces`."""
    names: list[str] = []
    lines = []

    def combo(pool: list[str]) -> str:
        while True:
            terms = [(rng.choice(coefficients), v) for v in pool]
            text = _int_text(terms, rng.choice(constants))
            if any(c for c, _ in terms):
                return text

    for k in range(hidden):
        pool = ["x1", "x2"] + names
        kind = rng.choice(["relu", "max", "max", "min"])
        if kind == "relu":
            call = f"max(0, {combo(pool)})"
        else:
            call = f"{kind}({combo(pool)}, {combo(pool)})"
        names.append(f"h{k + 1}")
        lines.append(f"{names[-1]} = {call}")
    pool = ["x1", "x2"] + names
    if rng.random() < 0.5:
        lines.append(f"y = max({combo(pool)}, {combo(names)})")
    else:
        lines.append(f"y = {combo(names)}")
    return "; ".join(lines)


def _int_text(terms: list[tuple[int, str]], const: int) -> str:
    from dlexam.engines.pwl_geometry import linear_text
    return linear_text([(Fraction(c), v) for c, v in terms], Fraction(const))


# --- JSON -----------------------------------------------------------------------------------

def _num(v: Fraction) -> int | float:
    return int(v) if v.denominator == 1 else float(v)


def _seg(s: Segment, f=None) -> list[list]:
    f = f or _num
    return [[f(s[0][0]), f(s[0][1])], [f(s[1][0]), f(s[1][1])]]


def _piece_json(p: Piece, with_level: bool) -> dict[str, Any]:
    return {
        "condition": p.condition,
        "condition_named": p.condition_named,
        "function": {"x1": _num(p.function.x1), "x2": _num(p.function.x2), "const": _num(p.function.const)},
        "function_text": p.function.text(),
        "function_exact": p.function.exact(),
        "polygon": [[_num(x), _num(y)] for x, y in p.polygon],
        "polygon_exact": [[str(x), str(y)] for x, y in p.polygon],
        "area": float(p.area),
        "pattern": list(p.pattern),
        "at_level": p.at_level,
        "boundary": [_seg(s) for s in p.boundary],
        "boundary_exact": [_seg(s, str) for s in p.boundary],
        "boundary_text": [segment_text(s) for s in p.boundary],
    }
