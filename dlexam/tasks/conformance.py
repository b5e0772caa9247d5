"""The contract every task family keeps, as scikit-learn's `check_estimator` holds every estimator.

A course author who adds a family runs `dlexam check FAMILY` (or `run_checks(family(...))` from
Python) and sees each check pass or fail by name; the test suite runs every (family, check) as
its own test. A check is a function `(family, seeds) -> None` that raises `ConformanceError`
with the first failure, naming the seed, so it can be replayed with `dlexam question`.
"""

from __future__ import annotations

import copy
import json
import random
import re
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from dlexam.errors import InputError, VerificationError
from dlexam.tasks.document import Code, Math, Options, Text
from dlexam.tasks.model import FORMATS, Answer, Grade, Solution, TaskFamily, Variant

SEEDS: tuple[int, ...] = (*range(25), 2**31 + 7, 2**32 - 1)
GARBAGE = ("", "   ", "zzz", "{not json", "a" * 500, "\x00", "1/0", "🙂")
EPS = 1e-9


class ConformanceError(AssertionError):
    """A family broke the contract; the message names the seed and what was wrong."""


@dataclass(frozen=True)
class CheckResult:
    name: str
    passed: bool
    message: str      # "" when passed, else the first failure
    seconds: float


Check = Callable[[TaskFamily, Sequence[int]], None]


def _require(condition: object, message: str) -> None:
    if not condition:
        raise ConformanceError(message)


def _roundtrip(obj: object) -> object:
    return json.loads(json.dumps(obj))


# ---------------------------------------------------------------- posing
def same_seed_same_variant(fam: TaskFamily, seeds: Sequence[int]) -> None:
    """generate is deterministic and the variant round-trips through JSON."""
    for seed in seeds:
        variant = fam.generate(seed)
        _require(variant == fam.generate(seed), f"seed {seed}: two calls gave different variants")
        _require(Variant.from_json(_roundtrip(variant.to_json())) == variant,
                 f"seed {seed}: the variant does not survive JSON")


def seeds_give_varied_variants(fam: TaskFamily, seeds: Sequence[int]) -> None:
    """Thirty seeds give at least ten different variants."""
    distinct = {json.dumps(fam.generate(seed).data, sort_keys=True) for seed in range(30)}
    _require(len(distinct) >= 10, f"30 seeds gave only {len(distinct)} different variants")


def out_of_range_seed_is_refused(fam: TaskFamily, seeds: Sequence[int]) -> None:
    for seed in (-1, 2**32):
        try:
            fam.generate(seed)
        except InputError:
            continue
        raise ConformanceError(f"seed {seed} was accepted")


def points_are_declared(fam: TaskFamily, seeds: Sequence[int]) -> None:
    """The family says what its grades are out of, and has a name, title and topic."""
    _require(isinstance(fam.points, (int, float)) and fam.points > 0, f"points is {fam.points!r}")
    for attribute in ("name", "title", "topic"):
        _require(isinstance(getattr(fam, attribute, None), str) and getattr(fam, attribute).strip(),
                 f"the family has no {attribute}")


# ---------------------------------------------------------------- solving and verifying
def solution_verifies(fam: TaskFamily, seeds: Sequence[int]) -> None:
    """verify accepts the family's own solution, which explains itself and survives JSON."""
    for seed in seeds:
        variant = fam.generate(seed)
        solution = fam.solve(variant)
        try:
            fam.verify(variant, solution)
        except VerificationError as exc:
            raise ConformanceError(f"seed {seed}: verify rejected the family's own solution: {exc}") from None
        _require(solution.steps, f"seed {seed}: the solution has no steps")
        _require(Solution.from_json(_roundtrip(solution.to_json())) == solution,
                 f"seed {seed}: the solution does not survive JSON")


def verify_rejects_a_perturbed_solution(fam: TaskFamily, seeds: Sequence[int]) -> None:
    """A verify that cannot fail is a defect: a plausible wrong solution must be refused."""
    rng = random.Random(0)
    for seed in seeds:
        variant = fam.generate(seed)
        solution = fam.solve(variant)
        wrong = fam.perturb(variant, copy.deepcopy(solution.answer), rng)
        try:
            fam.verify(variant, Solution(wrong, list(solution.steps), solution.answer_text))
        except VerificationError:
            continue
        raise ConformanceError(f"seed {seed}: verify accepted the wrong solution {_short(wrong.parts)}")


# ---------------------------------------------------------------- grading
def _graded(fam: TaskFamily, variant: Variant, answer: Answer, seed: int, what: str) -> Grade:
    """Grade, and hold the grade to the family's points and to leaving its inputs alone."""
    variant_before, answer_before = copy.deepcopy(variant), copy.deepcopy(answer)
    grade = fam.grade(variant, answer)
    _require(variant == variant_before, f"seed {seed}: grading {what} changed the variant")
    _require(answer == answer_before, f"seed {seed}: grading {what} changed the answer")
    _require(abs(grade.max_points - fam.points) < EPS,
             f"seed {seed}: {what} was graded out of {grade.max_points:g}, the family declares {fam.points:g}")
    _require(-EPS <= grade.points <= grade.max_points + EPS,
             f"seed {seed}: {what} got {grade.points:g} of {grade.max_points:g} points")
    _require(Grade.from_json(_roundtrip(grade.to_json())).to_json() == grade.to_json(),
             f"seed {seed}: the grade of {what} does not survive JSON")
    return grade


