"""The notations students write for the linear-pieces task: one row per form, accepted or refused.

Accepted forms earn full marks on the exam's own program, and each rewriting of the model answer
does on generated variants too. Grow the tables when a student's form is refused.
"""

import re

import pytest

from dlexam.errors import InputError
from dlexam.tasks.registry import family

EXAM = "h = max(0, x1); y = max(x2, h)"     # piece 1 (given): x1 > 0 and x2 > h, y = x2
B = "x2 = 1 for -5 < x1 < 0; x1 = 1 for -5 < x2 < 1"

ACCEPTED = [            # (form, a whole answer to the exam's task in it)
    ("colon", "x1 < 0 and x2 > 0: y = x2; x1 < 0 and x2 < 0: y = 0; x1 > 0 and x2 < x1: y = x1; " + B),
    ("`Piece 2:` labels", "Piece 2: x1 < 0 and x2 > 0: y = x2; Piece 3: x1 < 0 and x2 < 0: y = 0; "
                          "Piece 4: x1 > 0 and x2 < x1: y = x1; " + B),
    ("`piece 2)` labels", "piece 2) x1 < 0 and x2 > 0: y = x2; piece 3) x1 < 0 and x2 < 0: y = 0; "
                          "piece 4) x1 > 0 and x2 < x1: y = x1; " + B),
    ("`Piece 2` label on its own line", "Piece 2\nx1 < 0 and x2 > 0: y = x2\nPiece 3\nx1 < 0 and x2 < 0: y = 0\n"
                                        "Piece 4\nx1 > 0 and x2 < x1: y = x1\n" + B),
    ("`2.` labels", "2. x1 < 0 and x2 > 0: y = x2; 3. x1 < 0 and x2 < 0: y = 0; 4. x1 > 0 and x2 < x1: y = x1; " + B),
    ("`(2)` labels", "(2) x1 < 0 and x2 > 0: y = x2; (3) x1 < 0 and x2 < 0: y = 0; (4) x1 > 0 and x2 < x1: y = x1; "
                     + B),
    ("exam layout, same line", "(x1 < 0) ∧ (x2 > 0)   y = x2; (x1 < 0) ∧ (x2 < 0)   y = 0; "
                               "(x1 > 0) ∧ (x2 < x1)   y = x1; " + B),
    ("exam layout, next line", "x1 < 0 ∧ x2 > 0\ny = x2\nx1 < 0 ∧ x2 < 0\ny = 0\nx1 > 0 ∧ x2 < x1\ny = x1\n"
                               + B.replace("; ", "\n")),
    ("exam layout, comma", "x1 < 0 and x2 > 0, y = x2; x1 < 0 and x2 < 0, y = 0; x1 > 0 and x2 < x1, y = x1; " + B),
    ("the program's names", "x1 < 0 ∧ x2 > h: x2; x1 < 0 ∧ x2 < h: 0; x1 > 0 ∧ x2 < h: x1; " + B),
    ("y = omitted", "x1 < 0 and x2 > 0: x2; x1 < 0 and x2 < 0: 0; x1 > 0 and x2 < x1: x1; " + B),
    ("f(x1, x2) =", "x1 < 0 and x2 > 0: f(x1, x2) = x2; x1 < 0 and x2 < 0: f = 0; x1 > 0 and x2 < x1: y=x1; " + B),
    ("implicit product", "x1 < 0 and 2x2 > 0: y = x2; 2x1 < 0 and x2 < 0: y = 0x1; 3x1 > 0 and 2x2 < 2x1: "
                         "y = 2x1 - x1; x2 = 1 for -5 < x1 < 0; x1 = 1/2(2) for -5 < x2 < 1"),
    ("unicode ∧ ≤ ≥ − ·", "x1 ≤ 0 ∧ x2 ≥ 0: y = 1·x2; x1 ≤ 0 ∧ x2 ≤ 0: y = 0; x1 ≥ 0 ∧ x2 ≤ x1: y = x1; "
                          "x2 = 1 for −5 < x1 < 0; x1 = 1 for −5 < x2 < 1"),
    ("subscripts", "x₁ < 0 ∧ x₂ > 0: y = x₂; x_1 < 0 and x_2 < 0: y = 0; x_{1} > 0 and x2 < x1: y = x1; " + B),
    ("arrows", "x1 < 0 and x2 > 0 → y = x2; x1 < 0 and x2 < 0 -> y = 0; x1 > 0 and x2 < x1 ⇒ y = x1; " + B),
    ("y = … for …", "y = x2 for x1 < 0 and x2 > 0; y = 0 if x1 < 0 and x2 < 0; y = x1 when x1 > 0 and x2 < x1; " + B),
    ("&, && and commas", "x1 < 0 & x2 > 0: y = x2; x1 < 0 && x2 < 0: y = 0; x1 > 0, x2 < x1: y = x1; " + B),
    ("headings", "pieces: x1 < 0 and x2 > 0: y = x2; x1 < 0 and x2 < 0: y = 0; x1 > 0 and x2 < x1: y = x1\n"
                 "boundary: " + B),
    ("(a) (b) and a bar", "(a) x1 < 0 and x2 > 0: y = x2; x1 < 0 and x2 < 0: y = 0; x1 > 0 and x2 < x1: y = x1 | "
                          "(b) " + B),
    ("one-sided and reversed ranges", "x1 < 0 and x2 > 0: y = x2; x1 < 0 and x2 < 0: y = 0; x1 > 0 and x2 < x1: "
                                      "y = x1; x2 = 1 for x1 < 0; x1 = 1 for 1 > x2"),
]

