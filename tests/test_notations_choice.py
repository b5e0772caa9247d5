"""The notations students write for multiple-choice answers: one row per form, accepted or refused.

Grow the tables when a student's form is refused (or a stray letter is read as a choice).
"""

import pytest

from dlexam.errors import InputError
from dlexam.tasks.choice import read_letters
from dlexam.tasks.registry import family

ACCEPTED = [            # (typed, options, letters read)
    ("c", 4, ["c"]),
    ("C", 4, ["c"]),
    ("  c  ", 4, ["c"]),
    ("(c)", 4, ["c"]),
    ("(C)", 4, ["c"]),
    ("c)", 4, ["c"]),
    ("c.", 4, ["c"]),
    ("a,c", 4, ["a", "c"]),
    ("a, c", 4, ["a", "c"]),
    ("a c", 4, ["a", "c"]),
    ("a; c", 4, ["a", "c"]),
    ("a/c", 4, ["a", "c"]),
    ("a & c", 4, ["a", "c"]),
    ("a + c", 4, ["a", "c"]),
    ("a and c", 4, ["a", "c"]),
    ("A and C", 4, ["a", "c"]),
    ("c, a", 4, ["a", "c"]),
    ("(a), (c)", 4, ["a", "c"]),
    ("a) c)", 4, ["a", "c"]),
    ("a. c.", 4, ["a", "c"]),
    ("{a,c}", 4, ["a", "c"]),
    ("{a, c}", 4, ["a", "c"]),
    ("[a, c]", 4, ["a", "c"]),
    ("ac", 4, ["a", "c"]),
    ("abd", 4, ["a", "b", "d"]),
    ("1.2: c", 4, ["c"]),
    ("1.2) c", 4, ["c"]),
    ("Q1.2: c", 4, ["c"]),
    ("question 3: (b)", 4, ["b"]),
    ("Answer: c", 4, ["c"]),
    ("answers: a, c", 4, ["a", "c"]),
    ("c,", 4, ["c"]),
    ("(c", 4, ["c"]),
    ("e", 5, ["e"]),
    ("i", 9, ["i"]),
]

REFUSED = [             # (typed, options): never a guess
    ("", 4),
    ("e", 4),                  # past the last option
    ("(e)", 4),
    ("a, a", 4),               # a letter twice
    ("aa", 4),
    ("bad", 4),                # a word, not a run of letters in order
    ("cab", 4),
    ("I think c", 4),          # prose: its stray letters are not choices
    ("I think c", 9),
    ("c is right", 4),
    ("a or c", 4),
    ("c) Pooling layers", 4),
    ("maybe", 4),
    ("1.2", 4),
    ("3", 4),
    ("c;;x", 4),
    ("((c))", 4),
    ("a-c", 4),
]


@pytest.mark.parametrize("text, n, letters", ACCEPTED)
def test_accepted_notation(text, n, letters):
    assert read_letters(text, n) == letters


@pytest.mark.parametrize("text, n", REFUSED)
def test_refused_notation_gets_one_clear_sentence(text, n):
    with pytest.raises(InputError) as error:
        read_letters(text, n)
    message = str(error.value)
    assert message.endswith(".") and "\n" not in message and message.count(". ") == 0


@pytest.mark.parametrize("name", ["concepts", "loss-properties", "parameters", "output-shape", "unused-inputs",
                                  "receptive-field"])
def test_every_choice_family_reads_the_table_through_parse_answer(name):
    fam = family(name)
    variant = fam.generate(3)
    key = fam.solve(variant).answer.parts["choice"]
    forms = [f"({key[0]})", f"{key[0].upper()})", f"1.2: {key[0]}."] if len(key) == 1 else \
        [" and ".join(key), "{" + ", ".join(key) + "}", "".join(key)]
    for text in forms:
        assert fam.grade(variant, fam.parse_answer(variant, text)).full_marks, text
