"""The linear-pieces family (exam task 2) graded as a teacher would, on the exam's own program."""

import json

import numpy as np
import pytest

from dlexam.engines import pwl
from dlexam.engines.pwl_compare import grid
from dlexam.errors import InputError
from dlexam.tasks.model import Answer
from dlexam.tasks.registry import family

EXAM = "h = max(0, x1); y = max(x2, h)"
# the exam's pieces: piece 1 (given) x1 > 0 and x2 > h, y = x2, boundary x2 = 1 for 0 < x1 < 1
LEFT_TOP = "x1 < 0 and x2 > 0: y = x2"
LEFT_LOW = "x1 < 0 and x2 < 0: y = 0"
RIGHT_LOW = "x1 > 0 and x2 < x1: y = x1"
BOUNDARY = "x2 = 1 for -5 < x1 < 0; x1 = 1 for -5 < x2 < 1"


@pytest.fixture(scope="module")
def fam():
    return family("pieces")


@pytest.fixture(scope="module")
def exam(fam):
    return fam.variant_for(EXAM, 1, "x1 > 0 and x2 > h")


def grade_text(fam, variant, text):
    return fam.grade(variant, fam.parse_answer(variant, text))


def test_the_exam_program_poses_the_exam_task(fam, exam):
    text = fam.render(exam)
    assert "h = max(0, x1)" in text and "(x1 > 0) ∧ (x2 > h)" in text
    assert "x2 = 1 for 0 < x1 < 1" in text      # the given piece's boundary part, as the example
    assert exam.data["count"] == 4


def test_the_model_answer_earns_full_marks(fam, exam):
    solution = fam.solve(exam)
    fam.verify(exam, solution)
    grade = fam.grade(exam, solution.answer)
    assert (grade.points, grade.max_points) == (6, 6)
    assert any("y = max(x2, h) = h = 0 since h > x2" in step for step in solution.steps)


def test_pieces_in_any_order_without_the_given_one_earn_full_marks(fam, exam):
    answer = f"{RIGHT_LOW}; {LEFT_LOW}; {LEFT_TOP} | {BOUNDARY}"
    assert grade_text(fam, exam, answer).full_marks


def test_equivalent_conditions_written_differently_earn_full_marks(fam, exam):
    answer = ("0 > x1 ∧ x2 > h: x2; (x1 <= 0) & (x2 < h): y = 0; 0 < x1, h > x2: y = x1; "
              "x2 > x1 and 0 < x1: y = x2 | x2 = 1 for x1 < 0; x1 = 1 for -5 <= x2 <= 1")
    grade = grade_text(fam, exam, answer)
    assert grade.full_marks, grade.feedback


def test_the_multi_line_form_with_headings_reads_like_the_one_line_form(fam, exam):
    lines = f"pieces:\n{LEFT_TOP}\n{LEFT_LOW}\n{RIGHT_LOW}\nboundary:\n" + BOUNDARY.replace("; ", "\n")
    one_line = f"{LEFT_TOP}; {LEFT_LOW}; {RIGHT_LOW} | {BOUNDARY}"
    assert fam.parse_answer(exam, lines) == fam.parse_answer(exam, one_line)


def test_a_wrong_function_loses_exactly_that_pieces_share_and_names_a_point_in_it(fam, exam):
    grade = grade_text(fam, exam, f"{LEFT_TOP}; {LEFT_LOW}; x1 > 0 and x2 < x1: y = x1 + 1 | {BOUNDARY}")
    assert grade.points == 6 - 0.5            # half of the piece's 1 point in (a)
    part = grade.parts[0]
    wrong = [p for p in part.evidence["pieces"] if not p["function_ok"]]
    assert len(wrong) == 1
    x1, x2 = wrong[0]["point"]
    assert x1 > 0 and x2 < x1                 # the point lies in that piece
    assert "y = x1 + 1" in part.feedback


