"""Multiple-choice tasks: one or several correct options, partial credit, feedback per option.

A family's variant data (`ChoiceData`) holds `stem`, `options` (texts) and `multiple`,
optionally `code`. The answer key is never stored in the variant: `key(variant)` computes, for
every option, whether it is correct and why. Scoring is `grading.choice` (±1/n per option for
"select all that apply", all or nothing for one correct option); option letters are
`document.option_label` and `option_index` here.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict, cast

from dlexam.errors import InputError, VerificationError
from dlexam.grading.choice import choice_points, judgements
from dlexam.tasks.document import LABELS, Block, Code, Options, Text, option_label
from dlexam.tasks.model import Answer, Grade, PartGrade, Solution, TaskFamily, Variant

PART = "choice"     # the one answer part: a sorted list of option letters


class ChoiceData(TypedDict):
    stem: str
    options: list[str]
    multiple: bool
    code: NotRequired[str]


@dataclass(frozen=True)
class OptionKey:
    correct: bool
    why: str


def option_index(label: str) -> int:
    """The inverse of `option_label`: 'a' -> 0."""
    return LABELS.index(label)


def letters(correct: Sequence[bool]) -> list[str]:
    """The letters of the correct options, in order."""
    return [option_label(i) for i, ok in enumerate(correct) if ok]


QUESTION_LABEL = re.compile(r"^(?:(?:q(?:uestion)?\s*)?\d+(?:\.\d+)*\s*[:)]|answers?\s*:)\s*")
SEPARATORS = re.compile(r"\s*(?:[,;/&+]|\band\b)\s*|\s+")
ONE_LETTER = re.compile(r"\(?([a-z])[).]?")


def read_letters(text: str, n: int) -> list[str]:
    """Option letters as students write them — `c`, `C`, `(c)`, `c)`, `c.`, `a, c`, `a and c`, `a; c`,
    `{a, c}`, `ac` (a run in alphabetical order, alone), after an optional `1.2:` or `answer:`.
    Anything else (a word, a letter twice, a letter past the last option) is refused, so a stray
    letter in prose is never read as a choice."""
    body = QUESTION_LABEL.sub("", text.strip().lower())
    body = re.sub(r"^[{\[](.*)[}\]]$", r"\1", body.strip()).strip()
    tokens = [t for t in SEPARATORS.split(body) if t]
    if len(tokens) == 1 and re.fullmatch(r"[a-z]{2,}", tokens[0]) and list(tokens[0]) == sorted(set(tokens[0])):
        tokens = list(tokens[0])                            # `ac`, never `bad` or `cab`
    labels = [m.group(1) if (m := ONE_LETTER.fullmatch(t)) else t for t in tokens]
    last = option_label(n - 1)
    wrong = next((t for t, c in zip(tokens, labels) if c not in LABELS[:n]), None)
    if not labels or wrong is not None:
        which = f" (`{wrong[:20]}` is not one)" if wrong else ""
        raise InputError(f"Answer with option letters a-{last}, such as 'c' or 'a, c'{which}.")
    if len(set(labels)) != len(labels):
        raise InputError("Give each option letter once, such as 'a, c'.")
    return sorted(labels)


class MultipleChoice(TaskFamily):
    """Base of all multiple-choice families; subclasses write `_generate`, `key`, `verify`."""

    def key(self, variant: Variant) -> list[OptionKey]:
        raise NotImplementedError

    def document(self, variant: Variant) -> list[Block]:
        data = _data(variant)
        blocks: list[Block] = [Text(data["stem"])]
        if data.get("code"):
            blocks.append(Code(data["code"]))
        blocks.append(Options(tuple(data["options"]), bool(data["multiple"])))
        return blocks

    def solve(self, variant: Variant) -> Solution:
        key = self.key(variant)
        chosen = letters([k.correct for k in key])
        steps = [f"{option_label(i)}) {'correct' if k.correct else 'wrong'}: {k.why}" for i, k in enumerate(key)]
        return Solution(Answer({PART: chosen}), steps, answer_text=",".join(chosen))

    def grade(self, variant: Variant, answer: Answer) -> Grade:
        data, key = _data(variant), self.key(variant)
        correct = [k.correct for k in key]
        chosen = {option_index(c) for c in _choices(answer, len(key))}
        points = choice_points(correct, chosen, self.points, data["multiple"])
        rows = [_judge(i, k, i in chosen, data["options"][i]) for i, k in enumerate(key)]
        if data["multiple"]:
            right = sum(judgements(correct, chosen))
            feedback = "\n".join([f"{right} of {len(rows)} options judged right.",
                                  *(r["feedback"] for r in rows if not r["right"])])
        else:
            feedback = _single_feedback(chosen, key, data["options"])
        evidence = {"chosen": sorted(option_label(i) for i in chosen), "correct": letters(correct), "options": rows}
        return Grade([PartGrade(PART, points, self.points, feedback, evidence)])

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        data = _data(variant)
        labels = read_letters(text, len(data["options"]))
        if not data["multiple"] and len(labels) != 1:
            raise InputError("This question has exactly one correct option; give one letter.")
        return Answer({PART: labels})

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        chosen = set(answer.parts[PART])
        labels = [option_label(i) for i in range(len(_data(variant)["options"]))]
        if not _data(variant)["multiple"]:
            return Answer({PART: [rng.choice([c for c in labels if c not in chosen])]})
        return Answer({PART: sorted(chosen ^ {rng.choice(labels)})})

    def answer_hint(self, variant: Variant) -> str:
        data = _data(variant)
        last = option_label(len(data["options"]) - 1)
        return f"letters a-{last}, e.g. 'a,c'" if data["multiple"] else f"one letter a-{last}"


def check_chosen(solution: Solution, correct: Sequence[bool], method: str) -> None:
    """VerificationError unless the solution chose exactly the options `method` finds correct."""
    chosen = solution.answer.parts.get(PART)
    if chosen != letters(correct):
        raise VerificationError(f"The solution chose {chosen}; {method} finds {letters(correct)} correct.")


def _data(variant: Variant) -> ChoiceData:
    return cast(ChoiceData, variant.data)


def _choices(answer: Answer, n: int) -> list[str]:
    choice = answer.parts.get(PART)
    if not isinstance(choice, list) or not all(isinstance(c, str) for c in choice):
        raise InputError("A multiple-choice answer is a list of option letters such as ['a', 'c'].")
    if any(c not in LABELS[:n] for c in choice):
        raise InputError(f"Option letters go from a to {option_label(n - 1)}.")
    return choice


def _single_feedback(chosen: set[int], key: list[OptionKey], options: list[str]) -> str:
    answer = next(i for i, k in enumerate(key) if k.correct)
    text = f"{option_label(answer)}) {options[answer].replace('`', '')}"
    first = min(chosen, default=None)
    if first == answer:
        return f"Right: {text}. {key[answer].why}"
    mistake = f"You chose {option_label(first)}): {key[first].why} " if first is not None else ""
    return f"{mistake}The answer is {text}: {key[answer].why}"


def _judge(i: int, key: OptionKey, chosen: bool, text: str) -> dict[str, Any]:
    right = chosen == key.correct
    mark = "chose" if chosen else "left out"
    verdict = "right" if right else "wrong"
    return {"label": option_label(i), "chosen": chosen, "correct": key.correct, "right": right,
            "feedback": f"{option_label(i)}) you {mark} '{text.replace('`', '')}' — {verdict}: {key.why}"}