def solution_earns_full_marks(fam: TaskFamily, seeds: Sequence[int]) -> None:
    for seed in seeds:
        variant = fam.generate(seed)
        grade = _graded(fam, variant, fam.solve(variant).answer, seed, "the solution")
        _require(grade.full_marks, f"seed {seed}: the solution got {grade.points:g} of {grade.max_points:g}: "
                                   f"{grade.feedback[:300]}")


def answer_text_earns_full_marks(fam: TaskFamily, seeds: Sequence[int]) -> None:
    """The solution typed as a student types it parses back and earns full marks."""
    for seed in seeds:
        variant = fam.generate(seed)
        text = fam.solve(variant).answer_text
        _require(isinstance(text, str) and text.strip(), f"seed {seed}: the solution has no answer_text")
        try:
            answer = fam.parse_answer(variant, text)
        except InputError as exc:
            raise ConformanceError(f"seed {seed}: the answer_text {_short(text)} does not parse: {exc}") from None
        grade = _graded(fam, variant, answer, seed, "the answer_text")
        _require(grade.full_marks, f"seed {seed}: the answer_text {_short(text)} got {grade.points:g} of "
                                   f"{grade.max_points:g}: {grade.feedback[:300]}")


def perturbed_answer_loses_points(fam: TaskFamily, seeds: Sequence[int]) -> None:
    """A plausible wrong answer (after a trip through JSON) is marked down, and says why."""
    rng = random.Random(0)
    for seed in seeds:
        variant = fam.generate(seed)
        wrong = fam.perturb(variant, fam.solve(variant).answer, rng)
        grade = _graded(fam, variant, Answer.from_json(_roundtrip(wrong.to_json())), seed, "a perturbed answer")
        _require(not grade.full_marks, f"seed {seed}: the wrong answer {_short(wrong.parts)} got full marks")
        _require(grade.feedback.strip(), f"seed {seed}: a wrong answer got no feedback")


def garbage_gets_a_clear_error(fam: TaskFamily, seeds: Sequence[int]) -> None:
    """Garbage is refused in one sentence, or, where it parses, graded below full marks."""
    variant = fam.generate(seeds[1] if len(seeds) > 1 else seeds[0])
    for text in GARBAGE:
        try:
            answer = fam.parse_answer(variant, text)
        except InputError as exc:
            message = str(exc)
            _require(message.endswith(".") and "\n" not in message,
                     f"the error for {text!r} is not one sentence: {message!r}")
            continue
        grade = _graded(fam, variant, answer, variant.seed, f"the garbage {text!r}")
        _require(not grade.full_marks, f"the garbage {text!r} got full marks")


# ---------------------------------------------------------------- rendering
def _words(text: str) -> set[str]:
    return set(re.findall(r"[A-Za-z0-9]+", text))


def _source_texts(blocks: Iterable[object]) -> list[str]:
    texts: list[str] = []
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


def every_format_renders(fam: TaskFamily, seeds: Sequence[int]) -> None:
    """Every output format keeps every word of the task's text, code, maths and options."""
    for seed in seeds[:8]:
        variant = fam.generate(seed)
        sources = _source_texts(fam.document(variant))
        _require(sources, f"seed {seed}: the task has no text")
        for fmt in FORMATS:
            rendered = _words(fam.render(variant, fmt))
            for source in sources:
                missing = _words(source) - rendered
                _require(not missing, f"seed {seed}: {fmt} lost {sorted(missing)[:5]} of {_short(source)}")


def _short(obj: object, limit: int = 120) -> str:
    text = obj if isinstance(obj, str) else json.dumps(obj, default=str)
    return repr(text if len(text) <= limit else text[:limit] + "…")


CHECKS: dict[str, Check] = {check.__name__: check for check in (
    same_seed_same_variant, seeds_give_varied_variants, out_of_range_seed_is_refused, points_are_declared,
    solution_verifies, verify_rejects_a_perturbed_solution, solution_earns_full_marks,
    answer_text_earns_full_marks, perturbed_answer_loses_points, garbage_gets_a_clear_error,
    every_format_renders,
)}


def run_check(fam: TaskFamily, name: str, seeds: Sequence[int] = SEEDS) -> CheckResult:
    """One check by name; a failure is a result, not an exception (a crash is a failure too)."""
    start = time.perf_counter()
    try:
        CHECKS[name](fam, seeds)
    except ConformanceError as exc:
        return CheckResult(name, False, str(exc), time.perf_counter() - start)
    except Exception as exc:  # noqa: BLE001 - a crashing family fails the check, with the reason
        return CheckResult(name, False, f"crashed: {type(exc).__name__}: {exc}", time.perf_counter() - start)
    return CheckResult(name, True, "", time.perf_counter() - start)


def run_checks(fam: TaskFamily, seeds: Sequence[int] = SEEDS, names: Iterable[str] | None = None) -> list[CheckResult]:
    """Every check (or the named ones) against one family."""
    return [run_check(fam, name, seeds) for name in (names or CHECKS)]
