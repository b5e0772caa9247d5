"""Exact pieces and level sets of max/ReLU programs, the `dlexam pieces` command, pictures and
the grading helpers. Answers are checked against the exam's own drawings and, where computed,
against direct evaluation of the program."""

import json
from fractions import Fraction as F

import pytest

from dlexam.cli import main
from dlexam.engines import pwl_geometry as geo
from dlexam.engines.pwl import activation_pattern, evaluate, program_pieces, random_program, count_pieces
from dlexam.engines.pwl_compare import (
    function_difference_point, parse_affine, parse_condition, parse_segment, partition_difference, piece_regions,
    region_difference, segments_difference,
)
from dlexam.engines.pwl_parse import parse_program
from dlexam.errors import InputError

EXAM = "h = max(0, x1); y = max(x2, h)"
EXAM_2 = "a3 = max(0, x1 + x2); a4 = max(0, x1 - x2); y = a3 - a4"


def by_condition(partition):
    return {p.condition: p for p in partition.pieces}


def as_set(segments):
    return {tuple(sorted(s)) for s in segments}


# --- the exam's examples --------------------------------------------------------------------

def test_exam_example_has_the_four_pieces_the_exam_draws():
    part = program_pieces(EXAM, level=1)
    pieces = by_condition(part)
    assert set(pieces) == {"x1 > 0 and x2 > x1", "x1 > 0 and x2 < x1",
                           "x1 < 0 and x2 > 0", "x1 < 0 and x2 < 0"}
    assert pieces["x1 > 0 and x2 > x1"].function.text() == "x2"
    assert pieces["x1 > 0 and x2 < x1"].function.text() == "x1"
    assert pieces["x1 < 0 and x2 > 0"].function.text() == "x2"
    assert pieces["x1 < 0 and x2 < 0"].function.text() == "0"
    # the given first piece, in the exam's own words
    assert pieces["x1 > 0 and x2 > x1"].condition_named == "x1 > 0 and x2 > h"
    # the boundary y = 1 on each piece
    first = pieces["x1 > 0 and x2 > x1"]
    assert as_set(first.boundary) == {((F(0), F(1)), (F(1), F(1)))}
    assert [geo.segment_text(s) for s in first.boundary] == ["x2 = 1 for 0 < x1 < 1"]
    assert pieces["x1 < 0 and x2 < 0"].boundary == []
    assert as_set(pieces["x1 > 0 and x2 < x1"].boundary) == {((F(1), F(-5)), (F(1), F(1)))}
    assert as_set(part.boundary) == {((F(-5), F(1)), (F(1), F(1))), ((F(1), F(-5)), (F(1), F(1)))}


def test_second_exam_example():
    part = program_pieces(EXAM_2, level=1)
    functions = sorted(p.function.text() for p in part.pieces)
    assert functions == sorted(["0", "-x1 + x2", "x1 + x2", "2*x2"])
    pieces = by_condition(part)
    assert pieces["x1 + x2 > 0 and x2 < x1"].function.text() == "2*x2"
    texts = sorted(geo.segment_text(s) for s in part.boundary)
    assert texts == ["x2 = -x1 + 1 for -4 < x1 < 1/2", "x2 = 1/2 for 1/2 < x1 < 5"]


def test_conditions_name_the_program_variables_where_asked():
    part = program_pieces(EXAM_2)
    named = {p.condition_named for p in part.pieces}
    assert "x1 + x2 > 0 and x1 - x2 > 0" in named


# --- degenerate cases -----------------------------------------------------------------------

def test_level_never_reached_gives_an_empty_boundary():
    part = program_pieces("y = max(x1, x2)", level=100)
    assert part.boundary == []
    assert all(p.boundary == [] and not p.at_level for p in part.pieces)
    assert program_pieces("y = max(x1, x2)").boundary is None