REFUSED = [             # (why, answer): a clear one-sentence InputError, never a guess
    ("a missing `and`", "x1 > 0 x2 > 0: y = x2"),
    ("a product across a space", "2 x1 < 0 and x2 > 0: y = x2"),
    ("a function with no condition", "y = x2; x1 < 0 and x2 < 0: y = 0"),
    ("two functions for one condition", "x1 < 0 and x2 > 0\ny = x2\ny = 0"),
    ("prose", "I think piece 2 is on the left"),
    ("a product of inputs", "x1 < 0 and x2 > 0: y = x1x2"),
    ("an input that does not exist", "x3 < 0: y = 0"),
]


FAMILY = family("pieces")
EXAM_VARIANT = FAMILY.variant_for(EXAM, 1, "x1 > 0 and x2 > h")


@pytest.mark.parametrize("form, text", ACCEPTED, ids=[f for f, _ in ACCEPTED])
def test_accepted_notation_earns_full_marks(form, text):
    grade = FAMILY.grade(EXAM_VARIANT, FAMILY.parse_answer(EXAM_VARIANT, text))
    assert grade.full_marks, grade.feedback


@pytest.mark.parametrize("why, text", REFUSED, ids=[w for w, _ in REFUSED])
def test_refused_notation_gets_one_clear_sentence(why, text):
    with pytest.raises(InputError) as error:
        FAMILY.parse_answer(EXAM_VARIANT, text)
    message = str(error.value)
    assert message.endswith(".") and "\n" not in message


def _pieces_and_segments(text):
    pieces, segments = text.split(" | ")
    return pieces.split("; "), segments.split("; ")


REWRITES = {            # the model answer rewritten in a student's notation
    "labels": lambda p, s: [f"Piece {k}: {x}" for k, x in enumerate(p, 1)] + s,
    "numbers": lambda p, s: [f"{k}. {x}" for k, x in enumerate(p, 1)] + s,
    "no colon": lambda p, s: [x.replace(": y =", "   y =") for x in p] + s,
    "next line": lambda p, s: [x.replace(": y =", "\ny =") for x in p] + s,
    "y omitted": lambda p, s: [x.replace(": y = ", ": ") for x in p] + s,
    "unicode": lambda p, s: [x.replace(" and ", " ∧ ").replace("-", "−").replace("*", "·") for x in p + s],
    "implicit": lambda p, s: [re.sub(r"(\d)\*", r"\1", x) for x in p + s],
}


@pytest.mark.parametrize("rewrite", REWRITES)
@pytest.mark.parametrize("seed", [0, 5, 11, 23])
def test_rewritten_model_answers_of_generated_variants_earn_full_marks(rewrite, seed):
    variant = FAMILY.generate(seed)
    pieces, segments = _pieces_and_segments(FAMILY.solve(variant).answer_text)
    text = "\n".join(REWRITES[rewrite](pieces, segments))
    grade = FAMILY.grade(variant, FAMILY.parse_answer(variant, text))
    assert grade.full_marks, (text, grade.feedback)


@pytest.mark.parametrize("written, plain", [
    ("2x1", "2*x1"), ("1/2x1", "1/2*x1"), ("2(x1 + x2)", "2*(x1 + x2)"), ("2 x1", "2 x1"), ("x1", "x1"),
    ("a3 - 2a4", "a3 - 2*a4"), ("x2 = 1 for 0 < x1 < 1", "x2 = 1 for 0 < x1 < 1"), ("1.5x2", "1.5*x2"),
    ("x₁ ≤ −x₂", "x1 <= -x2"), ("x_1 ≥ 0 ∧ x_2 > h", "x1 >= 0  and  x2 > h"),
])
def test_normalize(written, plain):
    from dlexam.tasks.pieces.answer import normalize

    assert normalize(written) == plain
