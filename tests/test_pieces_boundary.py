"""Part (b) of the linear-pieces task: everything drawn lies on y = C, all of y = C is drawn.

Judged independently of the grader: a segment is surely off y = C where |y − C| exceeds the
steepest slope of y times the tolerance (y is Lipschitz), and pieces of the true boundary, cut
and joined anyhow, are surely on it.
"""

import random
from fractions import Fraction

import numpy as np
import pytest

from dlexam.engines import pwl
from dlexam.engines.pwl_geometry import segment_text
from dlexam.tasks.model import Answer
from dlexam.tasks.pieces.boundary import BOUNDARY_TOLERANCE
from dlexam.tasks.registry import family

SEEDS = range(0, 40, 3)


@pytest.fixture(scope="module")
def fam():
    return family("pieces")


def model(fam, seed):
    variant = fam.generate(seed)
    parts = fam.solve(variant).answer.parts
    return variant, pwl.program_pieces(variant.data["program"], variant.data["box"], variant.data["level"]), parts


def grade(fam, variant, pieces, boundary):
    return fam.grade(variant, Answer({"pieces": pieces, "boundary": boundary}))


def surely_off(partition, ends) -> bool:
    slope = max(float(abs(p.function.x1) + abs(p.function.x2)) for p in partition.pieces)
    t = np.linspace(0, 1, 201)[:, None]
    a, b = np.asarray(ends[0], float), np.asarray(ends[1], float)
    values, _ = pwl.evaluate_points(partition.program, a + t * (b - a))
    return bool(np.abs(values - float(partition.level)).max() > 2 * slope * BOUNDARY_TOLERANCE)


def on_segment(point, ends) -> bool:
    (ax, ay), (bx, by) = ends
    cross = (bx - ax) * (point[1] - ay) - (by - ay) * (point[0] - ax)
    inside = min(ax, bx) - 1e-9 <= point[0] <= max(ax, bx) + 1e-9 and min(ay, by) - 1e-9 <= point[1] <= max(ay, by) + 1e-9
    return abs(cross) < 1e-6 and inside


def random_wrong_segment(rng, partition):
    while True:
        ends = [[rng.randint(-10, 10) / 2, rng.randint(-10, 10) / 2] for _ in range(2)]
        if ends[0] != ends[1] and surely_off(partition, ends):
            return ends


@pytest.mark.parametrize("seed", SEEDS)
def test_a_segment_off_y_eq_c_anywhere_costs_points_and_names_a_point_on_it(fam, seed):
    variant, partition, parts = model(fam, seed)
    rng = random.Random(seed)
    for _ in range(4):
        ends = random_wrong_segment(rng, partition)
        part = grade(fam, variant, parts["pieces"], parts["boundary"] + [ends]).parts[1]
        assert part.points < part.max_points, (variant.data, ends)
        (wrong,) = part.evidence["wrong_segments"]
        assert on_segment(wrong["point"], ends)
        value = pwl.evaluate(partition.program, tuple(Fraction(v) for v in wrong["point"]))
        assert value != partition.level and float(value) == pytest.approx(wrong["y"])
        assert "is not on the boundary: at (" in part.feedback


def test_the_issue_examples_cost_points(fam):
    variant, _, parts = model(fam, 0)
    pieces = parts["pieces"][1:]
    for boundary in (["x2 = -1 for -5 < x1 < 5"], ["x2 = -1 for -5 < x1 < 1", "x2 = 3 for 0 < x1 < 4"]):
        part = grade(fam, variant, pieces, boundary).parts[1]
        assert part.points < part.max_points
        assert part.evidence["wrong_segments"][0]["point"][0] > 1


@pytest.mark.parametrize("seed", SEEDS)
def test_a_true_segment_drawn_too_long_costs_points(fam, seed):
    variant, partition, parts = model(fam, seed)
    for piece in partition.pieces:
        for (a, b) in piece.boundary:
            d = (b[0] - a[0], b[1] - a[1])
            far = (b[0] + 20 * d[0], b[1] + 20 * d[1])     # clipped to the box by the grader
            if not surely_off(partition, [[float(v) for v in b], [float(v) for v in far]]):
                continue
            longer = [[float(v) for v in a], [float(v) for v in far]]
            part = grade(fam, variant, parts["pieces"], parts["boundary"] + [longer]).parts[1]
            assert part.points < part.max_points and part.evidence["wrong_segments"], (variant.data, longer)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_true_boundary_cut_and_joined_anyhow_earns_full_marks(fam, seed):
    variant, partition, parts = model(fam, seed)
    rng = random.Random(seed)
    cut = []
    for (a, b) in partition.boundary:            # whole segments of y = C, across pieces
        ts = sorted({Fraction(0), Fraction(1), *(Fraction(rng.randint(1, 9), 10) for _ in range(2))})
        at = lambda t: [float(a[0] + t * (b[0] - a[0])), float(a[1] + t * (b[1] - a[1]))]  # noqa: E731
        cut += [[at(s), at(t)] for s, t in zip(ts, ts[1:])]
    rng.shuffle(cut)
    assert grade(fam, variant, parts["pieces"], cut).full_marks


@pytest.mark.parametrize("seed", SEEDS)
def test_a_missing_part_of_the_boundary_costs_and_drawing_twice_earns_nothing_more(fam, seed):
    variant, partition, parts = model(fam, seed)
    crossed = [p for p in partition.pieces if p.boundary and list(p.pattern) != variant.data["given"]]
    for piece in crossed:
        others = [segment_text(s) for p in partition.pieces if p is not piece for s in p.boundary]
        twice = others + others
        part = grade(fam, variant, parts["pieces"], twice).parts[1]
        assert part.points == pytest.approx(part.max_points * (1 - 1 / len(crossed)))
        (a, b) = piece.boundary[0]
        if (b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2 < 1:      # half of it is within the tolerance of the rest
            continue
        half = [[float(v) for v in a], [float((a[0] + b[0]) / 2), float((a[1] + b[1]) / 2)]]
        halves = [segment_text(s) for s in piece.boundary[1:]] + [half]
        part = grade(fam, variant, parts["pieces"], others + halves).parts[1]
        assert part.points < part.max_points
        missing = next(e for e in part.evidence["pieces"] if e["piece"] == piece.condition)
        assert not missing["ok"] and missing["point"] is not None
        assert float(pwl.evaluate(partition.program, tuple(Fraction(v) for v in missing["point"]))) == \
            pytest.approx(float(partition.level))


def test_a_segment_inside_a_piece_where_y_eq_c_throughout_is_on_the_boundary(fam):
    variant = fam.variant_for("h = max(0, x1 - 1); y = max(x2, h) - h", 0, "x1 > 1 and x2 > h")
    solution = fam.solve(variant).answer.parts
    partition = pwl.program_pieces(variant.data["program"], variant.data["box"], 0)
    assert any(p.at_level for p in partition.pieces) or pytest.skip("no piece at the level")
    flat = next(p for p in partition.pieces if p.at_level)
    cx = sum(float(x) for x, _ in flat.polygon) / len(flat.polygon)
    cy = sum(float(y) for _, y in flat.polygon) / len(flat.polygon)
    inside = [[cx - 0.1, cy], [cx + 0.1, cy]]
    part = grade(fam, variant, solution["pieces"], solution["boundary"] + [inside]).parts[1]
    assert part.evidence["wrong_segments"] == []