def test_level_along_a_piece_edge_and_a_whole_piece_at_level():
    part = program_pieces("y = max(0, x1)", level=0)
    flat = by_condition(part)["x1 < 0"]
    ramp = by_condition(part)["x1 > 0"]
    assert flat.at_level and flat.boundary == []
    assert as_set(ramp.boundary) == {((F(0), F(-5)), (F(0), F(5)))}
    assert as_set(part.boundary) == {((F(0), F(-5)), (F(0), F(5)))}


def test_level_line_touching_a_piece_only_at_a_corner():
    part = program_pieces("y = abs(x1) + abs(x2)", level=0)
    assert part.boundary == [((F(0), F(0)), (F(0), F(0)))]   # the level set is one point
    assert all(p.boundary == [] for p in part.pieces)


def test_pieces_with_the_same_function_stay_separate():
    part = program_pieces("y = max(x1, max(x2, 0))")
    functions = [p.function.text() for p in part.pieces]
    assert len(part.pieces) == 4 and functions.count("x1") == 2


def test_patterns_that_exist_only_on_a_line_are_not_pieces():
    part = program_pieces("y = relu(x1) + relu(-x1)")
    assert sorted(p.pattern for p in part.pieces) == [(0, 1), (1, 0)]


def test_ties_go_to_the_first_argument():
    assert count_pieces("y = max(x1, x1)") == 1
    assert program_pieces("y = max(x1, x1)").pieces[0].pattern == (0,)
    assert activation_pattern("y = max(x1, x2)", (1, 1)) == (0,)
    assert activation_pattern("y = min(x2, x1)", (1, 1)) == (0,)


def test_only_operations_the_output_depends_on_count():
    assert count_pieces("g = max(x1, x2); y = 2*x1 - 1") == 1
    assert count_pieces("h = max(0, x1); y = h - h") == 1
    part = program_pieces("y = 2*x1 - 1", level=0)
    assert part.pieces[0].condition == "true" and len(part.boundary) == 1


def test_operation_outside_the_box_gives_one_piece():
    part = program_pieces("y = max(x1, 10)")
    assert len(part.pieces) == 1 and part.pieces[0].function.text() == "10"


def test_three_argument_max_min_and_abs():
    assert count_pieces("y = max(x1, x2, 0)") == 3
    assert count_pieces("y = min(x1, -x1, x2 - 1)") == 3
    part = program_pieces("y = abs(x1 - 1)", box=(0, 2, 0, 1))
    assert sorted(p.function.text() for p in part.pieces) == ["-x1 + 1", "x1 - 1"]


def test_redundant_inequalities_are_dropped():
    # g's split x1 = 3 lies outside the box: its inequality x1 < 3 holds but is no facet, so it is dropped
    part = program_pieces("h = max(0, x1); g = max(0, x1 - 3); y = max(x2, h) + g", box=(-5, 2, -5, 5))
    assert all("x1 > 3" not in p.condition and "x1 < 3" not in p.condition for p in part.pieces)
    assert count_pieces("h = max(0, x1); g = max(0, x1 - 3); y = max(x2, h) + g", box=(-5, 2, -5, 5)) == 4


def test_exact_rationals_from_fractional_coefficients():
    part = program_pieces("y = max(x1/3, 0.5)", level="2/3")
    assert {p.function.text() for p in part.pieces} == {"x1/3", "1/2"}
    assert as_set(part.boundary) == {((F(2), F(-5)), (F(2), F(5)))}
    assert by_condition(part)["x1 > 3/2"].function == geo.Affine(F(1, 3), F(0), F(0))


def test_unicode_and_newlines_as_on_the_sheet():
    a = program_pieces("h = max(0, x₁)\ny = max(x_2, h)")
    assert {p.condition for p in a.pieces} == {p.condition for p in program_pieces(EXAM).pieces}


def test_pieces_agree_with_direct_evaluation_on_the_exam_examples():
    for text in (EXAM, EXAM_2):
        for piece in program_pieces(text).pieces:
            c = geo.centroid(piece.polygon)
            assert evaluate(text, c) == piece.function(c)
            assert activation_pattern(text, c) == piece.pattern


