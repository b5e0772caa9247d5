"""Properties of the exact engine over random programs, each checked by a second method:
Python itself evaluates the program text (with Fractions), grid sampling finds every piece."""

from fractions import Fraction as F

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from dlexam.engines import pwl_geometry as geo
from dlexam.engines.pwl import activation_pattern, evaluate_points, program_pieces
from dlexam.engines.pwl_compare import grid, parse_affine, parse_condition, parse_segment
from dlexam.engines.pwl_parse import parse_program
from dlexam.errors import InputError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def programs(draw):
    names = ["x1", "x2"]
    lines = []

    def combo(pool):
        coefs = draw(st.lists(st.integers(-2, 2), min_size=len(pool), max_size=len(pool)))
        const = draw(st.integers(-3, 3))
        terms = [f"({c})*{v}" for c, v in zip(coefs, pool) if c] or [f"{pool[-1]}"]
        return " + ".join(terms) + (f" + ({const})" if const else "")

    for k in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["max", "min", "relu", "abs"]))
        n_args = 1 if kind in ("relu", "abs") else draw(st.integers(2, 3))
        args = ", ".join(combo(names) for _ in range(n_args))
        lines.append(f"h{k} = {kind}({args})")
        names.append(f"h{k}")
    lines.append(f"y = {combo(names[2:] if draw(st.booleans()) else names)}")
    return "; ".join(lines)


boxes = st.tuples(st.integers(-4, -1), st.integers(1, 4), st.integers(-4, -1), st.integers(1, 4))


def python_value(text, point):
    """The program run by Python itself, exactly (an independent second method)."""
    env = {"max": max, "min": min, "abs": abs, "relu": lambda z: max(F(0), z),
           "x1": F(point[0]), "x2": F(point[1])}
    exec(text, env)
    return env["y"]


@SETTINGS
@given(programs(), boxes)
def test_pieces_tile_the_box(text, box):
    part = program_pieces(text, box)
    box_area = F((box[1] - box[0]) * (box[3] - box[2]))
    assert sum(p.area for p in part.pieces) == box_area
    assert len({p.pattern for p in part.pieces}) == len(part.pieces)
    for i, a in enumerate(part.pieces):
        for b in part.pieces[i + 1:]:
            overlap = geo.intersect(a.polygon, b.polygon)
            assert not overlap or geo.area(overlap) == 0


@SETTINGS
@given(programs(), boxes)
def test_each_piece_function_is_the_program_inside_it(text, box):
    part = program_pieces(text, box)
    for piece in part.pieces:
        c = geo.centroid(piece.polygon)
        assert geo.contains(piece.polygon, c)
        assert activation_pattern(part.program, c) == piece.pattern
        for p in [c] + [((c[0] + x) / 2, (c[1] + y) / 2) for x, y in piece.polygon]:
            assert piece.function(p) == python_value(text, p)


@SETTINGS
@given(programs(), boxes)
def test_grid_sampling_finds_no_piece_the_engine_missed(text, box):
    part = program_pieces(text, box)
    points, _ = grid(box, 41)
    values, patterns = evaluate_points(part.program, points)
    known = {p.pattern for p in part.pieces}
    assert {tuple(row) for row in patterns.tolist()} <= known
    # and the piece containing each point has the program's value there
    for point, value in zip(points[::97], values[::97]):
        piece = part.piece_at(tuple(F(v) for v in point))
        assert abs(float(piece.function(tuple(F(v) for v in point))) - value) < 1e-9


@SETTINGS
@given(programs(), boxes)
def test_simplified_conditions_describe_exactly_the_piece(text, box):
    part = program_pieces(text, box)
    for piece in part.pieces:
        poly = parse_condition(piece.condition).polygon(box)
        assert geo.area(poly) == piece.area == geo.area(geo.intersect(poly, piece.polygon))


@SETTINGS
@given(programs(), boxes, st.integers(-3, 3))
def test_boundary_segments_lie_on_the_level_set(text, box, level):
    part = program_pieces(text, box, level)
    for piece in part.pieces:
        if piece.at_level:
            assert piece.function.is_constant and piece.function.const == level
        for a, b in piece.boundary:
            for p in (a, b, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2)):
                assert python_value(text, p) == level
                assert geo.contains(piece.polygon, p, strict=False)
        values = [piece.function(v) - level for v in piece.polygon]
        if min(values) < 0 < max(values):   # f - C changes sign: the line crosses the piece
            assert len(piece.boundary) == 1
    for a, b in part.boundary:
        assert python_value(text, a) == level == python_value(text, b)
        if a != b:   # the readable form reads back as the same segment
            assert sorted(parse_segment(geo.segment_text((a, b)))) == sorted([a, b])


@SETTINGS
@given(programs())
def test_readable_functions_read_back(text):
    for piece in program_pieces(text).pieces:
        assert parse_affine(piece.function.text()) == piece.function
        assert parse_affine(f"y = {piece.function.text()}") == piece.function


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="xyh12 =;+-*/().,maxinreluabs0\n_'[]{}:^%!<>", max_size=40))
def test_parser_raises_only_input_errors(text):
    try:
        program = parse_program(text)
    except InputError:
        return
    if len(program.relevant()) <= 4:
        program_pieces(program)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=30))
def test_parser_raises_only_input_errors_on_any_text(text):
    try:
        parse_program(text)
    except InputError:
        pass
    try:
        parse_condition(text)
    except InputError:
        pass


def test_grid_strategy_sanity():
    # the grid has no point on a line with small rational coefficients
    points, _ = grid((-5, 5, -5, 5), 41)
    assert not np.any(np.isclose(points[:, 0], points[:, 1])) and not np.any(points == 0)