def test_a_wrong_region_loses_the_region_half(fam, exam):
    # x2 > -1 instead of x2 > 0: overlaps the piece below
    grade = grade_text(fam, exam, f"x1 < 0 and x2 > -1: y = x2; {LEFT_LOW}; {RIGHT_LOW} | {BOUNDARY}")
    assert grade.points == 5.5
    evidence = [p for p in grade.parts[0].evidence["pieces"] if not p["region_ok"]][0]
    x1, x2 = evidence["point"]
    assert x1 < 0 and -1 < x2 < 0             # where the student's piece wrongly reaches


def test_a_missing_piece_earns_nothing_for_it(fam, exam):
    grade = grade_text(fam, exam, f"{LEFT_TOP}; {RIGHT_LOW} | {BOUNDARY}")
    assert grade.parts[0].points == 2
    assert "Missing" in grade.parts[0].feedback


def test_a_missing_boundary_segment_loses_points_and_names_a_point_on_it(fam, exam):
    grade = grade_text(fam, exam, f"{LEFT_TOP}; {LEFT_LOW}; {RIGHT_LOW} | x2 = 1 for -5 < x1 < 0")
    boundary = grade.parts[1]
    assert boundary.points == 1.5 and grade.parts[0].points == 3
    point = [p for p in boundary.evidence["pieces"] if not p["ok"]][0]["point"]
    assert point[0] == 1 and -5 <= point[1] <= 1          # on x1 = 1 for -5 < x2 < 1
    assert float(pwl.evaluate(EXAM, point)) == 1


@pytest.mark.parametrize("shift, right", [(0.05, True), (0.3, False), (1, False)])
def test_a_boundary_off_by_more_than_the_tolerance_is_wrong(fam, exam, shift, right):
    answer = f"{LEFT_TOP}; {LEFT_LOW}; {RIGHT_LOW} | x2 = 1 for -5 < x1 < 0; x1 = {1 + shift} for -5 < x2 < 1"
    boundary = grade_text(fam, exam, answer).parts[1]
    assert (boundary.points == 3) is right


def test_a_segment_where_the_boundary_does_not_pass_costs_a_share(fam, exam):
    grade = grade_text(fam, exam, f"{LEFT_TOP}; {LEFT_LOW}; {RIGHT_LOW} | {BOUNDARY}; x2 = -2 for -4 < x1 < -1")
    assert grade.parts[1].points == 1.5
    assert "is not on the boundary: at (" in grade.parts[1].feedback


def test_canvas_shaped_answers_grade_too(fam, exam):
    parts = {"pieces": [{"polygon": [[-5, 0], [0, 0], [0, 5], [-5, 5]], "function": "x2"},
                        {"polygon": [[-5, -5], [0, -5], [0, 0], [-5, 0]], "function": 0},
                        {"condition": "x1 > 0 and x2 < x1", "function": "y = x1"}],
             "boundary": [[[-5, 1], [1, 1]], [[1.0, -5.0], [1.0, 1.0]]]}
    assert fam.grade(exam, Answer(json.loads(json.dumps(parts)))).full_marks


@pytest.mark.parametrize("parts", [
    {"pieces": "x1 > 0"}, {"pieces": [{"function": "x2"}]}, {"pieces": [{"condition": 3}]},
    {"boundary": [[[0, 1]]]}, {"boundary": ["x2 = "]}, {"answer": []},
    {"pieces": [{"condition": "x1 > 0", "function": "max(x1, 0)"}]},
    {"pieces": [{"polygon": [[0, 0], [1, 1], [2, 2]]}]},
])
def test_malformed_json_parts_are_input_errors(fam, exam, parts):
    with pytest.raises(InputError):
        fam.grade(exam, Answer(parts))


@pytest.mark.parametrize("text", ["", "zzz", "x1 > 0 and: y = x2", "x1 >> 0: y = 1", "x2 = 1 for x3 < 1",
                                  "x1 > 0: y = x1 * x2", "{\"pieces\": 3}", "[[1, 2], [3]]"])