# --- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, words", [
    ("y = max(x1,", "syntax error"),
    ("y = foo(x1)", "Unknown function"),
    ("y = x1*x2", "non-constant"),
    ("y = x1/x2", "non-constant"),
    ("y = x1/0", "zero"),
    ("y = z + 1", "Unknown variable"),
    ("x1 = 3", "input"),
    ("y = x1**2", "not allowed"),
    ("y = max(x1)", "at least 2"),
    ("y = relu(x1, x2)", "exactly 1"),
    ("", "empty"),
    ("max(x1, x2)", "assignment"),
    ("y = 1e999", "finite"),
    ("y = 'a'", "not allowed"),
    ("y = x1 if x2 else 0", "not allowed"),
])
def test_bad_programs_are_one_clear_input_error(text, words):
    with pytest.raises(InputError, match=words):
        parse_program(text)


@pytest.mark.parametrize("box", [(1, 1, 0, 2), (0, 1, 3, 2), ("a", 1, 2, 3), (0, 1, 2)])
def test_empty_or_bad_box(box):
    with pytest.raises(InputError):
        program_pieces("y = x1", box=box)


# --- the command ----------------------------------------------------------------------------

def run_cli(capsys, *argv):
    status = main(["pieces", *argv, "--json"])
    return status, json.loads(capsys.readouterr().out)


def test_cli_json_matches_the_contract(capsys):
    status, out = run_cli(capsys, EXAM, "--level", "1", "--box", "-5", "5", "-5", "5")
    assert status == 0 and out["output"] == "y" and len(out["pieces"]) == 4
    piece = next(p for p in out["pieces"] if p["condition"] == "x1 > 0 and x2 > x1")
    assert piece["function"] == {"x1": 0, "x2": 1, "const": 0}
    assert sorted(map(tuple, piece["polygon"])) == [(0, 0), (0, 5), (5, 5)]
    assert piece["at_level"] is False
    assert sorted(map(sorted, piece["boundary"])) == [[[0, 1], [1, 1]]]
    assert len(out["boundary"]) == 2
    status, out = run_cli(capsys, EXAM)
    assert out["boundary"] is None


def test_cli_network_and_bad_input(capsys, tmp_path):
    net = tmp_path / "net.json"
    net.write_text(json.dumps({"weights": [[[1, -1], [0, 1]], [[1, 1]]], "biases": [[0, 0], [0]]}))
    status, out = run_cli(capsys, "--network", str(net), "--box", "-2", "2", "-2", "2")
    assert status == 0 and len(out["pieces"]) == 4
    assert {p["condition"] for p in out["pieces"]} == {"00", "01", "10", "11"}
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    for argv in (["y = max(x1,", "--level", "1"], ["--network", str(bad)], ["--network", str(tmp_path / "no.json")],
                 ["y = x1", "--box", "1", "1", "0", "1"], [], [EXAM, "--network", str(net)],
                 ["y = x1", "--level", "one"], ["y = x1", "--plot", str(tmp_path / "a.pdf")]):
        status, out = run_cli(capsys, *argv)
        assert status == 2 and out["error"].endswith(".")


def test_cli_text_output_is_a_table(capsys):
    assert main(["pieces", EXAM, "--level", "1"]) == 0
    text = capsys.readouterr().out
    assert "x1 > 0 and x2 > x1" in text and "x2 = 1 for 0 < x1 < 1" in text and "y = x2" in text


# --- pictures -------------------------------------------------------------------------------

def test_cli_writes_png_and_svg(capsys, tmp_path):
    png, svg = tmp_path / "p.png", tmp_path / "p.svg"
    run_cli(capsys, EXAM, "--level", "1", "--plot", str(png))
    run_cli(capsys, EXAM_2, "--plot", str(svg))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    assert b"<svg" in svg.read_bytes()[:1000]


# --- grading helpers ------------------------------------------------------------------------

