"""Exam-style max/ReLU programs for the linear-pieces task, and what makes one fit the exam.

The shapes follow the exam sheets: `h = max(0, x1); y = max(x2, h)` (a ReLU fed into a max or
min with an input), `a3 = max(0, x1 + x2); a4 = max(0, x1 - x2); y = a3 - a4` (two ReLUs
combined), and the engine's random two-operation programs when they are short.
Coefficients are small integers; a program is kept only if it has exactly the asked number of
pieces in the box, every piece is large enough to draw, and the boundary y = C crosses the box
on enough pieces, with end points at whole or half numbers.
"""

from __future__ import annotations

import random
from fractions import Fraction

from dlexam.engines import pwl
from dlexam.engines.pwl_geometry import Affine, contains, linear_text

LEVELS = (1, 1, 1, 2, -1)
MIN_AREA_SHARE = Fraction(1, 25)     # every piece covers at least 4% of the box
MAX_DENOMINATOR = 2                  # vertices and boundary ends at whole or half numbers


def linear_form(rng: random.Random, constant: bool = True) -> str:
    """a*x1 + b*x2 + c with small integers, not constant."""
    while True:
        a, b = rng.choice([-1, 0, 1, 1, 1, 2]), rng.choice([-1, 0, 1, 1, 1, 2])
        c = rng.choice([0, 0, 0, 1, -1]) if constant else 0
        if a or b:
            return linear_text([(Fraction(a), "x1"), (Fraction(b), "x2")], Fraction(c))


def relu_into_max(rng: random.Random) -> str:
    """The exam's shape: `h = max(0, x1); y = max(x2, h)`."""
    outer = rng.choice(["max", "max", "min"])
    return f"h = max(0, {linear_form(rng)}); y = {outer}({linear_form(rng)}, h)"


def two_relus(rng: random.Random) -> str:
    """The other exam's shape: `a3 = max(0, x1 + x2); a4 = max(0, x1 - x2); y = a3 - a4`."""
    a, b = rng.choice([("a3", "a4"), ("a1", "a2"), ("h1", "h2")])
    weights = [(Fraction(rng.choice([1, 1, -1, 2])), a), (Fraction(rng.choice([1, -1, -1, 2])), b)]
    return (f"{a} = max(0, {linear_form(rng)}); {b} = max(0, {linear_form(rng)}); "
            f"y = {linear_text(weights, Fraction(rng.choice([0, 0, 1])))}")


def engine_random(rng: random.Random) -> str:
    """The engine's random programs, as long as they read like an exam's (short)."""
    while len(program := pwl.random_program(rng, hidden=2)) > MAX_LENGTH:
        pass
    return program


SHAPES = (relu_into_max, relu_into_max, relu_into_max, two_relus, two_relus, engine_random)
MAX_LENGTH = 64


def draw_program(rng: random.Random, count: int, box: tuple, tries: int = 2000) -> tuple[str, int, tuple[int, ...]]:
    """A program, a level C and the pattern of the piece given as the example."""
    for _ in range(tries):
        program = rng.choice(SHAPES)(rng) if count == 4 else pwl.random_program(rng, hidden=rng.choice([2, 3]))
        level = rng.choice(LEVELS)
        try:
            partition = pwl.program_pieces(program, box, level)
        except Exception:   # a draw the engine refuses is simply not used
            continue
        if fits_exam(partition, count):
            with_boundary = [p.pattern for p in partition.pieces if p.boundary]
            return program, level, rng.choice(with_boundary)
    raise RuntimeError(f"no program with {count} pieces found in {tries} draws")


def fits_exam(partition: pwl.Partition, count: int) -> bool:
    """Exactly `count` drawable pieces; the boundary crosses at least three of them cleanly."""
    if len(partition.pieces) != count:
        return False
    x1lo, x1hi, x2lo, x2hi = partition.box
    box_area = (x1hi - x1lo) * (x2hi - x2lo)
    for piece in partition.pieces:
        if piece.area < MIN_AREA_SHARE * box_area or piece.at_level:
            return False
        if not all(_nice(v) for point in piece.polygon for v in point):
            return False
        for segment in piece.boundary:
            if not all(_nice(v) for point in segment for v in point):
                return False
            middle = ((segment[0][0] + segment[1][0]) / 2, (segment[0][1] + segment[1][1]) / 2)
            if not contains(piece.polygon, middle):    # the boundary runs along an edge
                return False
    return sum(1 for p in partition.pieces if p.boundary) >= min(3, count)


def _nice(value: Fraction) -> bool:
    return Fraction(value).denominator <= MAX_DENOMINATOR


def op_values(partition: pwl.Partition, piece: pwl.Piece) -> dict[int, tuple[int, Affine]]:
    """For each counted operation: its active argument on the piece and its value there."""
    program = partition.program
    values: dict[int, Affine] = {}
    active: dict[int, tuple[int, Affine]] = {}
    for k, i in zip(program.relevant(), piece.pattern):
        values[k] = pwl.affine_of(program.operations[k].args[i], values)
        active[k] = (i, values[k])
    return active
