"""The contract every task family keeps (as scikit-learn's check_estimator does for estimators).

Runs unchanged against every registered family, on many seeds.
"""

import json
import random
import re

import pytest

from dlexam.errors import InputError
from dlexam.tasks.document import Code, Math, Options, Text
from dlexam.tasks.model import FORMATS, Answer, Grade, Solution, Variant
from dlexam.tasks.registry import family, names

SEEDS = [*range(25), 2**31 + 7, 2**32 - 1]


def _roundtrip(obj):
    return json.loads(json.dumps(obj))


@pytest.fixture(params=names())
def fam(request):
    return family(request.param)


def test_same_seed_gives_same_variant_and_json_roundtrips(fam):
    for seed in SEEDS:
        variant = fam.generate(seed)
        assert variant == fam.generate(seed)
        assert Variant.from_json(_roundtrip(variant.to_json())) == variant


def test_seeds_give_varied_variants(fam):
    distinct = {json.dumps(fam.generate(seed).data, sort_keys=True) for seed in range(30)}
    assert len(distinct) >= 10


def test_out_of_range_seed_is_refused(fam):
    for seed in (-1, 2**32):
        with pytest.raises(InputError):
            fam.generate(seed)


def test_solution_verifies_and_earns_full_marks(fam):
    for seed in SEEDS:
        variant = fam.generate(seed)
        solution = fam.solve(variant)
        fam.verify(variant, solution)
        assert Solution.from_json(_roundtrip(solution.to_json())) == solution
        assert solution.steps, "a solution explains itself"
        grade = fam.grade(variant, solution.answer)
        assert grade.full_marks, grade.feedback
        assert Grade.from_json(_roundtrip(grade.to_json())).to_json() == grade.to_json()


def test_perturbed_answer_loses_points_and_says_why(fam):
    rng = random.Random(0)
    for seed in SEEDS:
        variant = fam.generate(seed)
        wrong = fam.perturb(variant, fam.solve(variant).answer, rng)
        grade = fam.grade(variant, Answer.from_json(_roundtrip(wrong.to_json())))
        assert not grade.full_marks
        assert 0 <= grade.points < grade.max_points
        assert grade.feedback.strip()


def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9]+", text))


def _source_texts(blocks) -> list[str]:
    texts = []
    for block in blocks:
        match block:
            case Text(text):
                texts.append(text)
            case Code(source):
                texts.append(source)
            case Math(_, plain):
                texts.append(plain)
            case Options(items):
                texts.extend(items)
    return texts


def test_every_format_renders_the_source_text(fam):
    for seed in SEEDS[:8]:
        variant = fam.generate(seed)
        sources = _source_texts(fam.document(variant))
        assert sources
        for fmt in FORMATS:
            rendered = _words(fam.render(variant, fmt))
            for source in sources:
                missing = _words(source) - rendered
                assert not missing, f"{fmt} lost {missing} of {source!r}"


@pytest.mark.parametrize("text", ["", "   ", "zzz", "{not json", "a" * 500, "\x00", "1/0", "🙂"])
def test_garbage_answers_get_a_clear_error(fam, text):
    variant = fam.generate(1)
    try:
        answer = fam.parse_answer(variant, text)
    except InputError as exc:
        assert str(exc).endswith(".") and "\n" not in str(exc)
    else:  # accepted as an answer: it must grade, and garbage earns no full marks
        assert not fam.grade(variant, answer).full_marks