def test_garbage_answers_are_input_errors(fam, exam, text):
    with pytest.raises(InputError) as error:
        fam.parse_answer(exam, text)
    assert str(error.value).endswith(".") and "\n" not in str(error.value)


def test_generated_variants_have_four_pieces_and_a_boundary_crossing_the_box(fam):
    """Checked by sampling the program directly, not through the solver."""
    for seed in range(60):
        variant = fam.generate(seed)
        level = float(variant.data["level"])
        points, _ = grid(variant.data["box"], 101)
        values, patterns = pwl.evaluate_points(variant.data["program"], points)
        counts = np.unique(patterns, axis=0, return_counts=True)[1]
        assert len(counts) == 4, variant.data
        assert counts.min() > 0.03 * len(points)          # every piece is large enough to draw
        assert (values > level).any() and (values < level).any(), variant.data
        assert fam.grade(variant, fam.solve(variant).answer).full_marks


def test_the_picture_is_written(fam, exam, tmp_path):
    path = fam.picture(exam, tmp_path / "exam.png")
    assert path.stat().st_size > 10_000


def test_a_segment_along_an_edge_is_charged_to_one_piece_only(fam, exam):
    # x1 = 0 for x2 < 0 runs between the pieces y = 0 and y = x1, where y = 0, not 1
    grade = grade_text(fam, exam, f"{LEFT_TOP}; {LEFT_LOW}; {RIGHT_LOW} | {BOUNDARY}; x1 = 0 for -5 < x2 < -1")
    assert grade.parts[1].points == 1.5


def test_repeating_the_given_piece_is_neither_needed_nor_held_against_the_student(fam, exam):
    grade = grade_text(fam, exam, f"x1 > 0 and x2 > h: y = x2; x1 < 0 and x2 > 1: y = x2; {LEFT_LOW}; {RIGHT_LOW}"
                                  f" | {BOUNDARY}")
    assert grade.parts[0].points == 2.5
    assert grade.parts[0].evidence["unmatched"] == []


def test_the_answer_text_is_typed_as_a_student_types_it_and_earns_full_marks(fam, exam):
    text = fam.solve(exam).answer_text
    assert " | " in text and "x2 = 1 for 0 < x1 < 1" in text
    grade = grade_text(fam, exam, text)
    assert (grade.points, grade.max_points) == (6, 6)


def test_verify_takes_the_pieces_in_any_order_but_not_one_missing_or_twice(fam, exam):
    from dlexam.errors import VerificationError
    from dlexam.tasks.model import Solution

    solution = fam.solve(exam)
    pieces = solution.answer.parts["pieces"]
    boundary = solution.answer.parts["boundary"]
    fam.verify(exam, Solution(Answer({"pieces": pieces[::-1], "boundary": boundary}), solution.steps))
    for wrong in (pieces[1:], [pieces[0], *pieces[:-1]]):
        with pytest.raises(VerificationError):
            fam.verify(exam, Solution(Answer({"pieces": wrong, "boundary": boundary}), solution.steps))
    with pytest.raises(VerificationError):      # a boundary segment left out
        fam.verify(exam, Solution(Answer({"pieces": pieces, "boundary": boundary[1:]}), solution.steps))


def test_a_wrong_boundary_names_its_point_as_numbers(fam, exam):
    answer = f"{LEFT_TOP}; {LEFT_LOW}; {RIGHT_LOW} | x2 = 1 for -5 < x1 < 0; x1 = 2 for -5 < x2 < 1"
    grade = grade_text(fam, exam, answer)
    evidence = grade.parts[1].evidence
    wrong = [p for p in evidence["pieces"] if not p["ok"]][0]
    assert all(isinstance(v, float) for v in wrong["point"]) and evidence["level"] == 1.0
    json.dumps(grade.to_json())
