"""Multiple-choice tasks: one or several correct options, partial credit, feedback per option.

A family's variant data holds `stem`, `options` (texts) and `multiple`, optionally
`code`. The answer key is never stored in the variant: `key(variant)` computes, for
every option, whether it is correct and why.

Scoring: with one correct option, choosing it earns the points and anything else
nothing. With "select all that apply", every option is a true/false judgement: each
right judgement earns 1/n of the points and each wrong one costs 1/n, never below 0.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from dlexam.errors import InputError
from dlexam.tasks.document import Block, Code, Options, Text, option_label
from dlexam.tasks.model import Answer, Grade, PartGrade, Solution, TaskFamily, Variant


@dataclass(frozen=True)
class OptionKey:
    correct: bool
    why: str


class MultipleChoice(TaskFamily):
    """Base of all multiple-choice families; subclasses write `_generate`, `key`, `verify`."""

    def key(self, variant: Variant) -> list[OptionKey]:
        raise NotImplementedError

    def document(self, variant: Variant) -> list[Block]:
        data = variant.data
        blocks: list[Block] = [Text(data["stem"])]
        if data.get("code"):
            blocks.append(Code(data["code"]))
        blocks.append(Options(tuple(data["options"]), bool(data["multiple"])))
        return blocks

    def solve(self, variant: Variant) -> Solution:
        key = self.key(variant)
        chosen = [option_label(i) for i, k in enumerate(key) if k.correct]
        steps = [f"{option_label(i)}) {'correct' if k.correct else 'wrong'}: {k.why}" for i, k in enumerate(key)]
        return Solution(Answer({"choice": chosen}), steps)

    def grade(self, variant: Variant, answer: Answer) -> Grade:
        key = self.key(variant)
        chosen = set(_choices(answer, len(key)))
        rows = [_judge(i, k, option_label(i) in chosen, variant.data["options"][i]) for i, k in enumerate(key)]
        if variant.data["multiple"]:
            right = sum(r["right"] for r in rows)
            points = self.points * max(0.0, (2 * right - len(rows)) / len(rows))
            verdict = f"{right} of {len(rows)} options judged right."
            feedback = "\n".join([verdict, *(r["feedback"] for r in rows if not r["right"])])
        else:
            points = self.points if all(r["right"] for r in rows) else 0.0
            feedback = _single_feedback(rows, key, variant.data["options"])
        evidence = {"chosen": sorted(chosen), "correct": [option_label(i) for i, k in enumerate(key) if k.correct],
                    "options": rows}
        return Grade([PartGrade("choice", points, self.points, feedback, evidence)])

    def parse_answer(self, variant: Variant, text: str) -> Answer:
        labels = [c for c in re.split(r"[\s,;]+|(?<=[a-z])(?=[a-z])", text.strip().lower()) if c]
        n = len(variant.data["options"])
        valid = {option_label(i) for i in range(n)}
        if not labels or any(c not in valid for c in labels):
            raise InputError(f"Answer with option letters a-{option_label(n - 1)}, such as 'a' or 'a,c'.")
        if len(set(labels)) != len(labels):
            raise InputError("Give each option letter once, such as 'a,c'.")
        if not variant.data["multiple"] and len(labels) != 1:
            raise InputError("This question has exactly one correct option; give one letter.")
        return Answer({"choice": sorted(set(labels))})

    def perturb(self, variant: Variant, answer: Answer, rng: random.Random) -> Answer:
        chosen = set(answer.parts["choice"])
        labels = [option_label(i) for i in range(len(variant.data["options"]))]
        if not variant.data["multiple"]:
            return Answer({"choice": [rng.choice([c for c in labels if c not in chosen])]})
        flip = rng.choice(labels)
        return Answer({"choice": sorted(chosen ^ {flip})})

    def answer_hint(self, variant: Variant) -> str:
        last = option_label(len(variant.data["options"]) - 1)
        return f"letters a-{last}, e.g. 'a,c'" if variant.data["multiple"] else f"one letter a-{last}"


def _choices(answer: Answer, n: int) -> list[str]:
    choice = answer.parts.get("choice")
    if not isinstance(choice, list) or not all(isinstance(c, str) for c in choice):
        raise InputError("A multiple-choice answer is a list of option letters such as ['a', 'c'].")
    valid = {option_label(i) for i in range(n)}
    if any(c not in valid for c in choice):
        raise InputError(f"Option letters go from a to {option_label(n - 1)}.")
    return choice


def _single_feedback(rows: list[dict], key: list[OptionKey], options: list[str]) -> str:
    answer = next(i for i, k in enumerate(key) if k.correct)
    text = f"{option_label(answer)}) {options[answer].replace('`', '')}"
    chosen = [r for r in rows if r["chosen"]]
    if chosen and chosen[0]["correct"]:
        return f"Right: {text}. {key[answer].why}"
    mistake = f"You chose {chosen[0]['label']}): {key[ord(chosen[0]['label']) - 97].why} " if chosen else ""
    return f"{mistake}The answer is {text}: {key[answer].why}"


def _judge(i: int, key: OptionKey, chosen: bool, text: str) -> dict:
    right = chosen == key.correct
    mark = "chose" if chosen else "left out"
    verdict = "right" if right else "wrong"
    return {"label": option_label(i), "chosen": chosen, "correct": key.correct, "right": right,
            "feedback": f"{option_label(i)}) you {mark} '{text.replace('`', '')}' — {verdict}: {key.why}"}
