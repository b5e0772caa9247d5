"""Numbers as a student writes them by hand (grading/numbers.py): read safely, judged by their digits."""

import math
import time

import pytest

from dlexam.errors import InputError
from dlexam.grading.numbers import read_number, read_numbers, rounding_slack

SQRT2_1 = math.sqrt(2) - 1


@pytest.mark.parametrize("text, value", [
    ("(5 - sqrt(13))/2", (5 - math.sqrt(13)) / 2), ("(5 + √13)/2", (5 + math.sqrt(13)) / 2), ("√(13)", math.sqrt(13)),
    ("√2 − 1", SQRT2_1), ("π", math.pi), ("pi/4", math.pi / 4), ("2π", 2 * math.pi), ("e", math.e), ("e^2", math.e ** 2),
    ("2e-3", 0.002), ("1/4", 0.25), ("2^3", 8), ("10^-2", 0.01), ("10⁻²", 0.01), ("½", 0.5), ("−0.5", -0.5),
    ("2√3", 2 * math.sqrt(3)), ("3(1 + √2)", 3 * (1 + math.sqrt(2))), ("exp(-1)", math.exp(-1)), ("ln(2)", math.log(2)),
    ("2·3", 6), ("2×3", 6), ("κ = 6.17", 6.17), (".5", 0.5), ("-7/10", -0.7), (3, 3), (0.25, 0.25),
])
def test_handwritten_numbers_are_read(text, value):
    assert read_number(text, "x").value == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("text", ["9**9**9", "9^9^9", "__import__('os').system('true')", "x", "1/0", "sqrt(-1)",
                                  "(-8)^(1/3)", "1e400", "'1'", "[1]", "lambda: 1", "2**", "", "1" * 300, True, None])
def test_what_is_not_a_number_is_refused_quickly(text):
    start = time.monotonic()
    with pytest.raises(InputError):
        read_number(text, "x")
    assert time.monotonic() - start < 0.5


@pytest.mark.parametrize("written, expected, ok", [
    ("0.4142", SQRT2_1, True), ("0.41", SQRT2_1, True), ("0.414", SQRT2_1, True), ("0.4", SQRT2_1, False),
    ("0.42", SQRT2_1, False), ("0.415", SQRT2_1, False), ("√2 - 1", SQRT2_1, True), ("0.41", 0.4, False),
    ("0.40", 0.4, True), ("0.4", 0.4, True), ("4.30", 4.3028, True), ("4.3", 4.3028, True), ("4.31", 4.3028, False),
    ("6.17", 6.1712927, True), ("6.2", 6.1712927, True), ("6", 6.1712927, False), ("3", 3.0, True),
    ("3.05", 3.0, False), ("-0.64", -0.64, True), ("-0.6", -0.64, False), ("2e-3", 0.00204, True),
    ("2e-3", 0.0021, False), ("0.0123", 0.01234, True), ("0.012", 0.01234, True), ("0.01", 0.01234, False),
    ("4.303/0.6972", 6.1712927, True), ("4.3/0.7", 6.1712927, True), ("4.3/0.7", 6.3, False),
    ("(5 - sqrt(13))/2", 0.6972243622680054, True), ("(5 - sqrt(13))/2", 0.6972, False), ("1/3", 0.3333, False),
    ("0.3333", 1 / 3, True),
])
def test_a_decimal_matches_when_the_value_rounds_to_its_digits(written, expected, ok):
    assert read_number(written, "x").matches(expected) is ok


@pytest.mark.parametrize("text, count, values", [
    ("(5 - sqrt(13))/2, (5 + sqrt(13))/2", 2, [(5 - math.sqrt(13)) / 2, (5 + math.sqrt(13)) / 2]),
    ("((5 - √13)/2, (5 + √13)/2)", 2, [(5 - math.sqrt(13)) / 2, (5 + math.sqrt(13)) / 2]),
    ("[[2, 1], [1, 3]]", 4, [2, 1, 1, 3]), ("[[2 1] [1 3]]", 4, [2, 1, 1, 3]), ("1.5; 2", 2, [1.5, 2]),
    ("(1.5, 2)", 2, [1.5, 2]), ("λ1 = 0.70, λ2 = 4.30", 2, [0.7, 4.3]), ("[[4/3, 2/3], [2/3, 4/3]]", 4,
                                                                          [4 / 3, 2 / 3, 2 / 3, 4 / 3]),
    ("-1.5 -2", 2, [-1.5, -2]), (["1/2", 0.25], 2, [0.5, 0.25]), ("2.5 ± √3.25", 2, [2.5 - 3.25 ** 0.5, 2.5 + 3.25 ** 0.5]),
])
def test_lists_of_numbers(text, count, values):
    assert [w.value for w in read_numbers(text, "b", count, "1, 2")] == pytest.approx(values)


def test_rounding_slack_of_a_formula():
    assert rounding_slack("0.707*||w||_1") == pytest.approx(0.0005 / 0.707)
    assert rounding_slack("1/2*||w||_1") == 0