def test_condition_polygons_match_the_pieces():
    part = program_pieces(EXAM)
    for piece in part.pieces:
        poly = parse_condition(piece.condition).polygon(part.box)
        assert geo.area(poly) == piece.area
        assert geo.area(geo.intersect(poly, piece.polygon)) == piece.area


def test_partition_difference_names_a_point_inside_the_mistake():
    part = program_pieces(EXAM)
    right = [parse_condition(t, part.program) for t in
             ("x1 > 0 and x2 > h", "x1 > 0 and x2 < x1", "x1 < 0 and x2 > 0", "x1 < 0 and x2 < 0")]
    share, point, match = partition_difference(piece_regions(part), right, part.box)
    assert share == 0 and point is None and sorted(match) == [0, 1, 2, 3]
    merged = right[:2] + [parse_condition("x1 < 0")]
    share, point, _ = partition_difference(piece_regions(part), merged, part.box)
    assert 0.2 < share < 0.3 and point[0] < -1 and abs(point[1]) > 1   # deep inside a quadrant x1 < 0
    wrong = parse_condition("x1 > 0 and x2 > 1")
    share, point = region_difference(wrong, right[0], part.box)
    # differ on 0 < x1 < x2 < 1 (area 1/2) and 1 < x2 < x1 (area 8): the point lies in the larger
    assert share == pytest.approx(8.5 / 100, abs=0.005) and 1 < point[1] < point[0]


def test_function_and_segment_differences():
    part = program_pieces(EXAM, level=1)
    piece = by_condition(part)["x1 > 0 and x2 > x1"]
    wrong = geo.Affine(F(1), F(0), F(0))
    p = function_difference_point(piece.polygon, piece.function, wrong)
    assert geo.contains(piece.polygon, p) and piece.function(p) != wrong(p)
    assert function_difference_point(piece.polygon, piece.function, piece.function) is None
    assert segments_difference(part.boundary, part.boundary)[0] < 1e-12
    distance, point = segments_difference(part.boundary, [((F(-5), F(1)), (F(0), F(1))), ((F(1), F(-5)), (F(1), F(1)))])
    assert distance == pytest.approx(0.5, abs=0.05) and point == pytest.approx((0.5, 1.0), abs=0.05)
    assert segments_difference([], part.boundary)[0] == float("inf")


def test_random_programs_are_exam_style_and_deterministic():
    import random
    a = [random_program(random.Random(s)) for s in range(20)]
    assert a == [random_program(random.Random(s)) for s in range(20)]
    counts = [count_pieces(t) for t in a]
    assert all(c >= 1 for c in counts) and 4 in counts


@pytest.mark.parametrize("text", ["x2 = 1", "x2 = x2 for 0 < x1 < 1", "x2 = 1 for 0 < x1 < x2",
                                  "x2 = max(x1, 0) for 0 < x1 < 1", "x2 = 1 for 0 < x2 < 1", ""])
def test_bad_segments_are_input_errors(text):
    with pytest.raises(InputError):
        parse_segment(text)


@pytest.mark.parametrize("text", ["y = max(x1, 0)", "x1*x2", "", "y = ", "x1 > 0", "x1 >= 0"])
def test_bad_functions_are_input_errors(text):
    with pytest.raises(InputError):
        parse_affine(text)


@pytest.mark.parametrize("text", ["x1 > 0 or x2 > 0", "x1 == 0", "x1", "x1 > > 0", "x2 > q"])
def test_bad_conditions_are_input_errors(text):
    with pytest.raises(InputError):
        parse_condition(text)


def test_student_segments_and_functions_read_as_written():
    assert parse_segment("x2 = 1 for 0 < x1 < 1") == ((F(0), F(1)), (F(1), F(1)))
    assert parse_segment("x1 = -x2 + 2 for -1 <= x2 <= 3") == ((F(3), F(-1)), (F(-1), F(3)))
    assert parse_affine("y = 2*x2 - 1/2") == geo.Affine(F(0), F(2), F(-1, 2))
